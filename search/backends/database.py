"""The embedded backend: Wagtail's database search for words (SQLite FTS5 or
PostgreSQL full text), the ORM for filters, ordering and facet counts, and
Python only for the last step of distance (haversine on a bounding box)."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Length, Lower, Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Locale

from directory.languages import with_dutch_fallback
from directory.models import (
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceLocation,
    ServicePage,
    WijkPage,
)

from ..geocoding import Point
from ..query import (
    Hit,
    ServiceQuery,
    ServiceSearchResults,
    clamp_page,
    page_of_hits,
    search_terms,
)

ORM_FILTERS = {
    "themes": "themes__slug__in",
    "audiences": "audiences__slug__in",
    "languages": "languages__code__in",
    "costs": "cost__in",
    "accesses": "access__in",
}
FACET_PATHS = {
    "themes": "themes__slug",
    "audiences": "audiences__slug",
    "languages": "languages__code",
    "costs": "cost",
    "accesses": "access",
}
KM_PER_DEGREE_LATITUDE = 111.2


def with_partner_path(queryset: QuerySet) -> QuerySet:
    """Annotate each service with its partner's tree path (its parent)."""
    return queryset.annotate(partner_path=Substr("path", 1, Length("path") - ServicePage.steplen))


def filtered(base: QuerySet, query: ServiceQuery) -> QuerySet:
    """``base`` narrowed by every filter that is a plain ORM lookup.

    Many-to-many lookups can repeat a row; callers deduplicate with
    ``base.filter(pk__in=filtered(...).values("pk"))``.
    """
    for name, lookup in ORM_FILTERS.items():
        values = getattr(query, name)
        if values:
            base = base.filter(**{lookup: values})
    if query.wijk:
        base = base.filter(
            Q(wijken__cbs_code=query.wijk) | Q(municipalities__wijken__cbs_code=query.wijk)
        )
    if query.partner_types:
        partner_paths = PartnerPage.objects.filter(partner_type__in=query.partner_types).values(
            "path"
        )
        base = with_partner_path(base).filter(partner_path__in=partner_paths)
    return base


def open_at(moment) -> Q:
    """Services open at ``moment``, by the same rules as ``ServicePage.is_open_at``."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day, now = local.date(), local.time()
    weekly = OpeningHours.objects.filter(
        weekday=day.weekday(), opens__lte=now, closes__gt=now
    ).values("page_id")
    exceptions_today = OpeningHoursException.objects.filter(start_date__lte=day, end_date__gte=day)
    open_exceptionally = exceptions_today.filter(
        closed=False, opens__lte=now, closes__gt=now
    ).values("page_id")
    return ~Q(status="temporarily_closed") & (
        (Q(pk__in=weekly) & ~Q(pk__in=exceptions_today.values("page_id")))
        | Q(pk__in=open_exceptionally)
    )


def nearest_distances(
    services: QuerySet, point: Point, radius_km: float | None
) -> dict[int, float]:
    """Distance in km from ``point`` to the nearest location of each service,
    for services with a location inside the radius (all, without a radius)."""
    locations = ServiceLocation.objects.filter(page__in=services.values("pk"))
    if radius_km:
        dlat = radius_km / KM_PER_DEGREE_LATITUDE
        dlon = dlat / max(math.cos(math.radians(point.latitude)), 0.01)
        locations = locations.filter(
            latitude__range=(point.latitude - dlat, point.latitude + dlat),
            longitude__range=(point.longitude - dlon, point.longitude + dlon),
        )
    nearest: dict[int, float] = {}
    for page_id, latitude, longitude in locations.values_list("page_id", "latitude", "longitude"):
        distance = point.distance_km(Point(latitude, longitude))
        if distance < nearest.get(page_id, math.inf) and (not radius_km or distance <= radius_km):
            nearest[page_id] = distance
    return nearest


def highlight(text: str, terms: list[str]) -> str:
    """``text`` escaped, with words that start with a search term in <mark>."""
    escaped = escape(text)
    words = [re.escape(term) for term in terms if len(term) > 1]
    if not words:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile(rf"(?<![&#\w])((?:{'|'.join(words)})\w*)", re.IGNORECASE)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))  # noqa: S308 - escaped above


class DatabaseBackend:
    name = "database"

    def search(
        self, query: ServiceQuery, locale: Locale, page_number, per_page: int
    ) -> ServiceSearchResults:
        live = ServicePage.objects.shown()
        base = with_dutch_fallback(live, locale)
        terms = search_terms(query.text).split()
        matched, some_words = self._text_matches(live, locale, terms)

        # Restrictions that are not facets apply to the results and to every facet.
        restrict = Q()
        if matched is not None:
            restrict &= Q(pk__in=matched)
        if query.open_at:
            restrict &= open_at(query.open_at)
        distances: dict[int, float] = {}
        if query.point:
            distances = nearest_distances(
                base.filter(pk__in=filtered(base, query).filter(restrict).values("pk")),
                query.point,
                query.radius_km,
            )
            if query.radius_km:
                restrict &= Q(pk__in=list(distances))

        results = base.filter(pk__in=filtered(base, query).filter(restrict).values("pk"))
        total = results.count()
        number = clamp_page(page_number, total, per_page)
        window = self._window(results, query, matched, distances, number, per_page)

        services = ServicePage.objects.filter(pk__in=window).prefetch_related(
            "themes", "languages", "locations"
        )
        by_pk = {service.pk: service for service in services}
        hits = [
            Hit(
                service=by_pk[pk],
                highlight=highlight(by_pk[pk].summary, terms) if terms else "",
                distance_km=distances.get(pk),
            )
            for pk in window
        ]
        return ServiceSearchResults(
            query=query,
            page=page_of_hits(hits, total, number, per_page),
            total=total,
            facets=self._facets(base, query, restrict),
            matched_some_words=some_words,
            backend=self.name,
        )

    def suggest(self, text: str, locale: Locale, limit: int) -> list[ServicePage]:
        words = search_terms(text)
        if not words:
            return []
        base = ServicePage.objects.shown().filter(locale=locale)
        return list(base.autocomplete(words)[:limit])

    @staticmethod
    def _text_matches(
        live: QuerySet, locale: Locale, terms: list[str]
    ) -> tuple[list[int] | None, bool]:
        """Ids matching the words, best first: all words if any service has them all.

        Pages in the visitor's language come first, then the Dutch ones (the
        fallback filter later drops Dutch pages that have a translation).
        """
        if not terms:
            return None, False
        text = " ".join(terms)
        locales = [locale] if locale == Locale.get_default() else [locale, Locale.get_default()]

        def matching(operator: str) -> list[int]:
            return [
                page.pk
                for in_locale in locales
                for page in live.filter(locale=in_locale).search(text, operator=operator)
            ]

        ids = matching("and")
        if ids or len(terms) < 2:
            return ids, False
        return matching("or"), True

    @staticmethod
    def _window(results, query, matched, distances, number, per_page) -> list[int]:
        """The ids on page ``number``, in the query's order."""
        start, stop = (number - 1) * per_page, number * per_page
        sort = query.effective_sort
        if sort == "relevance" and matched is not None:
            present = set(results.values_list("pk", flat=True))
            return [pk for pk in matched if pk in present][start:stop]
        if sort == "distance":
            rows = list(results.values_list("pk", "title"))
            rows.sort(key=lambda row: (distances.get(row[0], math.inf), row[1].lower(), row[0]))
            return [row[0] for row in rows[start:stop]]
        order = [Lower("title"), "pk"]
        if sort == "verified":
            order.insert(0, F("last_verified").desc())
        return list(results.order_by(*order).values_list("pk", flat=True)[start:stop])

    @staticmethod
    def _facets(base: QuerySet, query: ServiceQuery, restrict: Q):
        def scoped(facet: str) -> QuerySet:
            return base.filter(
                pk__in=filtered(base, query.without(facet)).filter(restrict).values("pk")
            )

        def grouped(queryset: QuerySet, path: str) -> dict:
            # order_by() clears Page's default ordering, which would split the groups.
            rows = queryset.order_by().values_list(path).annotate(n=Count("pk", distinct=True))
            return {value: n for value, n in rows if value is not None and value != ""}

        counts = {facet: grouped(scoped(facet), path) for facet, path in FACET_PATHS.items()}

        partner_types = dict(PartnerPage.objects.values_list("path", "partner_type"))
        per_type: dict[str, int] = defaultdict(int)
        for partner_path, n in grouped(
            with_partner_path(scoped("partner_types")), "partner_path"
        ).items():
            if partner_path in partner_types:
                per_type[partner_types[partner_path]] += n
        counts["partner_types"] = dict(per_type)

        # A service serves a wijk directly or through its whole municipality:
        # |direct ∪ municipal| = |direct| + |municipal| - |both|.
        in_scope = scoped("wijk")
        direct = grouped(in_scope, "wijken__cbs_code")
        municipal = grouped(in_scope, "municipalities")
        citywide = in_scope.filter(municipalities__isnull=False)
        serves_municipality = set(citywide.values_list("pk", "municipalities"))
        both: dict[str, int] = defaultdict(int)
        for pk, code, municipality in citywide.values_list(
            "pk", "wijken__cbs_code", "wijken__municipality_id"
        ).distinct():
            if code and (pk, municipality) in serves_municipality:
                both[code] += 1
        wijk_municipality = dict(
            WijkPage.objects.values_list("cbs_code", "municipality_id").distinct()
        )
        counts["wijk"] = {
            code: n
            for code, municipality in wijk_municipality.items()
            if (n := direct.get(code, 0) + municipal.get(municipality, 0) - both.get(code, 0))
        }
        return counts
