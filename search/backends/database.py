"""The embedded backend: Wagtail's database search for words (SQLite FTS5 or
PostgreSQL full text), the ORM for filters and facet counts, Python for distance."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Locale

from directory.models import (
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceLocation,
    ServicePage,
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


def with_partner_path(queryset: QuerySet) -> QuerySet:
    """Annotate each service with its partner's tree path (its parent)."""
    return queryset.annotate(partner_path=Substr("path", 1, Length("path") - ServicePage.steplen))


def filtered(base: QuerySet, query: ServiceQuery) -> QuerySet:
    """``base`` narrowed by every filter the ORM can apply by itself."""
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


def open_service_ids(services: QuerySet, moment) -> set[int]:
    """Services open at ``moment``, by the same rules as ``ServicePage.is_open_at``."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day, now = local.date(), local.time()
    candidates = services.exclude(status="temporarily_closed").values("pk")
    weekly = set(
        OpeningHours.objects.filter(
            page__in=candidates, weekday=day.weekday(), opens__lte=now, closes__gt=now
        ).values_list("page_id", flat=True)
    )
    exceptions_today = OpeningHoursException.objects.filter(
        page__in=candidates, start_date__lte=day, end_date__gte=day
    )
    exceptional = set(exceptions_today.values_list("page_id", flat=True))
    open_exceptionally = set(
        exceptions_today.filter(closed=False, opens__lte=now, closes__gt=now).values_list(
            "page_id", flat=True
        )
    )
    return (weekly - exceptional) | open_exceptionally


def nearest_distances(service_ids, point: Point) -> dict[int, float]:
    """Distance in km from ``point`` to the nearest location of each service."""
    nearest: dict[int, float] = {}
    rows = ServiceLocation.objects.filter(page_id__in=service_ids).values_list(
        "page_id", "latitude", "longitude"
    )
    for page_id, latitude, longitude in rows:
        distance = point.distance_km(Point(latitude, longitude))
        if distance < nearest.get(page_id, math.inf):
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
        base = ServicePage.objects.live().public().filter(locale=locale)
        terms = search_terms(query.text).split()
        matched, some_words = self._text_matches(base, terms)

        restriction = None if matched is None else set(matched)
        if query.open_at:
            restriction = self._narrow(restriction, open_service_ids(base, query.open_at))
        distances: dict[int, float] = {}
        if query.point:
            scope = base if restriction is None else base.filter(pk__in=restriction)
            distances = nearest_distances(scope.values("pk"), query.point)
            if query.radius_km:
                inside = {pk for pk, km in distances.items() if km <= query.radius_km}
                restriction = self._narrow(restriction, inside)

        results = filtered(base, query)
        if restriction is not None:
            results = results.filter(pk__in=restriction)
        ordered = self._ordered(results, query, matched, distances)

        total = len(ordered)
        number = clamp_page(page_number, total, per_page)
        window = ordered[(number - 1) * per_page : number * per_page]
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
            facets=self._facets(base, query, restriction),
            matched_some_words=some_words,
            backend=self.name,
        )

    def suggest(self, text: str, locale: Locale, limit: int) -> list[ServicePage]:
        words = search_terms(text)
        if not words:
            return []
        base = ServicePage.objects.live().public().filter(locale=locale)
        return list(base.autocomplete(words)[:limit])

    @staticmethod
    def _narrow(restriction: set[int] | None, ids: set[int]) -> set[int]:
        return set(ids) if restriction is None else restriction & set(ids)

    @staticmethod
    def _text_matches(base: QuerySet, terms: list[str]) -> tuple[list[int] | None, bool]:
        """Ids matching the words, best first: all words if any service has them all."""
        if not terms:
            return None, False
        text = " ".join(terms)
        ids = [page.pk for page in base.search(text, operator="and")]
        if ids or len(terms) < 2:
            return ids, False
        return [page.pk for page in base.search(text, operator="or")], True

    @staticmethod
    def _ordered(results: QuerySet, query: ServiceQuery, matched, distances) -> list[int]:
        rows = list(results.order_by().values_list("pk", "title", "last_verified").distinct())
        sort = query.effective_sort
        if sort == "relevance" and matched is not None:
            rank = {pk: position for position, pk in enumerate(matched)}
            rows.sort(key=lambda row: rank.get(row[0], math.inf))
        elif sort == "distance":
            rows.sort(key=lambda row: (distances.get(row[0], math.inf), row[1].lower(), row[0]))
        elif sort == "verified":
            rows.sort(key=lambda row: (-row[2].toordinal(), row[1].lower(), row[0]))
        else:
            rows.sort(key=lambda row: (row[1].lower(), row[0]))
        return [row[0] for row in rows]

    @staticmethod
    def _facets(base: QuerySet, query: ServiceQuery, restriction) -> dict[str, dict[str, int]]:
        def scoped(facet: str) -> QuerySet:
            qs = filtered(base, query.without(facet))
            return qs if restriction is None else qs.filter(pk__in=restriction)

        counts: dict[str, dict[str, int]] = {}
        for facet, path in FACET_PATHS.items():
            # order_by() clears Page's default ordering, which would split the groups.
            rows = scoped(facet).order_by().values_list(path).annotate(n=Count("pk", distinct=True))
            counts[facet] = {value: n for value, n in rows if value}

        partner_types = dict(PartnerPage.objects.values_list("path", "partner_type"))
        per_type: dict[str, set[int]] = defaultdict(set)
        for pk, partner_path in with_partner_path(scoped("partner_types")).values_list(
            "pk", "partner_path"
        ):
            if partner_path in partner_types:
                per_type[partner_types[partner_path]].add(pk)
        counts["partner_types"] = {kind: len(pks) for kind, pks in per_type.items()}

        # A service serves a wijk directly or through its whole municipality.
        per_wijk: dict[str, set[int]] = defaultdict(set)
        in_scope = scoped("wijk")
        for path in ("wijken__cbs_code", "municipalities__wijken__cbs_code"):
            for code, pk in in_scope.values_list(path, "pk"):
                if code:
                    per_wijk[code].add(pk)
        counts["wijk"] = {code: len(pks) for code, pks in per_wijk.items()}
        return counts
