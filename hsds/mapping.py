"""The directory as HSDS 3.0 objects: the one mapping, used by the API and
meant for export and import too (docs/hsds-profile/README.md describes it).

Identities: a page or taxonomy term is its ``translation_key`` (shared by its
language versions); location rows and opening hours carry a stored
``hsds_id`` (directory/models/identity.py). A location row is one service at
one place, so its ``hsds_id`` is the HSDS service_at_location id. Everything
else that HSDS gives an id of its own (the location itself, addresses,
phones, languages, service areas, cost options, attributes) is derived from
its owner's id with UUID5, so it is as stable as its owner and the same in
every language.

Every object says the language its texts are in (``x_language``, an
extension of our profile): the requested language where translated, Dutch
otherwise.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape

from django.utils import translation
from django.utils.html import strip_tags

from wagtail.models import Locale

from directory.choices import Access, ChannelKind, Cost, ServiceStatus, Weekday, label
from directory.models import (
    Audience,
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceChannel,
    ServiceLocation,
    ServicePage,
    Theme,
)

HSDS_VERSION = "3.0"
# Our namespace for derived ids; never change it, or every derived id changes.
NAMESPACE = uuid.UUID("5b0f7d4e-7c1a-4f0e-9a59-8d1f3c0e2a61")
KVK_SCHEME = "NL-KVK"  # org-id.guide's list code for the Dutch Chamber of Commerce
CBS_WIJK = "CBS-wijk"
CBS_MUNICIPALITY = "CBS-gemeente"
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def derived_id(*parts) -> str:
    """The id of an object HSDS names but we do not store, from its owner's id."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


@dataclass(frozen=True)
class TaxonomyInfo:
    key: str
    model: type
    name: str
    description: str

    @property
    def id(self) -> str:
        return derived_id("taxonomy", self.key)


TAXONOMIES = [
    TaxonomyInfo(
        "themes",
        Theme,
        "Wijkwijzer themes",
        "The kinds of help residents look for, such as money and debt or housing.",
    ),
    TaxonomyInfo(
        "audiences",
        Audience,
        "Wijkwijzer audiences",
        "The groups of residents a service is meant for, such as older people.",
    ),
]
TAXONOMY_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}


def compact(data: dict) -> dict:
    """``data`` without empty values: HSDS leaves out what is not known
    (its schemas type most fields as strings, so a null would not validate)."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def plain(html: str) -> str:
    """Rich text as plain text, a blank line between its paragraphs. The
    entities rich text stores (``&#x27;``, ``&amp;``) become the characters
    they stand for: this is text, not HTML (an export once wrote them as they were)."""
    text = re.sub(r"</(p|li|h[1-6])>|<br\s*/?>", "\n", html or "")
    lines = unescape(strip_tags(text)).split("\n")
    paragraphs = (" ".join(line.split()) for line in lines)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def language_of(obj) -> str:
    return obj.locale.language_code


@dataclass
class Context:
    """What mapping a page of objects needs, loaded once: the taxonomy terms
    in the requested language (Dutch where not translated), the partners
    above the services, and absolute URLs."""

    locale: Locale
    base_url: str = ""
    terms: dict[uuid.UUID, object] = field(default_factory=dict)
    partners: dict[str, PartnerPage] = field(default_factory=dict)

    def load_terms(self) -> None:
        if self.terms:
            return
        default = Locale.get_default()
        for taxonomy in TAXONOMIES:
            for term in taxonomy.model.objects.filter(
                locale__in=[default, self.locale]
            ).select_related("locale"):
                known = self.terms.get(term.translation_key)
                if known is None or term.locale_id == self.locale.pk:
                    term.hsds_taxonomy = taxonomy
                    self.terms[term.translation_key] = term

    def load_partners(self, services: Iterable[ServicePage]) -> None:
        """The partner above each service, in one query (a partner is the
        service's parent: its tree path without the last step)."""
        paths = {service.path[: -ServicePage.steplen] for service in services}
        missing = paths - set(self.partners)
        if missing:
            for partner in PartnerPage.objects.filter(path__in=missing).select_related("locale"):
                self.partners[partner.path] = partner

    def partner_of(self, service: ServicePage) -> PartnerPage:
        return self.partners[service.path[: -ServicePage.steplen]]

    def absolute(self, url: str) -> str:
        return url if url.startswith("http") else self.base_url + url


# Taxonomies and terms


def taxonomy(info: TaxonomyInfo) -> dict:
    return {
        "id": info.id,
        "name": info.name,
        "description": info.description,
        "version": "1",
    }


def taxonomy_term(term, context: Context) -> dict:
    info = getattr(term, "hsds_taxonomy", None) or next(
        t for t in TAXONOMIES if isinstance(term, t.model)
    )
    return compact(
        {
            "id": str(term.translation_key),
            "code": term.slug,
            "name": term.name,
            "description": term.description or term.name,
            "taxonomy": info.name,
            "taxonomy_id": info.id,
            "language": language_of(term),
            "x_language": language_of(term),
        }
    )


# Organizations


def organization(partner: PartnerPage, context: Context, *, full: bool = False) -> dict:
    org_id = str(partner.translation_key)
    data = {
        "id": org_id,
        "name": partner.title,
        "description": plain(partner.description) or partner.title,
        "email": partner.email,
        "website": partner.website,
        "uri": context.absolute(partner.url or ""),
        "x_language": language_of(partner),
    }
    if full:
        data["phones"] = (
            [phone(derived_id("phone", org_id), partner.phone, organization_id=org_id)]
            if partner.phone
            else []
        )
        data["organization_identifiers"] = (
            [
                {
                    "id": derived_id("kvk", org_id),
                    "organization_id": org_id,
                    "identifier_scheme": KVK_SCHEME,
                    "identifier_type": "KvK-nummer",
                    "identifier": partner.kvk_number,
                }
            ]
            if partner.kvk_number
            else []
        )
    return compact(data)


def phone(phone_id: str, number, description: str = "", kind: str = "voice", **owner) -> dict:
    return compact(
        {
            "id": phone_id,
            **{key: str(value) for key, value in owner.items()},
            "number": number.as_e164 if hasattr(number, "as_e164") else str(number),
            "type": kind,
            "description": description,
        }
    )


# Services


def service(page: ServicePage, context: Context, *, full: bool = False) -> dict:
    """A service; with ``full`` the fully nested one (HSDS compiled service),
    otherwise its one-to-one fields and organization (HSDS service_list)."""
    service_id = str(page.translation_key)
    partner = context.partner_of(page)
    with translation.override(language_of(page)):
        # A value no longer among the choices is published as stored, as pages show it.
        cost_label = label(Cost, page.cost)
        fees = ": ".join(part for part in (cost_label, page.cost_note) if part)
        access_label = label(Access, page.access)
        access = ": ".join(part for part in (access_label, page.access_note) if part)
    data = {
        "id": service_id,
        "organization_id": str(partner.translation_key),
        "name": page.title,
        "description": "\n\n".join(part for part in (page.summary, plain(page.body)) if part),
        "url": page.website,
        "email": page.email,
        "status": (
            "temporarily closed" if page.status == ServiceStatus.TEMPORARILY_CLOSED else "active"
        ),
        "fees_description": fees,
        "application_process": access,
        "assured_date": page.last_verified.isoformat(),
        "last_modified": (page.last_published_at.isoformat() if page.last_published_at else None),
        "x_language": language_of(page),
        "x_page_url": context.absolute(page.url or ""),
        "organization": organization(partner, context),
    }
    if full:
        channels = ordered_channels(page)
        data.update(
            interpretation_services=interpretation_services(channels, language_of(page)),
            phones=service_phones(page, service_id)
            + [
                channel_phone(channel, service_id)
                for channel in channels
                if channel.kind in (ChannelKind.PHONE, ChannelKind.WHATSAPP)
            ],
            # Sorted here: the list's prefetch and the detail's query need not
            # return rows of equal sort order alike (PostgreSQL did not).
            schedules=[
                *(
                    weekly_schedule(row, service_id)
                    for row in sorted(
                        page.opening_hours.all(),
                        key=lambda r: (r.weekday, r.opens, str(r.hsds_id)),
                    )
                ),
                *(
                    exception_schedule(row, service_id)
                    for row in sorted(
                        page.opening_hours_exceptions.all(),
                        key=lambda r: (r.start_date, str(r.hsds_id)),
                    )
                ),
            ],
            service_areas=service_areas(page, service_id),
            service_at_locations=[
                service_at_location(location, page, context, service_id=service_id)
                for location in ordered_locations(page)
            ],
            languages=[
                compact(
                    {
                        "id": derived_id("language", service_id, language.code),
                        "service_id": service_id,
                        "name": language.name,
                        "code": language.code,
                        "note": language.native_name,
                    }
                )
                for language in page.languages.all()
            ],
            cost_options=[cost_option(page, service_id, fees)],
            attributes=attributes(page, service_id, context),
            x_channels=[channel(row, service_id) for row in channels],
        )
    return compact(data)


# Ways to reach a service (directory/models/channel.py). HSDS 3.0 has phones
# with languages, and one e-mail address and one website per service (ours
# are the service's own fields). So every channel is in our profile's
# ``x_channels``, which the import reads; its phone and WhatsApp channels
# are also HSDS phones (the channel's id) with their languages, and its
# interpreters HSDS's free text ``interpretation_services``.


def ordered_channels(page: ServicePage) -> list[ServiceChannel]:
    """As ``ordered_locations``: the editor's order, then by id."""
    return sorted(
        page.channels.all(),
        key=lambda r: (-1 if r.sort_order is None else r.sort_order, str(r.hsds_id)),
    )


def channel_languages(row: ServiceChannel) -> list:
    return sorted(row.languages.all(), key=lambda language: language.code)


def channel(row: ServiceChannel, service_id: str) -> dict:
    return compact(
        {
            "id": str(row.hsds_id),
            "service_id": service_id,
            "kind": row.kind,
            "value": row.value,
            # A location row's hsds_id is its service_at_location id.
            "service_at_location_id": str(row.location_key) if row.location_key else None,
            "languages": [language.code for language in channel_languages(row)],
            "hours_note": row.hours_note,
        }
    )


def channel_phone(row: ServiceChannel, service_id: str) -> dict:
    whatsapp = row.kind == ChannelKind.WHATSAPP
    phone_id = str(row.hsds_id)
    data = phone(
        phone_id,
        row.value,
        "WhatsApp" if whatsapp else "",
        "text" if whatsapp else "voice",
        service_id=service_id,
    )
    data["languages"] = [
        compact(
            {
                "id": derived_id("language", phone_id, language.code),
                "phone_id": phone_id,
                "name": language.name,
                "code": language.code,
                "note": language.native_name,
            }
        )
        for language in channel_languages(row)
    ]
    return compact(data)


def interpretation_services(channels: list[ServiceChannel], language_code: str) -> str:
    """HSDS's free text: "Interpreter on request: Arabisch, Tigrinya"."""
    from directory.localized import language_name

    names = sorted(
        {
            language_name(language, language_code)
            for row in channels
            if row.kind == ChannelKind.INTERPRETER
            for language in row.languages.all()
        }
    )
    if not names:
        return ""
    with translation.override(language_code):
        return f"{ChannelKind.INTERPRETER.label}: {', '.join(names)}"


def ordered_locations(page: ServicePage) -> list[ServiceLocation]:
    """The editor's order; rows saved without one (the demo's) by id, so
    PostgreSQL and SQLite, list and detail, export and import agree."""
    return sorted(
        page.locations.all(),
        key=lambda r: (-1 if r.sort_order is None else r.sort_order, str(r.hsds_id)),
    )


def service_phones(page: ServicePage, service_id: str) -> list[dict]:
    phones = []
    if page.phone:
        phones.append(phone(derived_id("phone", service_id), page.phone, service_id=service_id))
    if page.whatsapp:
        phones.append(
            phone(
                derived_id("whatsapp", service_id),
                page.whatsapp,
                "WhatsApp",
                "text",
                service_id=service_id,
            )
        )
    return phones


def cost_option(page: ServicePage, service_id: str, fees: str) -> dict:
    free = page.cost == Cost.FREE
    return compact(
        {
            "id": derived_id("cost", service_id),
            "service_id": service_id,
            "option": page.cost,
            "currency": "EUR" if free else None,
            "amount": 0 if free else None,
            "amount_description": fees,
        }
    )


def _at_location(row) -> dict:
    """Hours for one location of the service name its service_at_location
    (whose id is the location row's); hours for all locations name none."""
    return {} if row.location_key is None else {"service_at_location_id": str(row.location_key)}


def weekly_schedule(row: OpeningHours, service_id: str) -> dict:
    return {
        "id": str(row.hsds_id),
        "service_id": service_id,
        **_at_location(row),
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": WEEKDAY_CODES[row.weekday],
        "opens_at": row.opens.strftime("%H:%M"),
        "closes_at": row.closes.strftime("%H:%M"),
        "description": f"{Weekday(row.weekday).name.capitalize()} "
        f"{row.opens:%H:%M}-{row.closes:%H:%M}",
    }


def exception_schedule(row: OpeningHoursException, service_id: str) -> dict:
    """An exception: the dates it covers (valid_from to valid_to) and its
    hours, or none with ``x_closed``. It replaces the weekly schedules on
    those dates (our profile's rule: HSDS 3.0 has no closed days)."""
    return compact(
        {
            "id": str(row.hsds_id),
            "service_id": service_id,
            **_at_location(row),
            "valid_from": row.start_date.isoformat(),
            "valid_to": (row.end_date or row.start_date).isoformat(),
            "opens_at": None if row.closed else row.opens.strftime("%H:%M"),
            "closes_at": None if row.closed else row.closes.strftime("%H:%M"),
            "description": row.note or ("Closed" if row.closed else "Other opening hours"),
            "x_closed": row.closed,
        }
    )


def service_areas(page: ServicePage, service_id: str) -> list[dict]:
    areas = []
    for municipality in page.municipalities.all():
        areas.append(area(service_id, municipality.name, municipality.cbs_code, CBS_MUNICIPALITY))
    for wijk in page.wijken.all():
        areas.append(area(service_id, wijk.title, wijk.cbs_code, CBS_WIJK))
    return areas


def area(service_id: str, name: str, code: str, scheme: str) -> dict:
    return {
        "id": derived_id("area", service_id, code),
        "service_id": service_id,
        "name": name,
        "extent_type": "text",
        "extent": code,
        "x_cbs_code": code,
        "x_cbs_code_type": scheme,
    }


def attributes(page: ServicePage, service_id: str, context: Context) -> list[dict]:
    context.load_terms()
    result = []
    for term in [*page.themes.all(), *page.audiences.all()]:
        shown = context.terms.get(term.translation_key, term)
        term_id = str(term.translation_key)
        result.append(
            {
                "id": derived_id("attribute", service_id, term_id),
                "link_id": service_id,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": term_id,
                "taxonomy_term": taxonomy_term(shown, context),
            }
        )
    return result


# Locations


def location_id_of(row: ServiceLocation) -> str:
    return derived_id("location", row.hsds_id)


def location(row: ServiceLocation, page: ServicePage, context: Context) -> dict:
    location_id = location_id_of(row)
    accessibility = (
        [
            {
                "id": derived_id("accessibility", location_id),
                "location_id": location_id,
                "description": page.accessibility,
            }
        ]
        if page.accessibility
        else []
    )
    return compact(
        {
            "id": location_id,
            "location_type": "physical",
            "organization_id": str(context.partner_of(page).translation_key),
            "name": row.name or row.address,
            "latitude": float(row.latitude) if row.latitude is not None else None,
            "longitude": float(row.longitude) if row.longitude is not None else None,
            "addresses": [
                {
                    "id": derived_id("address", location_id),
                    "location_id": location_id,
                    "address_1": row.address,
                    "city": row.city,
                    # The directory does not record provinces; HSDS requires
                    # the field, so it is present and empty (see the profile).
                    "state_province": "",
                    "postal_code": row.postcode,
                    "country": "NL",
                    "address_type": "physical",
                }
            ],
            "accessibility": accessibility,
            "x_language": language_of(page),
        }
    )


def service_at_location(
    row: ServiceLocation,
    page: ServicePage,
    context: Context,
    *,
    service_id: str | None = None,
    with_service: bool = False,
    full: bool = False,
) -> dict:
    service_id = service_id or str(page.translation_key)
    data = {
        "id": str(row.hsds_id),
        "service_id": service_id,
        "location_id": location_id_of(row),
        "location": location(row, page, context),
        "x_language": language_of(page),
    }
    if with_service:
        data["service"] = service(page, context, full=full)
    return data
