"""The embedded backend: Wagtail's database search for words (SQLite FTS5 or
PostgreSQL full text), the ORM for filters, distance, ordering and facet counts.

Filters, counts and ordering read ``ServiceRow``, a narrow copy of the shown
services, not Wagtail's page table. Everything stays in the database until the
page window is known: the words, the filters and the radius are conditions on
those rows, ordering and slicing happen in SQL, and only the services on the
page are loaded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import ASin, Cos, Lower, Power, Radians, Sin, Sqrt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Locale

from directory.languages import with_dutch_fallback
from directory.models import (
    FacetBit,
    OpeningHours,
    OpeningHoursException,
    ServiceLocation,
    ServicePage,
    WijkPage,
)
from directory.models.facets import MASKED_FACETS, has_bit, mask

from ..geocoding import EARTH_RADIUS_KM, Point
from ..models import ServiceRow
from ..query import (
    FACETS,
    NEAREST_FIRST_KM,
    Hit,
    ServiceQuery,
    ServiceSearchResults,
    clamp_page,
    page_of_hits,
    search_terms,
)
from .fulltext import ranked_matches

# Facets of many values, by the mask column that holds them (see directory/models/facets.py).
MASK_FACETS = {facet: MASKED_FACETS[facet][2] for facet in ("themes", "audiences", "languages")}
# Facets of one value per service, by its column.
FIELD_FACETS = {"costs": "cost", "accesses": "access", "partner_types": "partner_type"}
KM_PER_DEGREE_LATITUDE = 111.2
# Sorting by distance tries these radii before the whole one. The engine needs
# only the last (its geo index finds the close ones fast); the database reads
# every location in a bounding box, so it starts smaller.
CLOSE_BY_KM = (NEAREST_FIRST_KM / 4, NEAREST_FIRST_KM)


@dataclass
class Vocabulary:
    """The bit of every facet value, and the municipality of every wijk: what
    turns a query's values into bit tests. Two small queries per search."""

    bits: dict[str, dict[str, int]]
    municipality_of: dict[str, str]

    @classmethod
    def load(cls) -> Vocabulary:
        bits: dict[str, dict[str, int]] = {facet: {} for facet in MASKED_FACETS}
        for facet, value, bit in FacetBit.objects.values_list("facet", "value", "bit"):
            bits[facet][value] = bit
        municipality_of = dict(
            WijkPage.objects.values_list("cbs_code", "municipality__cbs_code").distinct()
        )
        return cls(bits, municipality_of)

    def wijk_bits(self, code: str) -> tuple[int, int]:
        """The bits of the wijk ``code`` and of its municipality: a service
        serves the wijk when it has either."""
        wijk = mask(self.bits["wijken"], [code])
        return wijk, mask(self.bits["municipalities"], [self.municipality_of.get(code, "")])

    def serves_wijk(self, code: str) -> Q:
        """Services that serve the wijk ``code`` or its whole municipality."""
        wijk, municipality = self.wijk_bits(code)
        return _any_bit("wijk_mask", wijk) | _any_bit("municipality_mask", municipality)


class CountWhere(Aggregate):
    """``COUNT(*) FILTER (WHERE condition)``, from SQL written once per facet
    value. Django resolving a ``Count(filter=Q(...))`` for each of some 70
    values took about 40 ms a search. The conditions name search-row columns
    and bit masks the vocabulary made, never visitor input."""

    def __init__(self, condition: str, *params):
        super().__init__(output_field=IntegerField())
        self.condition, self.params = condition, params

    @staticmethod
    def column(name: str) -> str:
        quote = connection.ops.quote_name
        return f"{quote(ServiceRow._meta.db_table)}.{quote(name)}"

    def as_sql(self, compiler, connection, **extra_context):
        return f"COUNT(*) FILTER (WHERE {self.condition})", self.params


def _any_bit(column: str, bits: int) -> Q:
    # A value no service has ever had has no bit: nothing matches it.
    return has_bit(column, bits) if bits else Q(pk__in=[])


def facet_filter(query: ServiceQuery, facet: str, vocabulary: Vocabulary) -> Q | None:
    """The condition one facet of ``query`` puts on services, or None when unset."""
    values = getattr(query, facet)
    if not values:
        return None
    if facet in MASK_FACETS:
        return _any_bit(MASK_FACETS[facet], mask(vocabulary.bits[facet], values))
    if facet in FIELD_FACETS:
        return Q(**{f"{FIELD_FACETS[facet]}__in": values})
    if facet == "wijk":
        return vocabulary.serves_wijk(values)
    raise ValueError(facet)


def among(ids: list[int]) -> Q:
    """Services whose id is in ``ids``, the ids the words matched. Written into
    the SQL, so the text search is not run again for the counts and the page:
    PostgreSQL gets one array literal (Django prepared a 15,000-element array
    parameter element by element: 150 ms), SQLite a list of numbers (it
    limits the number of parameters, and its FTS5 search took 150 ms a run at
    1,000 services)."""
    numbers = ",".join(str(int(pk)) for pk in ids)
    if connection.vendor == "postgresql":
        any_of = Func(
            F("pk"),
            Value(f"{{{numbers}}}"),
            template="%(expressions)s::bigint[])",
            arg_joiner=" = ANY(",
            output_field=BooleanField(),
        )
    else:
        any_of = Func(
            F("pk"),
            template=f"%(expressions)s IN ({numbers or 'NULL'})",
            output_field=BooleanField(),
        )
    return Q(any_of)


def fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset, straight from the cursor.
    Django's iterator costs about 4 µs a row: 70 ms for the 17,000 matches of
    a common word at 100,000 services."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def filtered(base: QuerySet, query: ServiceQuery, vocabulary: Vocabulary) -> QuerySet:
    """``base`` narrowed by every facet of ``query``."""
    conditions = [
        q for facet in FACETS if (q := facet_filter(query, facet, vocabulary)) is not None
    ]
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
        base = with_dutch_fallback(ServiceRow.objects.shown(), locale)
        terms = search_terms(query.text).split()
        ranked, some_words = self._text_matches(terms)

        # Restrictions that are not facets apply to the results and to every facet.
        restrict = Q()
        if query.open_at:
            restrict &= open_at(query.open_at)
        if query.point and query.radius_km:
            near = locations_near(query.point, query.radius_km)
            restrict &= Q(pk__in=near.values("page_id"))
        vocabulary = Vocabulary.load()
        if ranked is not None:
            # The words are matched and ranked once; the counts and the page
            # of results reuse the ids.
            restrict &= among(ranked)

        # Facet filters are flags of the scope, not conditions on it.
        scope = base.filter(restrict)
        total, facets = self._facets(scope, query, vocabulary)
        results = filtered(scope, query, vocabulary)
        number = clamp_page(page_number, total, per_page)
        if query.effective_sort == "relevance" and ranked is not None:
            window = self._by_relevance(ranked, results, locale, number, per_page)
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
    def _text_matches(terms: list[str]) -> tuple[list[int] | None, bool]:
        """The ids of the services matching the words, best first: all words
        if any service has them all.

        Every service in every language is matched: the search rows decide
        which are shown (live, public, in her language or the Dutch
        fallback)."""
        if not terms:
            return None, False
        text = " ".join(terms)
        ranked = [pk for pk, *_rest in fetch(ranked_matches(text, "and"))]
        if ranked or len(terms) < 2:
            return ranked, False
        return [pk for pk, *_rest in fetch(ranked_matches(text, "or"))], True

    @staticmethod
    def _by_relevance(ranked, results, locale, number, per_page) -> list[int]:
        """The ids on page ``number`` by relevance: pages in her language first,
        then Dutch ones, each best first."""
        passing = dict(fetch(results.values_list("pk", "locale_id")))
        own = [pk for pk in ranked if passing.get(pk) == locale.pk]
        dutch = [pk for pk in ranked if pk in passing and passing[pk] != locale.pk]
        start = (number - 1) * per_page
        return (own + dutch)[start : start + per_page]

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
        """Nearest first (then by title), services without a location last.

        Ordering every location in a 5 km radius takes half a second at 100k
        services, so it looks close by first: when enough services lie within
        one of ``CLOSE_BY_KM``, the nearest ones are all among them and the
        page is the same. Only then is the whole radius ordered."""
        for km in CLOSE_BY_KM:
            if query.radius_km and query.radius_km <= km:
                break
            near = locations_near(query.point, km)
            closest = (
                near.filter(page=OuterRef("pk"))
                .values("page")
                .annotate(km=Min(distance_km(query.point)))
                .values("km")
            )
            close = (
                results.filter(pk__in=near.values("page_id"))
                .annotate(nearest=Subquery(closest))
                .order_by("nearest", Lower("title"), "pk")
                .values_list("pk", flat=True)
            )
            window = list(close[start:stop])
            if len(window) == stop - start:
                return window

        within = (
            locations_near(query.point, query.radius_km)
            .filter(page__in=results.values("pk"))
            .values("page_id")
            .annotate(nearest=Min(distance_km(query.point)))
            .order_by("nearest", Lower("page__title"), "page_id")
        )
        window = list(within.values_list("page_id", flat=True)[start:stop])
        if len(window) == stop - start or query.radius_km:
            # With a radius every result has a location inside it.
            return window
        located = within.count()
        unlocated = results.exclude(Exists(ServiceLocation.objects.filter(page=OuterRef("pk"))))
        rest = unlocated.order_by(Lower("title"), "pk").values_list("pk", flat=True)
        offset = max(start - located, 0)
        return window + list(rest[offset : offset + stop - start - len(window)])

    @staticmethod
    def _facets(scope: QuerySet, query: ServiceQuery, vocabulary: Vocabulary) -> tuple[int, dict]:
        """The total and the counts per facet value, each facet counted without
        its own filter. Values are bit tests or plain columns of the search
        row, so no relation is joined.

        One pass over the services that pass every filter counts the total and
        the facets nobody filters on; each facet with a filter is counted in a
        pass of its own over the services that pass the other filters. (One
        pass with every filter repeated in every count took 8 µs per row.)"""
        active = {
            facet: condition
            for facet in FACETS
            if (condition := facet_filter(query, facet, vocabulary)) is not None
        }

        column = CountWhere.column
        counted: dict[str, list[tuple[str, CountWhere]]] = {facet: [] for facet in FACETS}
        for facet, mask_column in MASK_FACETS.items():
            for value, bit in vocabulary.bits[facet].items():
                counted[facet].append(
                    (value, CountWhere(f"({column(mask_column)} & {1 << bit}) <> 0"))
                )
        for facet, field_column in FIELD_FACETS.items():
            field = ServiceRow._meta.get_field(field_column)
            for value, _label in field.choices:
                counted[facet].append((value, CountWhere(f"{column(field_column)} = %s", value)))
        for code in vocabulary.municipality_of:
            wijk, whole = vocabulary.wijk_bits(code)
            serves = f"({column('wijk_mask')} & {wijk}) <> 0 OR ({column('municipality_mask')} & {whole}) <> 0"
            counted["wijk"].append((code, CountWhere(serves)))

        def count(rows: QuerySet, facets, total: bool = False) -> dict:
            aggregates = {"total": Count("pk")} if total else {}
            for facet in facets:
                for number, (_value, aggregate) in enumerate(counted[facet]):
                    aggregates[f"{facet}-{number}"] = aggregate
            return rows.order_by().aggregate(**aggregates)

        passes = [count(scope.filter(*active.values()), set(FACETS) - set(active), total=True)]
        for facet in active:
            others = [condition for name, condition in active.items() if name != facet]
            passes.append(count(scope.filter(*others), [facet]))

        counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for row in passes:
            for facet, values in counted.items():
                for number, (value, _condition) in enumerate(values):
                    if n := row.get(f"{facet}-{number}"):
                        counts[facet][value] = n
        return passes[0]["total"], counts
