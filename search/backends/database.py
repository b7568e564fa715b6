"""The embedded backend: Wagtail's database search for words (SQLite FTS5 or
PostgreSQL full text), the ORM for filters, distance, ordering and facet counts.

Everything stays in the database until the page window is known: the words,
the filters and the radius are subqueries of one id set, ordering and slicing
happen in SQL, and only the services on the page are loaded.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ASin, Cos, Length, Lower, Power, Radians, Sin, Sqrt, Substr
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
from directory.models.service import serves_wijk

from ..geocoding import EARTH_RADIUS_KM, Point
from ..query import (
    FACETS,
    Hit,
    ServiceQuery,
    ServiceSearchResults,
    clamp_page,
    page_of_hits,
    search_terms,
)

# Many-to-many facets: the relation on ServicePage and the field of the term.
RELATED_FACETS = {
    "themes": ("themes", "slug"),
    "audiences": ("audiences", "slug"),
    "languages": ("languages", "code"),
}
FIELD_FACETS = {"costs": "cost", "accesses": "access"}
KM_PER_DEGREE_LATITUDE = 111.2


def _through(relation: str):
    """The through model of a many-to-many relation, with the names of its two keys."""
    field = ServicePage._meta.get_field(relation)
    return field.remote_field.through, field.m2m_field_name(), field.m2m_reverse_field_name()


def facet_filter(query: ServiceQuery, facet: str) -> Q | None:
    """The condition one facet of ``query`` puts on services, or None when unset.

    Many-to-many conditions are EXISTS subqueries, not joins, so a service
    never appears twice and the id set needs no DISTINCT.
    """
    values = getattr(query, facet)
    if not values:
        return None
    if facet in RELATED_FACETS:
        through, own, other = _through(RELATED_FACETS[facet][0])
        lookup = f"{other}__{RELATED_FACETS[facet][1]}__in"
        return Q(Exists(through.objects.filter(**{own: OuterRef("pk"), lookup: values})))
    if facet in FIELD_FACETS:
        return Q(**{f"{FIELD_FACETS[facet]}__in": values})
    if facet == "wijk":
        return serves_wijk(values)
    if facet == "partner_types":
        partners = PartnerPage.objects.filter(
            partner_type__in=values,
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - ServicePage.steplen),
        )
        return Q(Exists(partners))
    raise ValueError(facet)


def filtered(base: QuerySet, query: ServiceQuery) -> QuerySet:
    """``base`` narrowed by every facet of ``query``."""
    conditions = [q for facet in FACETS if (q := facet_filter(query, facet)) is not None]
    return base.filter(*conditions)


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


def distance_km(point: Point, prefix: str = "") -> Expression:
    """SQL for ``Point.distance_km`` from ``point`` to the row's coordinates."""
    latitude = Radians(F(f"{prefix}latitude"))
    half_dlat = (latitude - math.radians(point.latitude)) / 2
    half_dlon = (Radians(F(f"{prefix}longitude")) - math.radians(point.longitude)) / 2
    a = Power(Sin(half_dlat), 2) + math.cos(math.radians(point.latitude)) * Cos(latitude) * Power(
        Sin(half_dlon), 2
    )
    return Value(EARTH_RADIUS_KM * 2, output_field=FloatField()) * ASin(Sqrt(a))


def locations_near(point: Point, radius_km: float | None) -> QuerySet:
    """Locations, within ``radius_km`` of ``point`` when given. A bounding box
    on the coordinates comes first, so the haversine runs only inside it."""
    locations = ServiceLocation.objects.all()
    if radius_km:
        dlat = radius_km / KM_PER_DEGREE_LATITUDE
        dlon = dlat / max(math.cos(math.radians(point.latitude)), 0.01)
        locations = locations.filter(
            latitude__range=(point.latitude - dlat, point.latitude + dlat),
            longitude__range=(point.longitude - dlon, point.longitude + dlon),
        )
        locations = locations.annotate(km=distance_km(point)).filter(km__lte=radius_km)
    return locations


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
        if query.open_at:
            restrict &= open_at(query.open_at)
        if query.point and query.radius_km:
            near = locations_near(query.point, query.radius_km)
            restrict &= Q(pk__in=near.values("page_id"))
        unranked = filtered(base, query).filter(restrict)
        if matched is not None:
            restrict &= Q(pk__in=matched.values("pk"))

        # Facet filters are flags of the scope, not conditions on it.
        scope = base.filter(restrict)
        total, facets = self._facets(scope, query)
        results = filtered(scope, query)
        number = clamp_page(page_number, total, per_page)
        if query.effective_sort == "relevance" and matched is not None:
            window = self._by_relevance(matched, unranked, locale, number, per_page)
        else:
            window = self._window(results, query, number, per_page)

        services = ServicePage.objects.filter(pk__in=window).for_cards(
            locations=query.point is not None
        )
        by_pk = {service.pk: service for service in services}
        hits = [
            Hit(
                service=by_pk[pk],
                highlight=highlight(by_pk[pk].summary, terms) if terms else "",
                distance_km=query.point.nearest_km(by_pk[pk].locations.all())
                if query.point
                else None,
            )
            for pk in window
        ]
        return ServiceSearchResults(
            query=query,
            page=page_of_hits(hits, total, number, per_page),
            total=total,
            facets=facets,
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
    ) -> tuple[QuerySet | None, bool]:
        """Services matching the words, ordered by relevance: all words if any
        service has them all. A queryset, so the database never sends the ids
        of every match to Python.

        Pages in the visitor's language and Dutch pages match (the fallback
        filter later drops Dutch pages that have a translation).
        """
        if not terms:
            return None, False
        text = " ".join(terms)
        locales = {locale.pk, Locale.get_default().pk}
        in_locales = live.filter(locale__in=locales)

        def matching(operator: str) -> QuerySet:
            return in_locales.search(text, operator=operator).get_queryset()

        matches = matching("and")
        if len(terms) < 2 or matches.exists():
            return matches, False
        return matching("or"), True

    @staticmethod
    def _by_relevance(matched, unranked, locale, number, per_page) -> list[int]:
        """The ids on page ``number`` by relevance: pages in her language first,
        then Dutch ones, each best first. The database ranks only the matches
        that pass the filters."""
        own_first = Case(When(locale=locale, then=Value(0)), default=Value(1))
        ranked = (
            matched.filter(pk__in=unranked.values("pk"))
            .annotate(own_first=own_first)
            .order_by("own_first", *matched.query.order_by)
        )
        start = (number - 1) * per_page
        return list(ranked.values_list("pk", flat=True)[start : start + per_page])

    @staticmethod
    def _window(results, query, number, per_page) -> list[int]:
        """The ids on page ``number``, in the query's order."""
        start, stop = (number - 1) * per_page, number * per_page
        sort = query.effective_sort
        if sort == "distance":
            return DatabaseBackend._by_distance(results, query, start, stop)
        order = [Lower("title"), "pk"]
        if sort == "verified":
            order.insert(0, F("last_verified").desc())
        return list(results.order_by(*order).values_list("pk", flat=True)[start:stop])

    @staticmethod
    def _by_distance(results: QuerySet, query: ServiceQuery, start: int, stop: int) -> list[int]:
        """Nearest first (then by title), services without a location last."""
        nearest = (
            locations_near(query.point, query.radius_km)
            .filter(page__in=results.values("pk"))
            .values("page_id")
            .annotate(nearest=Min(distance_km(query.point)))
            .order_by("nearest", Lower("page__title"), "page_id")
        )
        window = list(nearest.values_list("page_id", flat=True)[start:stop])
        if len(window) == stop - start or query.radius_km:
            # With a radius every result has a location inside it.
            return window
        located = nearest.count()
        unlocated = results.exclude(Exists(ServiceLocation.objects.filter(page=OuterRef("pk"))))
        rest = unlocated.order_by(Lower("title"), "pk").values_list("pk", flat=True)
        offset = max(start - located, 0)
        return window + list(rest[offset : offset + stop - start - len(window)])

    @staticmethod
    def _facets(results: QuerySet, query: ServiceQuery) -> tuple[int, dict]:
        """The total and the counts per facet value, each facet counted without
        its own filter, in one statement.

        The services that pass the words, ``open_at`` and the radius are read
        once into a materialised table, with a flag per chosen facet saying
        whether the service passes it; every count is a GROUP BY over that
        table, restricted by the flags of the other facets. Many-to-many
        facets count rows of the through tables, which hold each pair once.
        """
        active = [facet for facet in FACETS if facet_filter(query, facet) is not None]
        flags = {
            f"f_{facet}": ExpressionWrapper(facet_filter(query, facet), BooleanField())
            for facet in active
        }
        scope = (
            results.annotate(
                s_id=F("pk"),
                s_path=F("path"),
                s_cost=F("cost"),
                s_access=F("access"),
                **flags,
            )
            .order_by()
            .values("s_id", "s_path", "s_cost", "s_access", *flags)
        )
        scope_sql, params = scope.query.sql_with_params()
        # The SQL below is built from model metadata and constants only; every
        # value from the query is a parameter of scope_sql.

        def where(facet: str | None) -> str:
            others = [f"s.f_{other}" for other in active if other != facet]
            return f"WHERE {' AND '.join(others)}" if others else ""

        def through(relation: str, column: str, facet: str, label: str) -> str:
            field = ServicePage._meta.get_field(relation)
            table = field.remote_field.through._meta.db_table
            own, other = field.m2m_column_name(), field.m2m_reverse_name()
            related = field.related_model._meta
            return (
                f"SELECT '{label}', CAST(t.{column} AS TEXT), COUNT(DISTINCT x.{own}) "  # noqa: S608
                f"FROM {table} x JOIN s ON s.id = x.{own} "
                f"JOIN {related.db_table} t ON t.{related.pk.column} = x.{other} "
                f"{where(facet)} GROUP BY t.{column}"
            )

        parts = [f"SELECT 'total', '', COUNT(*) FROM s {where(None)}"]  # noqa: S608
        for facet, (relation, field) in RELATED_FACETS.items():
            parts.append(through(relation, field, facet, facet))
        for facet, column in (("costs", "cost"), ("accesses", "access")):
            parts.append(
                f"SELECT '{facet}', s.{column}, COUNT(*) "  # noqa: S608
                f"FROM s {where(facet)} GROUP BY s.{column}"
            )
        parts.append(
            "SELECT 'partner', SUBSTR(s.path, 1, LENGTH(s.path) - "  # noqa: S608
            f"{ServicePage.steplen}), COUNT(*) FROM s {where('partner_types')} GROUP BY 2"
        )
        parts.append(through("wijken", "cbs_code", "wijk", "wijk"))
        parts.append(through("municipalities", "id", "wijk", "municipality"))
        # Services that serve a wijk directly and also its whole municipality,
        # so |direct ∪ municipal| = |direct| + |municipal| - |both|.
        wijken = ServicePage._meta.get_field("wijken")
        municipalities = ServicePage._meta.get_field("municipalities")
        wijk = WijkPage._meta
        parts.append(
            f"SELECT 'both', w.cbs_code, COUNT(DISTINCT x.{wijken.m2m_column_name()}) "  # noqa: S608
            f"FROM {wijken.remote_field.through._meta.db_table} x "
            f"JOIN s ON s.id = x.{wijken.m2m_column_name()} "
            f"JOIN {wijk.db_table} w ON w.{wijk.pk.column} = x.{wijken.m2m_reverse_name()} "
            f"JOIN {municipalities.remote_field.through._meta.db_table} m "
            f"ON m.{municipalities.m2m_column_name()} = x.{wijken.m2m_column_name()} "
            f"AND m.{municipalities.m2m_reverse_name()} = w.municipality_id "
            f"{where('wijk')} GROUP BY w.cbs_code"
        )
        sql = (
            f"WITH s (id, path, cost, access{''.join(', ' + name for name in flags)}) "
            f"AS MATERIALIZED ({scope_sql}) " + " UNION ALL ".join(parts)
        )
        rows: dict[str, dict] = defaultdict(dict)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for label, value, n in cursor.fetchall():
                if value is not None and value != "":
                    rows[label][value] = n
                elif label == "total":
                    rows[label][""] = n

        counts = {facet: rows[facet] for facet in (*RELATED_FACETS, *FIELD_FACETS)}
        partner_types = dict(PartnerPage.objects.values_list("path", "partner_type"))
        per_type: dict[str, int] = defaultdict(int)
        for partner_path, n in rows["partner"].items():
            if partner_path in partner_types:
                per_type[partner_types[partner_path]] += n
        counts["partner_types"] = dict(per_type)
        wijk_municipality = dict(
            WijkPage.objects.values_list("cbs_code", "municipality_id").distinct()
        )
        municipal = rows["municipality"]
        counts["wijk"] = {
            code: n
            for code, municipality in wijk_municipality.items()
            if (
                n := rows["wijk"].get(code, 0)
                + municipal.get(str(municipality), 0)
                - rows["both"].get(code, 0)
            )
        }
        return rows["total"].get("", 0), counts
