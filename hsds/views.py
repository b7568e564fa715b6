"""The HSDS 3.0 read API: plain Django views answering JSON.

HSDS defines the response bodies itself (its compiled JSON schemas), so the
views build them with hsds/mapping.py and the OpenAPI document refers to
those schemas (hsds/openapi.py); see the README, "Open data: HSDS API".
Only live, public, shown services and what they publish; never drafts,
contact persons or anything else from the coalition's workspace.
"""

from __future__ import annotations

import datetime
import math
import uuid
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.cache import patch_cache_control

from wagtail.models import Locale

from directory.languages import with_dutch_fallback
from directory.models import PartnerPage, ServiceLocation, ServicePage
from directory.models.service import serves_wijk
from directory.validators import PC4_RE
from search.geocoding import get_geocoder
from search.query import ServiceQuery, search_services

from . import mapping

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
# The most relevant hits a text search reads; later ones are not listed.
SEARCH_LIMIT = 1000
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


class BadRequest(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


class NotFound(Exception):
    pass


def api_view(view):
    """JSON errors instead of pages, the language of the request active, and
    the public cache headers on every successful answer."""

    def wrapper(request, *args, **kwargs):
        try:
            locale = request_locale(request)
            with translation.override(locale.language_code):
                data = view(request, locale, *args, **kwargs)
        except BadRequest as error:
            return error_response(400, error.message, parameter=error.parameter)
        except NotFound:
            return error_response(404, "No object with this id.")
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
        response["Content-Language"] = locale.language_code
        patch_cache_control(response, public=True, max_age=settings.HSDS_API_MAX_AGE)
        return response

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def error_response(status: int, message: str, **extra) -> JsonResponse:
    response = JsonResponse({"status": status, "message": message, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def request_locale(request) -> Locale:
    """``?lang=``, else Dutch: never the browser's or the session's language,
    so one address always gives the same answer to every client and cache."""
    code = request.GET.get("lang") or settings.LANGUAGE_CODE
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        raise BadRequest("lang", f"Unknown language {code!r}.")
    return locale


# Parameters


def int_param(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a whole number.") from None
    if not low <= value <= high:
        raise BadRequest(name, f"{name} must be between {low} and {high}.")
    return value


def bool_param(request, name: str) -> bool:
    raw = request.GET.get(name, "").lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise BadRequest(name, f"{name} must be true or false.")


def uuid_param(request, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    return parse_uuid(raw, name)


def parse_uuid(raw: str, name: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadRequest(name, f"{name} must be a UUID.") from None


def datetime_param(request, name: str) -> datetime.datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)):
            moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise BadRequest(name, f"{name} must be a date or date-time (ISO 8601).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@dataclass
class Paging:
    page: int
    per_page: int

    @classmethod
    def from_request(cls, request) -> Paging:
        return cls(
            page=int_param(request, "page", 1, 1, 10**6),
            per_page=int_param(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def envelope(self, total: int, contents: list) -> dict:
        """HSDS's page: the header fields, then ``contents``."""
        pages = max(1, math.ceil(total / self.per_page))
        return {
            "total_items": total,
            "total_pages": pages,
            "page_number": self.page,
            "size": len(contents),
            "first_page": self.page == 1,
            "last_page": self.page >= pages,
            "empty": total == 0,
            "contents": contents,
        }


def page_of(queryset, paging: Paging) -> tuple[int, list]:
    total = queryset.count()
    return total, list(queryset[paging.offset : paging.offset + paging.per_page])


def context_for(request, locale: Locale) -> mapping.Context:
    return mapping.Context(locale=locale, base_url=request.build_absolute_uri("/").rstrip("/"))


# Querysets: what the public sees, in the requested language or Dutch.


def shown_services(locale: Locale):
    return with_dutch_fallback(ServicePage.objects.shown(), locale).select_related("locale")


def with_relations(queryset, full: bool):
    if not full:
        return queryset
    return queryset.prefetch_related(
        "themes",
        "audiences",
        "languages",
        "wijken",
        "municipalities",
        "locations",
        "opening_hours",
        "opening_hours_exceptions",
        "channels__languages",
    )


def shown_partners(locale: Locale):
    return with_dutch_fallback(PartnerPage.objects.live().public(), locale).select_related("locale")


def term_for(term_id: uuid.UUID):
    for info in mapping.TAXONOMIES:
        term = info.model.objects.filter(translation_key=term_id).first()
        if term is not None:
            return info, term
    raise BadRequest("taxonomy_term_id", "No taxonomy term with this id.")


def filtered_services(request, locale: Locale) -> tuple[object, list | None]:
    """The services the filters ask for: a queryset, and with ``search`` or
    ``proximity`` the order of the hits of the project's query API."""
    services = shown_services(locale)
    query = ServiceQuery()
    if term_id := uuid_param(request, "taxonomy_term_id"):
        info, term = term_for(term_id)
        services = services.filter(**{f"{info.key}__translation_key": term_id})
        query = ServiceQuery(**{info.key: (term.slug,)})
    if taxonomy_id := uuid_param(request, "taxonomy_id"):
        if str(taxonomy_id) not in mapping.TAXONOMY_BY_ID:
            raise BadRequest("taxonomy_id", "No taxonomy with this id.")
        key = mapping.TAXONOMY_BY_ID[str(taxonomy_id)].key
        services = services.filter(**{f"{key}__isnull": False}).distinct()
    if organization_id := uuid_param(request, "organization_id"):
        partner_paths = PartnerPage.objects.filter(translation_key=organization_id).values_list(
            "path", flat=True
        )
        below = Q(pk__in=[])
        for path in partner_paths:
            below |= Q(path__startswith=path, depth=len(path) // ServicePage.steplen + 1)
        services = services.filter(below)
    if modified_after := datetime_param(request, "modified_after"):
        services = services.filter(last_published_at__gte=modified_after)

    point, radius_km = postcode_filter(request)
    text = request.GET.get("search", "").strip()
    if point is not None and radius_km is None:
        services = services.filter(serves_wijk_of_point(request))
    if not text and radius_km is None:
        return services, None
    query = replace(query, text=text[:200], point=point, radius_km=radius_km)
    results = search_services(query, locale, 1, SEARCH_LIMIT, facets=())
    order = [hit.service.pk for hit in results.page.object_list]
    return services.filter(pk__in=order), order


def postcode_filter(request):
    postcode = request.GET.get("postcode", "").strip().upper()
    proximity = request.GET.get("proximity", "").strip()
    if not postcode:
        if proximity:
            raise BadRequest("proximity", "proximity needs a postcode.")
        return None, None
    if not PC4_RE.match(postcode[:4]) or len(postcode.replace(" ", "")) not in (4, 6):
        raise BadRequest("postcode", "postcode must be a Dutch postcode, such as 3563 AB or 3563.")
    point = get_geocoder().locate(postcode)
    if point is None:
        raise BadRequest("postcode", "This postcode is not known.")
    radius_km = None
    if proximity:
        try:
            metres = float(proximity)
        except ValueError:
            raise BadRequest("proximity", "proximity must be a number of metres.") from None
        if not 0 < metres <= 100_000:
            raise BadRequest("proximity", "proximity must be between 1 and 100000 metres.")
        radius_km = metres / 1000
    return point, radius_km


def serves_wijk_of_point(request) -> Q:
    """Services whose service area holds the postcode: its wijk's, or its
    whole municipality's (HSDS: "only results where the postcode exists
    within the service_area")."""
    from directory.models import WijkPage

    pc4 = request.GET["postcode"].strip()[:4]
    codes = {
        wijk.cbs_code
        for wijk in WijkPage.objects.live().only("cbs_code", "postcodes")
        if pc4 in {code.strip() for code in wijk.postcodes.split(",")}
    }
    if not codes:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for code in codes:
        condition |= serves_wijk(code)
    return condition


def ordered_page(services, order: list | None, paging: Paging) -> tuple[int, list]:
    if order is None:
        return page_of(services.order_by("title_key", "pk"), paging)
    allowed = set(services.values_list("pk", flat=True))
    ids = [pk for pk in order if pk in allowed]
    chosen = ids[paging.offset : paging.offset + paging.per_page]
    by_pk = {service.pk: service for service in services.filter(pk__in=chosen)}
    return len(ids), [by_pk[pk] for pk in chosen]


# Views


@api_view
def meta(request, locale):
    """Which HSDS this API speaks, its profile and its OpenAPI document."""
    return {
        "version": mapping.HSDS_VERSION,
        "profile": settings.HSDS_PROFILE_URL or request.build_absolute_uri(reverse("hsds:profile")),
        "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
    }


PROFILE = settings.BASE_DIR / "docs" / "hsds-profile" / "README.md"


def profile(request):
    """The profile document, as Markdown."""
    response = HttpResponse(PROFILE.read_text(encoding="utf-8"), content_type="text/markdown")
    patch_cache_control(response, public=True, max_age=settings.HSDS_API_MAX_AGE)
    return response


@api_view
def openapi(request, locale):
    from .openapi import document

    return document(request.build_absolute_uri(reverse("hsds:meta")).rstrip("/"))


@api_view
def services(request, locale):
    paging = Paging.from_request(request)
    full = bool_param(request, "full")
    minimal = bool_param(request, "minimal")
    queryset, order = filtered_services(request, locale)
    total, rows = ordered_page(with_relations(queryset, full and not minimal), order, paging)
    if minimal:
        contents = [
            {"id": str(row.translation_key), "last_modified": row.last_published_at.isoformat()}
            for row in rows
        ]
        return paging.envelope(total, contents)
    context = context_for(request, locale)
    context.load_partners(rows)
    return paging.envelope(total, [mapping.service(row, context, full=full) for row in rows])


@api_view
def service_detail(request, locale, id):
    row = with_relations(shown_services(locale), True).filter(translation_key=parse_uuid(id))
    row = row.first()
    if row is None:
        raise NotFound
    context = context_for(request, locale)
    context.load_partners([row])
    return mapping.service(row, context, full=True)


@api_view
def organizations(request, locale):
    paging = Paging.from_request(request)
    full = bool_param(request, "full")
    partners = shown_partners(locale)
    if text := request.GET.get("search", "").strip():
        partners = partners.filter(title__icontains=text[:200])
    total, rows = page_of(partners.order_by("title", "pk"), paging)
    context = context_for(request, locale)
    return paging.envelope(total, [mapping.organization(row, context, full=full) for row in rows])


@api_view
def organization_detail(request, locale, id):
    partner = shown_partners(locale).filter(translation_key=parse_uuid(id)).first()
    if partner is None:
        raise NotFound
    context = context_for(request, locale)
    data = mapping.organization(partner, context, full=True)
    below = partner.in_any_version(children_only=True)
    services = list(shown_services(locale).filter(below).order_by("title_key", "pk"))
    context.partners.update({service.path[: -ServicePage.steplen]: partner for service in services})
    data["services"] = [mapping.service(service, context) for service in services]
    return data


@api_view
def service_at_locations(request, locale):
    paging = Paging.from_request(request)
    full = bool_param(request, "full")
    services, order = filtered_services(request, locale)
    locations = (
        ServiceLocation.objects.filter(page__in=services.values("pk"))
        .select_related("page", "page__locale")
        .order_by("page__title_key", "page_id", "sort_order", "pk")
    )
    total, rows = page_of(locations, paging)
    pages = {row.page_id: row.page for row in rows}
    if full:
        loaded = with_relations(ServicePage.objects.filter(pk__in=pages), True)
        pages = {page.pk: page for page in loaded.select_related("locale")}
    context = context_for(request, locale)
    context.load_partners(pages.values())
    contents = [
        mapping.service_at_location(row, pages[row.page_id], context, with_service=True, full=full)
        for row in rows
    ]
    return paging.envelope(total, contents)


@api_view
def service_at_location_detail(request, locale, id):
    row = (
        ServiceLocation.objects.filter(
            hsds_id=parse_uuid(id), page__in=shown_services(locale).values("pk")
        )
        .select_related("page", "page__locale")
        .first()
    )
    if row is None:
        raise NotFound
    page = with_relations(ServicePage.objects.filter(pk=row.page_id), True).get()
    context = context_for(request, locale)
    context.load_partners([page])
    return mapping.service_at_location(row, page, context, with_service=True, full=True)


@api_view
def taxonomies(request, locale):
    paging = Paging.from_request(request)
    items = [mapping.taxonomy(info) for info in mapping.TAXONOMIES]
    return paging.envelope(len(items), items[paging.offset : paging.offset + paging.per_page])


@api_view
def taxonomy_detail(request, locale, id):
    info = mapping.TAXONOMY_BY_ID.get(str(parse_uuid(id)))
    if info is None:
        raise NotFound
    return mapping.taxonomy(info)


def terms_in(locale: Locale, taxonomy_id: uuid.UUID | None):
    context = mapping.Context(locale=locale)
    context.load_terms()
    terms = sorted(
        context.terms.values(),
        key=lambda term: (term.hsds_taxonomy.key, term.sort_order, term.name),
    )
    if taxonomy_id is not None:
        if str(taxonomy_id) not in mapping.TAXONOMY_BY_ID:
            raise BadRequest("taxonomy_id", "No taxonomy with this id.")
        terms = [term for term in terms if term.hsds_taxonomy.id == str(taxonomy_id)]
    return context, terms


@api_view
def taxonomy_terms(request, locale):
    paging = Paging.from_request(request)
    context, terms = terms_in(locale, uuid_param(request, "taxonomy_id"))
    if text := request.GET.get("search", "").strip().lower():
        terms = [term for term in terms if text in term.name.lower()]
    chosen = terms[paging.offset : paging.offset + paging.per_page]
    return paging.envelope(len(terms), [mapping.taxonomy_term(t, context) for t in chosen])


@api_view
def taxonomy_term_detail(request, locale, id):
    context, terms = terms_in(locale, None)
    term = context.terms.get(parse_uuid(id))
    if term is None:
        raise NotFound
    return mapping.taxonomy_term(term, context)
