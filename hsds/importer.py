"""``manage.py import_hsds``: an HSDS 3.0 tabular data package into the
directory, as the export writes it (hsds/tabular.py) and as others write it.

Upserts by HSDS id: an organization is the partner whose ``translation_key``
is its id, a service the service page whose ``translation_key`` is its id,
a service_at_location and a schedule the rows whose ``hsds_id`` is theirs;
the ids the mapping derives (addresses, phones, areas...) need nothing
stored. What the package says is compared with the partner's or service's
latest revision in the form the export writes it, so importing the same
package twice, or a package exported from this directory, changes nothing.

New partners are onboarded as the admin does it (coalition/onboarding.py).
Services are saved as revisions and submitted to their partner's workflow,
or published with ``publish``. Each partner is written in a transaction of
its own; services in batches of ``BATCH``, one transaction per batch and a
savepoint per service, so a refused row never leaves half a service, an
import that stopped loses at most its last batch, and running it again
writes what is missing (and changes nothing else).

Speed (bench/import_hsds.py): the work a save sets off for the copies of a
service (the search rows, the page cache, Wagtail's search index and
reference index, the search engine's queue) is done once per batch for all
its services instead of on each save (``Deferred``), and a new service
with ``publish`` is saved once, with one revision published as it is
written, instead of being saved, revised and published in three saves.

Refused (with the file, row, column and reason): a service with a row that
breaks HSDS (a broken UUID, a date that is no date), with data the directory
would refuse from an editor (a schedule closing before it opens, a bad
phone number or postcode, a KvK number of the wrong length, invisible
direction controls), pointing to an unknown organization, or in a language
the site does not have. Rows in the site's other languages are translations
of the Dutch rows with the same id, imported after them
(hsds/translations.py). Parts that are valid HSDS but that the directory
cannot hold (a monthly schedule, a location without a Dutch address, an
area that is no CBS code we know, a taxonomy term not in our taxonomies)
are left out and reported, and the rest of the service is imported.
"""

from __future__ import annotations

import datetime
import html
import json
import re
import sys
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from wagtail.log_actions import log
from wagtail.models import Locale, Page, ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from phonenumber_field.phonenumber import to_python

from coalition.onboarding import OnboardingError, onboard_partner
from directory import changes
from directory.choices import Access, ChannelKind, Cost, ServiceStatus
from directory.forms import BIDI_CONTROLS
from directory.models import (
    Language,
    Municipality,
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceChannel,
    ServiceLocation,
    ServicePage,
    WijkPage,
)
from directory.validators import validate_kvk_number
from search.analysis import grow, growing_vocabulary

from . import bulk, mapping, translations
from .package import LOOKUPS, Package, Problem, Row


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


WEEKDAYS = {code: number for number, code in enumerate(mapping.WEEKDAY_CODES)}
# Fields an unsaved page has no value for yet; the tree fills them in.
PAGE_INTERNALS = [
    "path",
    "depth",
    "numchild",
    "url_path",
    "content_type",
    "draft_title",
    "locale",
    "translation_key",
    "latest_revision",
    "live_revision",
]
ROW_INTERNALS = ["page", "sort_order", "hsds_id"]
SUMMARY_LENGTH = 200
NOTE_LENGTH = 200
# Services per transaction: large enough that a commit (a disk sync on
# SQLite) and the per-batch work are small per service, small enough that
# a batch's pages and rows stay a few MB.
BATCH = 250


class Refused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass
class Report:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[Problem] = field(default_factory=list)  # refused rows
    left_out: list[Problem] = field(default_factory=list)  # parts not held

    def counts(self, kind: str) -> str:
        parts = [
            f"{self.created[kind]} new",
            f"{self.updated[kind]} changed",
            f"{self.unchanged[kind]} unchanged",
            f"{self.refused[kind]} refused",
        ]
        if self.skipped[kind]:
            parts.append(f"{self.skipped[kind]} of other partners")
        return ", ".join(parts)


def paragraphs(text: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def rich_text(parts: list[str]) -> str:
    """Plain paragraphs as the editor's rich text, escaped: a package never
    brings markup in."""
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in parts)


def without_label(text: str, labels: dict[str, str]) -> tuple[str | None, str]:
    """``Label: note`` as the export writes cost and access: the choice whose
    label starts the text, and the rest."""
    for value, label in labels.items():
        if text == label:
            return value, ""
        if text.startswith(label + ": "):
            return value, text[len(label) + 2 :]
    return None, text


def labels(choices, language: str) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def e164(number) -> str:
    if not number:
        return ""
    return number.as_e164 if hasattr(number, "as_e164") else str(number)


def slug_from(uri: str | None) -> str:
    """A page's address (the last step of its URL's path), if it has one."""
    steps = [step for step in urlsplit(uri or "").path.split("/") if step]
    return slugify(steps[-1]) if steps else ""


def phone_number(text: str):
    """A number as the phone fields hold it (Dutch unless it says otherwise),
    so the comparison with what is stored is by E.164, not by spelling."""
    return to_python(text, region="NL") if text else ""


# What the directory holds of a partner or service, in the form the export
# writes it: the package is compared with this, not with the stored HTML.


def partner_state(page: PartnerPage) -> dict:
    return {
        "title": page.title,
        "slug": page.slug,
        "description": mapping.plain(page.description),
        "email": page.email,
        "website": page.website,
        "phone": e164(page.phone),
        "kvk_number": page.kvk_number,
    }


def service_state(page: ServicePage) -> dict:
    return {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "body": mapping.plain(page.body),
        "status": page.status,
        "cost": page.cost,
        "cost_note": page.cost_note,
        "access": page.access,
        "access_note": page.access_note,
        "phone": e164(page.phone),
        "whatsapp": e164(page.whatsapp),
        "email": page.email,
        "website": page.website,
        "accessibility": page.accessibility,
        "last_verified": page.last_verified,
        "themes": sorted(str(t.translation_key) for t in page.themes.all()),
        "audiences": sorted(str(t.translation_key) for t in page.audiences.all()),
        "languages": sorted(language.code for language in page.languages.all()),
        "wijken": sorted(w.cbs_code for w in page.wijken.all()),
        "municipalities": sorted(m.cbs_code for m in page.municipalities.all()),
        "locations": [
            (
                str(r.hsds_id),
                r.name,
                r.address,
                r.postcode,
                r.city,
                None if r.latitude is None else float(r.latitude),
                None if r.longitude is None else float(r.longitude),
            )
            for r in mapping.ordered_locations(page)
        ],
        "hours": sorted(
            (str(r.hsds_id), r.weekday, r.opens, r.closes, str(r.location_key or ""))
            for r in page.opening_hours.all()
        ),
        "exceptions": sorted(
            (
                str(r.hsds_id),
                r.start_date,
                r.end_date or r.start_date,
                r.closed,
                None if r.closed else r.opens,
                None if r.closed else r.closes,
                r.note,
                str(r.location_key or ""),
            )
            for r in page.opening_hours_exceptions.all()
        ),
        "channels": [
            (
                str(r.hsds_id),
                r.kind,
                r.value,
                str(r.location_key) if r.location_key else None,
                r.hours_note,
                sorted(language.code for language in r.languages.all()),
            )
            for r in mapping.ordered_channels(page)
        ],
    }


@dataclass
class Plan:
    """What the package says about one partner or service."""

    id: str
    row: Row
    values: dict = field(default_factory=dict)
    # Where each value came from, to name the cell when the directory refuses it.
    sources: dict[str, tuple[Row, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)
    # Set apart from ``values``: compared as text, written as rich text.
    html: str = ""
    last_modified: datetime.datetime | None = None

    def set(self, name: str, value, row: Row, column: str) -> None:
        self.values[name] = value
        self.sources[name] = (row, column)

    def refuse(self, row: Row, column: str, reason: str) -> None:
        self.problems.append(row.problem(column, reason))

    def leave_out(self, row: Row, column: str, reason: str) -> None:
        self.left_out.append(row.problem(column, reason))

    def errors_of(self, error: ValidationError, prefix: str = "") -> None:
        for name, messages in error.message_dict.items():
            row, column = self.sources.get(prefix + name, (self.row, name))
            for message in messages:
                self.problems.append(row.problem(column, message))


class InMemoryRows:
    """``Package.rows_of`` for tables given as lists of rows."""

    def __init__(self, tables: dict[str, list[Row]]):
        self.found: dict[tuple[str, str], dict[str, list[Row]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for table, keys in LOOKUPS.items():
            for row in tables.get(table, []):
                for key in keys:
                    if value := row.get(key):
                        self.found[(table, key)][str(value).lower()].append(row)

    def rows_of(self, table: str, key: str, value: str) -> list[Row]:
        return self.found[(table, key)].get(value, [])


class Deferred:
    """The work each save of a service sets off for its copies, done once
    per batch instead: the search rows and the page cache
    (``directory.changes.collected``), the search vocabulary (grown with
    each batch's words, not read again: ``growing_vocabulary``), Wagtail's
    reference index (its own switch) and search index (its save receiver
    taken off meanwhile, for services only: this affects the whole process,
    which is the import command's own), and the search engine's queue for
    what was published without ``page_published``. ``flush`` brings all of
    them up to date for the services touched since the last one."""

    def __init__(self):
        self.pages: dict[int, ServicePage] = {}
        self.new_live: list[int] = []

    def __enter__(self):
        self._search_index = changes.search_index_deferred(ServicePage)
        self._search_index.__enter__()
        self._references = disable_reference_index_auto_update()
        self._references.__enter__()
        self._collected = changes.collected()
        self._collected.__enter__()
        self._vocabulary = growing_vocabulary()
        self._vocabulary.__enter__()
        return self

    def __exit__(self, *error):
        try:
            self._vocabulary.__exit__(*error)
            self._collected.__exit__(*error)
        finally:
            self._references.__exit__(*error)
            self._search_index.__exit__(*error)

    def touched(self, page: ServicePage) -> None:
        self.pages[page.pk] = page

    def published(self, page: ServicePage) -> None:
        self.new_live.append(page.pk)

    def flush(self) -> None:
        from modelsearch.backends import get_search_backends

        from search.signals import queue

        changes.send_collected()
        if self.pages:
            ids = list(self.pages)
            grow((page.title, page.summary, page.body) for page in self.pages.values())
            for page in self.pages.values():
                ReferenceIndex.create_or_update_for_object(page)
            indexed = list(ServicePage.get_indexed_objects().filter(pk__in=ids))
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(ServicePage, indexed)
        if self.new_live:
            queue(self.new_live)
        self.pages, self.new_live = {}, []


class Importer:
    def __init__(
        self,
        package: Package,
        *,
        partner: PartnerPage | None = None,
        publish: bool = False,
        dry_run: bool = False,
        user=None,
        partner_type: str = "welzijn",
        progress: Callable[[Report, int, int], None] | None = None,
    ):
        self.package = package
        self.only = partner
        self.publish = publish
        self.dry_run = dry_run
        self.user = user
        self.partner_type = partner_type
        self.progress = progress or (lambda report, done, total: None)
        self.report = Report(left_out=list(package.notes))
        self.refused_orgs: set[str] = set()
        self._batch_existing: dict[str, ServicePage | None] = {}
        # New services to publish with the rest of their batch; None outside one.
        self._pending: list[bulk.NewService] | None = None
        self._batch_slugs: set[tuple[int, str]] = set()
        # Replaced by an entered one in ``run``; outside it nothing is deferred.
        self.deferred = Deferred()
        self.dutch = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
        self.translations = translations.Translations(self)
        self._index()

    # Reading

    def _index(self) -> None:
        # The rows are looked up on the package's spool (hsds/package.py);
        # a package given as lists of rows is indexed in memory.
        finder = getattr(self.package, "rows_of", None)
        self._rows_of = finder or InMemoryRows(self.package.tables).rows_of
        self.known_terms = {}
        for info in mapping.TAXONOMIES:
            for term in info.model.objects.filter(locale=self.dutch):
                self.known_terms[str(term.translation_key)] = (info.key, term)
                self.known_terms.setdefault(f"{info.key}:{term.slug}", (info.key, term))
        self.wijken = {w.cbs_code: w for w in WijkPage.objects.filter(locale=self.dutch)}
        self.municipalities = {m.cbs_code: m for m in Municipality.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}
        self.listed_terms = {
            str(row.get("id")).lower(): row
            for row in self.package.tables["taxonomy_term"]
            if row.get("id")
        }

    def rows_of(self, table: str, key: str, value: str) -> list[Row]:
        return self._rows_of(table, key, value.lower())

    def language_problem(self, plan: Plan, row: Row) -> str:
        """The language of the row's texts; a language the site lacks refused."""
        language = self.translations.language(row)
        if not self.translations.known(language):
            plan.refuse(
                row,
                "x_language" if row.get("x_language") else "",
                f"texts in {language!r}: not one of the site's languages",
            )
            return settings.LANGUAGE_CODE
        return language

    # Organizations

    def plan_partner(self, row: Row) -> Plan:
        plan = Plan(str(row.get("id") or ""), row, problems=list(row.problems))
        self.language_problem(plan, row)
        plan.set("title", row.get("name", ""), row, "name")
        description = paragraphs(row.get("description", ""))
        if description == [plan.values["title"]]:
            description = []  # the export's stand-in for a partner without one
        plan.html = rich_text(description)
        plan.set("description", mapping.plain(plan.html), row, "description")
        plan.set("email", row.get("email", ""), row, "email")
        plan.set("website", row.get("website", ""), row, "website")
        plan.set("slug", slug_from(row.get("uri")) or slugify(plan.values["title"]), row, "uri")
        plan.set("phone", "", row, "")
        plan.set("kvk_number", "", row, "")
        for phone in self.rows_of("phone", "organization_id", plan.id):
            if phone.get("service_id"):
                continue
            plan.problems += phone.problems
            if plan.values["phone"]:
                plan.leave_out(phone, "number", "a partner has one general phone number here")
            else:
                plan.set("phone", phone_number(phone.get("number", "")), phone, "number")
        for ident in self.rows_of("organization_identifier", "organization_id", plan.id):
            plan.problems += ident.problems
            scheme = (ident.get("identifier_scheme") or "").upper()
            kind = (ident.get("identifier_type") or "").lower()
            if scheme == mapping.KVK_SCHEME or "kvk" in kind:
                number = str(ident.get("identifier", "")).replace(" ", "")
                try:
                    validate_kvk_number(number)
                except ValidationError as error:
                    plan.refuse(ident, "identifier", " ".join(error.messages))
                plan.set("kvk_number", number, ident, "identifier")
            else:
                plan.leave_out(ident, "identifier_scheme", "only KvK numbers (NL-KVK) are held")
        self.refuse_direction_controls(plan)
        return plan

    def refuse_direction_controls(self, plan: Plan) -> None:
        for name, value in plan.values.items():
            if isinstance(value, str) and BIDI_CONTROLS.search(value):
                row, column = plan.sources.get(name, (plan.row, name))
                plan.refuse(row, column, "holds invisible characters that change reading direction")

    def import_partner(self, row: Row) -> PartnerPage | None:
        plan = self.plan_partner(row)
        try:
            key = uuid.UUID(plan.id)
        except ValueError:
            key = None
        existing = (
            PartnerPage.objects.filter(translation_key=key, locale=self.dutch).first()
            if key
            else None
        )
        # Wagtail keeps the revision's object: what it held is taken first.
        page = existing.get_latest_revision_as_object() if existing else None
        before = partner_state(page) if page is not None else None
        if page is not None:
            self.apply_partner(page, plan)
        else:
            page = PartnerPage(
                locale=self.dutch, partner_type=self.partner_type, translation_key=key
            )
            self.apply_partner(page, plan)
            self.check_new_partner(page, plan)
        self.validate(page, plan)
        if plan.problems:
            return self.refuse("organization", plan)
        self.report.left_out += plan.left_out
        if before is not None and before == partner_state(page):
            if self.publish and not self.dry_run and not existing.live:
                self.publish_revision(existing, existing.get_latest_revision())
                self.report.updated["organization"] += 1
            else:
                self.report.unchanged["organization"] += 1
            return existing
        if self.dry_run:
            (self.report.updated if existing else self.report.created)["organization"] += 1
            return existing or page
        try:
            with transaction.atomic():
                if existing is None:
                    fields = {
                        name: getattr(page, name)
                        for name in ("slug", "description", "email", "website", "phone")
                    }
                    fields.update(translation_key=key, kvk_number=page.kvk_number)
                    access = onboard_partner(
                        page.title, self.partner_type, user=self.user, page_fields=fields
                    )
                    saved = access.partner
                    revision = saved.get_latest_revision()
                else:
                    saved = existing
                    revision = page.save_revision(user=self.user, log_action=True)
                if self.publish:
                    self.publish_revision(saved, revision)
                else:
                    self.submit(saved)
        except OnboardingError as error:
            plan.refuse(row, "name", str(error))
            return self.refuse("organization", plan)
        (self.report.updated if existing else self.report.created)["organization"] += 1
        return saved

    def apply_partner(self, page: PartnerPage, plan: Plan) -> None:
        values = plan.values
        page.title = values["title"]
        page.slug = values["slug"]
        page.description = plan.html
        for name in ("email", "website", "phone", "kvk_number"):
            setattr(page, name, values[name])

    def check_new_partner(self, page: PartnerPage, plan: Plan) -> None:
        same = PartnerPage.objects.filter(locale=self.dutch)
        if same.filter(title__iexact=page.title).exists():
            plan.refuse(plan.row, "name", f"a partner named {page.title!r} exists already")
        elif same.filter(slug=page.slug).exists():
            plan.refuse(plan.row, "uri", f"a partner with the address {page.slug!r} exists already")

    # Services

    def plan_service(self, row: Row) -> Plan:
        plan = Plan(str(row.get("id") or ""), row, problems=list(row.problems))
        sid = plan.id
        language = self.language_problem(plan, row)
        plan.set("title", row.get("name", ""), row, "name")
        parts = paragraphs(row.get("description", ""))
        summary = parts[0] if parts else ""
        if len(summary) > SUMMARY_LENGTH:
            # The first words for the summary; the whole text stays in the body.
            summary = summary[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        else:
            parts = parts[1:]
        plan.set("summary", summary, row, "description")
        plan.html = rich_text(parts)
        plan.set("body", mapping.plain(plan.html), row, "description")
        status = row.get("status", "")
        if status in ("active", "temporarily closed"):
            plan.set(
                "status",
                ServiceStatus.ACTIVE if status == "active" else ServiceStatus.TEMPORARILY_CLOSED,
                row,
                "status",
            )
        else:
            plan.refuse(
                row, "status", f"{status!r}: only active or temporarily closed services are held"
            )
        plan.set("website", row.get("url", ""), row, "url")
        plan.set("email", row.get("email", ""), row, "email")

        cost, fees = None, row.get("fees_description", "")
        options = self.rows_of("cost_option", "service_id", sid)
        for option in options[:1]:
            plan.problems += option.problems
            if option.get("option") in Cost.values:
                cost = option.get("option")
            elif option.get("amount") is not None:
                cost = Cost.FREE if option.get("amount") == 0 else Cost.PAID
            fees = fees or option.get("amount_description", "")
        for option in options[1:]:
            plan.leave_out(option, "option", "a service has one cost option here")
        labelled, note = without_label(fees, labels(Cost, language))
        plan.set("cost", cost or labelled or Cost.FREE, row, "fees_description")
        plan.set("cost_note", note[:NOTE_LENGTH], row, "fees_description")
        access, note = without_label(row.get("application_process", ""), labels(Access, language))
        plan.set("access", access or Access.WALK_IN, row, "application_process")
        plan.set("access_note", note[:NOTE_LENGTH], row, "application_process")
        plan.set("last_verified", row.get("assured_date"), row, "assured_date")
        plan.set("slug", slug_from(row.get("x_page_url")) or slugify(plan.values["title"]), row, "")
        plan.last_modified = row.get("last_modified")

        self.plan_channels(plan)
        # A channel's phone is there as an HSDS phone too (mapping.channel_phone).
        channel_ids = {str(channel.hsds_id).lower() for channel in plan.values["channels"]}
        plan.set("phone", "", row, "")
        plan.set("whatsapp", "", row, "")
        for phone in self.rows_of("phone", "service_id", sid):
            if str(phone.get("id") or "").lower() in channel_ids:
                continue
            plan.problems += phone.problems
            whatsapp = (phone.get("description") or "").lower() == "whatsapp"
            name = "whatsapp" if whatsapp else "phone"
            if plan.values[name]:
                plan.leave_out(phone, "number", f"a service has one {name} number here")
            else:
                plan.set(name, phone_number(phone.get("number", "")), phone, "number")

        self.plan_terms(plan)
        self.plan_areas(plan)
        self.plan_locations(plan)
        self.plan_schedules(plan)
        self.refuse_direction_controls(plan)
        return plan

    def plan_channels(self, plan: Plan) -> None:
        """The ways to reach the service, from the profile's ``x_channels``
        (a JSON array; mapping.channel). Values are checked as an editor's
        are, in ``validate_rows``."""
        plan.values["channels"] = []
        text = plan.row.get("x_channels")
        if not text:
            return
        try:
            items = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            plan.refuse(plan.row, "x_channels", "not a JSON array of channel objects")
            return
        for item in items:
            kind = item.get("kind")
            if kind not in ChannelKind.values:
                plan.leave_out(
                    plan.row,
                    "x_channels",
                    f"{kind!r} is not a way to reach a service here "
                    f"({', '.join(ChannelKind.values)})",
                )
                continue
            ids = {"id": item.get("id"), "location": item.get("service_at_location_id")}
            wrong = [name for name, value in ids.items() if value and not is_uuid(value)]
            if wrong or not ids["id"]:
                plan.refuse(plan.row, "x_channels", f"a channel's {wrong or ['id']} is no UUID")
                continue
            texts = [str(item.get(name) or "") for name in ("value", "hours_note")]
            if any(BIDI_CONTROLS.search(text) for text in texts):
                plan.refuse(
                    plan.row,
                    "x_channels",
                    "holds invisible characters that change reading direction",
                )
                continue
            languages = []
            for code in item.get("languages") or []:
                if code in self.languages:
                    languages.append(self.languages[code])
                else:
                    plan.leave_out(
                        plan.row, "x_channels", f"{code!r} is not one of the directory's languages"
                    )
            plan.values["channels"].append(
                ServiceChannel(
                    hsds_id=ids["id"],
                    kind=kind,
                    value=str(item.get("value") or ""),
                    location_key=ids["location"] or None,
                    hours_note=str(item.get("hours_note") or ""),
                    languages=languages,
                )
            )

    def plan_terms(self, plan: Plan) -> None:
        chosen = {"themes": [], "audiences": []}
        for attribute in self.rows_of("attribute", "link_id", plan.id):
            plan.problems += attribute.problems
            term_id = str(attribute.get("taxonomy_term_id") or "").lower()
            known = self.known_terms.get(term_id)
            listed = self.listed_terms.get(term_id)
            if known is None and listed is not None:
                # The same term by its code in one of our taxonomies.
                taxonomy = mapping.TAXONOMY_BY_ID.get(str(listed.get("taxonomy_id") or ""))
                if taxonomy is not None:
                    known = self.known_terms.get(f"{taxonomy.key}:{listed.get('code')}")
            if known is None:
                plan.leave_out(
                    attribute,
                    "taxonomy_term_id",
                    "not a term of our themes or audiences (the coalition manages those "
                    "in the admin)",
                )
                continue
            chosen[known[0]].append(known[1])
        for name, terms in chosen.items():
            plan.values[name] = terms
        plan.values["languages"] = []
        for row in self.rows_of("language", "service_id", plan.id):
            plan.problems += row.problems
            code = (row.get("code") or "").lower()
            if code in self.languages:
                plan.values["languages"].append(self.languages[code])
            else:
                plan.leave_out(row, "code", f"{code!r} is not one of the directory's languages")

    def plan_areas(self, plan: Plan) -> None:
        plan.values["wijken"], plan.values["municipalities"] = [], []
        for row in self.rows_of("service_area", "service_id", plan.id):
            plan.problems += row.problems
            code = row.get("x_cbs_code") or row.get("extent") or ""
            if code in self.wijken:
                plan.values["wijken"].append(self.wijken[code])
            elif code in self.municipalities:
                plan.values["municipalities"].append(self.municipalities[code])
            else:
                plan.leave_out(
                    row,
                    "x_cbs_code" if row.get("x_cbs_code") else "extent",
                    "not the CBS code of a wijk or municipality in the directory "
                    "(load them with import_wijken)",
                )

    def plan_locations(self, plan: Plan) -> None:
        plan.values["locations"] = []
        accessibility = ""
        for link in self.rows_of("service_at_location", "service_id", plan.id):
            plan.problems += link.problems
            found = self.rows_of("location", "id", str(link.get("location_id") or ""))
            location = found[0] if found else None
            if location is None:
                plan.refuse(link, "location_id", "no such location in locations.csv")
                continue
            plan.problems += location.problems
            lid = str(location.get("id")).lower()
            addresses = self.rows_of("address", "location_id", lid)
            for address in addresses:
                plan.problems += address.problems
            physical = [a for a in addresses if a.get("address_type") in ("physical", None)]
            if not physical or (physical[0].get("country") or "NL").upper() != "NL":
                plan.leave_out(
                    link, "location_id", "only visiting addresses in the Netherlands are held"
                )
                continue
            address = physical[0]
            name = location.get("name", "")
            if name == address.get("address_1"):
                name = ""  # the export's stand-in for a place without a name
            row = ServiceLocation(
                hsds_id=link.get("id"),
                name=name,
                address=address.get("address_1", ""),
                postcode=address.get("postal_code", ""),
                city=address.get("city", ""),
                latitude=location.get("latitude"),
                longitude=location.get("longitude"),
            )
            row.sources = {
                "name": (location, "name"),
                "address": (address, "address_1"),
                "postcode": (address, "postal_code"),
                "city": (address, "city"),
                "latitude": (location, "latitude"),
                "longitude": (location, "longitude"),
            }
            plan.values["locations"].append(row)
            for found in self.rows_of("accessibility", "location_id", lid):
                plan.problems += found.problems
                if not accessibility and found.get("description"):
                    accessibility = found.get("description")
                    plan.sources["accessibility"] = (found, "description")
        plan.values["accessibility"] = accessibility

    def plan_schedules(self, plan: Plan) -> None:
        rows = list(self.rows_of("schedule", "service_id", plan.id))
        for link in self.rows_of("service_at_location", "service_id", plan.id):
            rows += [
                r
                for r in self.rows_of("schedule", "service_at_location_id", str(link.get("id")))
                if not r.get("service_id")
            ]
        plan.values["hours"], plan.values["exceptions"] = [], []
        places = {str(location.hsds_id).lower() for location in plan.values.get("locations", [])}
        for row in rows:
            plan.problems += row.problems
            # Hours of one location: a schedule of a service_at_location that
            # is held. One whose location is left out (not in the Netherlands)
            # counts for the whole service, as before hours per location.
            place = str(row.get("service_at_location_id") or "").lower()
            place = place if place in places else None
            opens, closes = row.get("opens_at"), row.get("closes_at")
            if opens and closes and closes <= opens:
                plan.refuse(
                    row,
                    "closes_at",
                    f"closes ({closes:%H:%M}) before it opens ({opens:%H:%M}); for hours "
                    "past midnight give a second row for the next day",
                )
                continue
            freq = (row.get("freq") or "").upper()
            if freq == "WEEKLY" and row.get("byday") and opens and closes:
                days = [day.strip().upper() for day in str(row.get("byday")).split(",")]
                unknown = [day for day in days if day not in WEEKDAYS]
                if unknown:
                    plan.refuse(row, "byday", f"{', '.join(unknown)}: not a day (MO to SU)")
                    continue
                for number, day in enumerate(days):
                    hsds_id = (
                        row.get("id") if number == 0 else mapping.derived_id(row.get("id"), day)
                    )
                    plan.values["hours"].append(
                        OpeningHours(
                            hsds_id=hsds_id,
                            weekday=WEEKDAYS[day],
                            opens=opens,
                            closes=closes,
                            location_key=place,
                        )
                    )
            elif not freq and row.get("valid_from"):
                closed = str(row.get("x_closed", "")).lower() in ("true", "1") or not (
                    opens and closes
                )
                note = row.get("description", "")
                if note in ("Closed", "Other opening hours"):
                    note = ""  # the export's stand-ins for an exception without a reason
                plan.values["exceptions"].append(
                    OpeningHoursException(
                        hsds_id=row.get("id"),
                        start_date=row.get("valid_from"),
                        end_date=row.get("valid_to") or row.get("valid_from"),
                        closed=closed,
                        opens=None if closed else opens,
                        closes=None if closed else closes,
                        note=note[:120],
                        location_key=place,
                    )
                )
            else:
                plan.leave_out(
                    row,
                    "freq",
                    "only weekly hours (freq WEEKLY with byday, opens_at and closes_at) and "
                    "exceptions on dates (valid_from, valid_to) are held",
                )

    def apply_service(self, page: ServicePage, plan: Plan) -> None:
        values = plan.values
        for name in (
            "title",
            "slug",
            "summary",
            "status",
            "cost",
            "cost_note",
            "access",
            "access_note",
            "phone",
            "whatsapp",
            "email",
            "website",
            "accessibility",
        ):
            setattr(page, name, values[name])
        page.body = plan.html
        if values["last_verified"]:
            page.last_verified = values["last_verified"]
        for name in ("themes", "audiences", "languages", "wijken", "municipalities"):
            getattr(page, name).set(values[name])
        # Rows keep their database id where their HSDS id is already there.
        for relation, key in (
            ("locations", "locations"),
            ("opening_hours", "hours"),
            ("opening_hours_exceptions", "exceptions"),
            ("channels", "channels"),
        ):
            present = {str(row.hsds_id): row for row in getattr(page, relation).all()}
            rows = []
            for number, row in enumerate(values[key]):
                row.sort_order = number  # the package's order is the editor's
                known = present.get(str(row.hsds_id))
                if known is not None:
                    row.pk = known.pk
                rows.append(row)
            setattr(page, relation, rows)

    def import_service(self, row: Row, partners: dict[str, PartnerPage | None]) -> None:
        plan = self.plan_service(row)
        org_id = str(row.get("organization_id") or "").lower()
        partner = partners.get(org_id)
        if partner is None and org_id and org_id not in partners:
            partner = PartnerPage.objects.filter(translation_key=org_id, locale=self.dutch).first()
            partners[org_id] = partner
        if partner is None and org_id:
            plan.refuse(
                row,
                "organization_id",
                f"{org_id}: refused above"
                if org_id in self.refused_orgs
                else f"{org_id}: no such organization, in organizations.csv or the directory",
            )
        existing = None
        if plan.id and not row.problems:
            existing = self.existing_service(plan.id)
        owner = existing.get_parent() if existing is not None else None
        if owner is not None and partner is not None and partner.pk and owner.pk != partner.pk:
            plan.refuse(
                row,
                "organization_id",
                f"the service belongs to {owner.title!r} here; moving a "
                "service to another partner is done in the admin",
            )
        # Wagtail keeps the revision's object: what it held is taken first.
        page = existing.get_latest_revision_as_object() if existing else None
        before = service_state(page) if page is not None else None
        if page is None:
            page = ServicePage(locale=self.dutch, translation_key=plan.id or None, live=False)
        if not plan.problems:
            self.apply_service(page, plan)
            self.validate(page, plan)
            self.validate_rows(page, plan)
            self.check_slug(page, plan, partner, existing)
        if plan.problems:
            self.refuse("service", plan)
            return
        self.report.left_out += plan.left_out
        if existing is not None and before == service_state(page):
            if (
                self.publish
                and not self.dry_run
                and (not existing.live or existing.has_unpublished_changes)
            ):
                self.publish_revision(existing, existing.get_latest_revision(), plan)
                self.report.updated["service"] += 1
            else:
                self.report.unchanged["service"] += 1
            return
        if self.dry_run:
            (self.report.updated if existing else self.report.created)["service"] += 1
            return
        if existing is None and self.publish and self._pending is not None:
            # Written with the rest of its batch (hsds/bulk.py).
            self._pending.append(bulk.NewService(page, partner, plan.last_modified))
            self._batch_slugs.add((partner.pk, page.slug))
            self.report.created["service"] += 1
            return
        with transaction.atomic():
            if existing is None:
                page.owner = self.user
                if self.publish:
                    self.create_published(page, partner, plan)
                else:
                    partner.add_child(instance=page)
            if existing is not None or not self.publish:
                revision = page.save_revision(user=self.user, log_action=True)
                if self.publish:
                    self.publish_revision(page, revision, plan)
                else:
                    self.submit(page)
        self.deferred.touched(page)
        if existing is None:
            self._batch_slugs.add((partner.pk, page.slug))
        (self.report.updated if existing else self.report.created)["service"] += 1

    def existing_service(self, key: str) -> ServicePage | None:
        """The service with HSDS id ``key``: looked up for the whole batch at once."""
        if key in self._batch_existing:
            return self._batch_existing[key]
        return ServicePage.objects.filter(translation_key=key, locale=self.dutch).first()

    def create_published(self, page: ServicePage, partner: PartnerPage, plan: Plan) -> None:
        """A new service, published with one save and one revision: what
        ``add_child``, ``save_revision`` and ``publish`` do in three saves.
        ``page_published`` is not sent: its receivers' work is done per
        batch (``Deferred``: the search engine's queue) or here (the date of
        the last check: the source's, or today as a publish would say)."""
        if not page.last_verified:
            page.last_verified = timezone.localdate()
        partner.add_child(instance=page)
        revision = Revision.objects.create(
            content_object=page,
            base_content_type=page.get_base_content_type(),
            user=self.user,
            content=page.serializable_data(),
            object_str=str(page),
        )
        now = timezone.now()
        fields = {
            "live": True,
            "has_unpublished_changes": False,
            "first_published_at": now,
            "last_published_at": plan.last_modified or now,
            "live_revision": revision,
            "latest_revision": revision,
            "latest_revision_created_at": revision.created_at,
            "draft_title": page.title,
        }
        Page.objects.filter(pk=page.pk).update(**fields)
        for name, value in fields.items():
            setattr(page, name, value)
        log(instance=page, action="wagtail.create", user=self.user, revision=revision)
        log(
            instance=page,
            action="wagtail.publish",
            user=self.user,
            revision=revision,
            content_changed=True,
        )
        self.deferred.published(page)

    def check_slug(self, page, plan, partner, existing) -> None:
        if partner is None or not partner.pk:
            return
        siblings = Page.objects.child_of(partner).filter(slug=page.slug)
        if existing is not None:
            siblings = siblings.exclude(pk=existing.pk)
        # New siblings of this batch are not written yet.
        taken = existing is None and (partner.pk, page.slug) in self._batch_slugs
        if taken or siblings.exists():
            if plan.row.get("x_page_url"):
                plan.refuse(
                    plan.row, "x_page_url", f"{partner.title} has another page at {page.slug!r}"
                )
            else:
                page.slug = f"{page.slug}-{str(plan.id)[:8]}"

    def validate(self, page: Page, plan: Plan) -> None:
        """The checks an editor's save runs on the page's own fields; the
        slug's uniqueness is checked against the right parent elsewhere."""
        page._check_slug_is_unique = lambda: None
        try:
            page.full_clean(exclude=PAGE_INTERNALS, validate_unique=False)
        except ValidationError as error:
            plan.errors_of(error)
        finally:
            del page._check_slug_is_unique

    def validate_rows(self, page: ServicePage, plan: Plan) -> None:
        for key in ("locations", "hours", "exceptions", "channels"):
            for row in plan.values[key]:
                try:
                    row.full_clean(exclude=ROW_INTERNALS, validate_unique=False)
                except ValidationError as error:
                    sources = getattr(row, "sources", {})
                    for name, messages in error.message_dict.items():
                        source, column = sources.get(name, (plan.row, name))
                        if key in ("hours", "exceptions"):
                            source, column = plan.row, "schedules"
                        elif key == "channels":
                            source, column = plan.row, "x_channels"
                        plan.problems += [source.problem(column, m) for m in messages]

    # Writing

    def publish_revision(self, page: Page, revision, plan: Plan | None = None) -> None:
        state = page.current_workflow_state
        if state is not None:
            state.cancel(user=self.user)
        revision.publish(user=self.user)
        if plan is None:
            return
        # The source's own dates: publishing counts as a check here
        # (coalition/freshness.py), but an import checked nothing; and its
        # "last modified" is when the service changed, so a round trip keeps it.
        if plan.values.get("last_verified"):
            ServicePage.objects.filter(translation_key=page.translation_key).update_listed(
                last_verified=plan.values["last_verified"]
            )
        if plan.last_modified is not None:
            Page.objects.filter(pk=page.pk).update(last_published_at=plan.last_modified)

    def submit(self, page: Page) -> None:
        """As the editor's "Submit for moderation": the partner's workflow,
        started again if the page was already in it."""
        workflow = page.get_workflow()
        if workflow is None:
            return
        state = page.current_workflow_state
        if state is not None:
            state.cancel(user=self.user)
        workflow.start(page, self.user)

    def refuse(self, kind: str, plan: Plan) -> None:
        self.report.refused[kind] += 1
        self.report.problems += plan.problems
        if kind == "organization":
            self.refused_orgs.add(plan.id.lower())
        return None

    # The whole package

    def run(self) -> Report:
        tables = self.package.tables
        only = str(self.only.translation_key) if self.only else None
        self.total = len(tables["organization"]) + len(tables["service"])
        self.done = 0
        partners: dict[str, PartnerPage | None] = {}
        with Deferred() as self.deferred:
            for row in tables["organization"]:
                if self.translations.is_translation(row):
                    continue  # after the Dutch rows
                self.done += 1
                org_id = str(row.get("id") or "").lower()
                if only and org_id != only:
                    self.report.skipped["organization"] += 1
                    continue
                partner = self.import_partner(row)
                if org_id:
                    partners[org_id] = partner
                self.progress(self.report, self.done, self.total)
            self.translations.import_organizations(tables["organization"])
            self.deferred.flush()
            batch: list[Row] = []
            for row in tables["service"]:
                if self.translations.is_translation(row):
                    continue  # after the Dutch rows
                if only and str(row.get("organization_id") or "").lower() != only:
                    self.done += 1
                    self.report.skipped["service"] += 1
                    continue
                batch.append(row)
                if len(batch) >= BATCH:
                    self.import_batch(batch, partners)
                    batch = []
            self.import_batch(batch, partners)
            self.translations.import_services(tables["service"])
        return self.report

    def import_batch(self, rows: list[Row], partners: dict[str, PartnerPage | None]) -> None:
        """``rows`` in one transaction, each service in a savepoint of its
        own; the copies of what changed are brought up to date before the
        commit, so a batch is written whole or not at all."""
        if not rows:
            return
        keys = [str(row.get("id")).lower() for row in rows if row.get("id") and not row.problems]
        with transaction.atomic():
            self._batch_existing = {key: None for key in keys}
            for page in ServicePage.objects.filter(translation_key__in=keys, locale=self.dutch):
                self._batch_existing[str(page.translation_key)] = page
            self._pending = [] if self.publish and not self.dry_run else None
            self._batch_slugs = set()
            for row in rows:
                self.import_service(row, partners)
                self.done += 1
                self.progress(self.report, self.done, self.total)
            for page in bulk.write(self._pending or [], user=self.user):
                self.deferred.touched(page)
                self.deferred.published(page)
            self._batch_existing, self._pending, self._batch_slugs = {}, None, set()
            self.deferred.flush()


def import_package(source, *, max_mb: float | None = None, **options) -> Report:
    from .package import MAX_MB

    package = Package(source, max_mb=max_mb or MAX_MB)
    return Importer(package, **options).run()


def plain_progress(stream=sys.stderr, every: int = 100):
    """A progress display: one line rewritten in a terminal, a line every
    ``every`` objects otherwise (a log file gets no carriage returns)."""
    tty = stream.isatty()

    def show(report: Report, done: int, total: int) -> None:
        if not tty and done % every and done != total:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"organizations and services; services: {report.created['service']} new, {report.updated['service']} changed, "
            f"{report.unchanged['service']} unchanged, {report.refused['service']} refused"
        )
        stream.write(("\r" + line) if tty else line + "\n")
        if tty and done == total:
            stream.write("\n")
        stream.flush()

    return show
