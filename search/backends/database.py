"""The embedded backend: Wagtail's database search for words (SQLite FTS5 or
PostgreSQL full text); filters, facet counts, distance and ordering over the
search rows of the shown services (``ServiceRow``), held in memory as arrays
(search/snapshot.py) and reloaded whenever they change.

The database answers what needs its indexes: which services have the words,
and which are open at a moment. Then the rows decide the rest without another
query, and only the services on the page are loaded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Locale

import numpy as np

from directory.choices import ServiceStatus
from directory.models import (
    OpeningHours,
    OpeningHoursException,
    ServiceLocation,
    ServicePage,
    WijkPage,
)
from directory.models.facets import CHANNELS, channel_value
from directory.models.service import hidden_before

from .. import snapshot
from ..analysis import AnalysedQuery, analyse_query
from ..query import (
    FACETS,
    Hit,
    ServiceQuery,
    ServiceSearchResults,
    clamp_page,
    page_of_hits,
    search_terms,
)
from ..snapshot import Snapshot, fetch
from .fulltext import matches

# Facets of many values (search/snapshot.py, FacetValues).
MANY_VALUED = ("themes", "audiences", "languages")
# Facets of one value per service, by its column.
FIELD_FACETS = {"costs": "cost", "accesses": "access", "partner_types": "partner_type"}


@dataclass
class Vocabulary:
    """The municipality of every wijk, read at each search: a wijk added to or
    moved between municipalities changes no search row, yet changes what the
    services of a whole municipality serve."""

    municipality_of: dict[str, str]

    @classmethod
    def load(cls) -> Vocabulary:
        municipality_of = dict(
            WijkPage.objects.values_list("cbs_code", "municipality__cbs_code").distinct()
        )
        return cls({wijk: municipality or "" for wijk, municipality in municipality_of.items()})


def facet_filter(
    rows: Snapshot, query: ServiceQuery, facet: str, vocabulary: Vocabulary
) -> np.ndarray | None:
    """The rows that pass one facet of ``query``, or None when it is unset.
    A value no service has lets nothing pass."""
    if facet == "languages":
        # The languages of the service, or of its channels of one kind.
        asked = query.language_values()
        return rows.having(*asked) if asked else None
    values = getattr(query, facet)
    if not values:
        return None
    if facet in MANY_VALUED:
        return rows.having(facet, values)
    if facet in FIELD_FACETS:
        return rows.one_of(FIELD_FACETS[facet], values)
    if facet == "wijk":
        # A service serves a wijk when it lists the wijk or its whole municipality.
        municipality = vocabulary.municipality_of.get(values, "")
        return rows.having("wijken", [values]) | rows.having("municipalities", [municipality])
    raise ValueError(facet)


def in_municipality(rows: Snapshot, code: str, vocabulary: Vocabulary) -> np.ndarray:
    """The rows of services for the whole municipality ``code`` or any of its wijken."""
    wijken = [
        wijk for wijk, municipality in vocabulary.municipality_of.items() if municipality == code
    ]
    return rows.having("municipalities", [code]) | rows.having("wijken", wijken)


def open_at(moment) -> list[int]:
    """The ids of the services whose hours say they are open at ``moment``
    (some more than once), by the rules of ``ServicePage.is_open_at`` (which
    also asks their status): open when any location is. An exception
    replaces the week's hours of its location that day, or of every location
    when it is for all; one for a location wins over one for all. The
    indexes on hours and exceptions answer it; the locations are read only
    for hours of one location."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day, now = local.date(), local.time()
    page = OuterRef("page_id")
    today = OpeningHoursException.objects.filter(start_date__lte=day, end_date__gte=day)
    for_all_today = today.filter(page_id=page, location_key__isnull=True)
    # Hours for one location count only for a location the page has.
    its_location = ServiceLocation.objects.filter(page_id=page, hsds_id=OuterRef("location_key"))
    # Hours for all locations hold somewhere unless every location of the
    # service has an exception of its own today. Those services are found
    # from today's exceptions, which are few; asked per service instead, the
    # planner read every location twice (130 ms at 100,000 services).
    untouched_location = ServiceLocation.objects.filter(page_id=page).exclude(
        Exists(today.filter(page_id=OuterRef("page_id"), location_key=OuterRef("hsds_id")))
    )
    all_excepted = (
        today.filter(location_key__isnull=False)
        .filter(Exists(ServiceLocation.objects.filter(page_id=page)))
        .exclude(Exists(untouched_location))
        .values("page_id")
    )
    somewhere_usual = ~Exists(for_all_today) & ~Q(page_id__in=all_excepted)
    weekly = OpeningHours.objects.filter(weekday=day.weekday(), opens__lte=now, closes__gt=now)
    weekly_for_one = weekly.filter(location_key__isnull=False).filter(
        Exists(its_location),
        ~Exists(today.filter(page_id=page, location_key=OuterRef("location_key"))),
        ~Exists(for_all_today),
    )
    weekly_for_all = weekly.filter(somewhere_usual, location_key__isnull=True)
    open_exceptionally = today.filter(closed=False, opens__lte=now, closes__gt=now)
    exception_for_one = open_exceptionally.filter(Exists(its_location), location_key__isnull=False)
    exception_for_all = open_exceptionally.filter(
        ~Q(page_id__in=all_excepted), location_key__isnull=True
    )
    # Unordered: a union allows no ORDER BY inside (hours are Orderable).
    # Each id once or more: setting aside the doubles cost PostgreSQL a third
    # of the query at 300,000 services, and a set of rows takes them as once.
    parts = [
        rows.order_by().values_list("page_id")
        for rows in (weekly_for_one, weekly_for_all, exception_for_one, exception_for_all)
    ]
    ids = parts[0].union(*parts[1:], all=True)
    return [pk for (pk,) in fetch(ids)]


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

    def search_many(
        self, queries: Sequence[ServiceQuery], locale: Locale, per_page: int
    ) -> list[ServiceSearchResults]:
        """One search each: in memory, a search costs no round trip to save.
        Without facets, as on the engine (``search.query.search_many``)."""
        return [self.search(query, locale, 1, per_page, facets=()) for query in queries]

    def search(
        self,
        query: ServiceQuery,
        locale: Locale,
        page_number,
        per_page: int,
        facets: Sequence[str] = FACETS,
    ) -> ServiceSearchResults:
        analysed = analyse_query(query.text, locale.language_code)
        terms = analysed.terms()
        ranked, some_words, covered = self._text_matches(analysed)
        rows = snapshot.current()
        wijken_asked = query.wijk or query.municipality or "wijk" in facets
        vocabulary = Vocabulary.load() if wijken_asked else Vocabulary({})

        # Restrictions that are not facets apply to the results and to every facet.
        scope = rows.shown(locale.pk, Locale.get_default().pk, hidden_before())
        if query.municipality:
            scope &= in_municipality(rows, query.municipality, vocabulary)
        if query.open_at:
            closed = rows.one_of("status", [ServiceStatus.TEMPORARILY_CLOSED])
            scope &= rows.among(open_at(query.open_at)) & ~closed
        nearest = rows.nearest_km(query.point) if query.point else None
        if nearest is not None and query.radius_km:
            scope &= nearest <= query.radius_km
        if ranked is not None:
            ranked = rows.positions(ranked)
            scope &= rows.at(ranked)

        active = {
            facet: passing
            for facet in FACETS
            if (passing := facet_filter(rows, query, facet, vocabulary)) is not None
        }
        results = scope.copy()
        for passing in active.values():
            results &= passing
        total = int(np.count_nonzero(results))
        counts = self._facets(rows, scope, active, vocabulary, query.channel, facets)

        number = clamp_page(page_number, total, per_page)
        start, stop = (number - 1) * per_page, number * per_page
        if query.effective_sort == "relevance" and ranked is not None:
            order = self._by_relevance(rows, ranked[results[ranked]], locale, covered)
        else:
            order = self._in_order(
                rows, np.flatnonzero(results), query.effective_sort, nearest, locale
            )
        on_page = order[start:stop]
        window = rows.pk[on_page].tolist()
        # The distances the page was ordered by; a service without a location has none.
        distances = (
            [km if math.isfinite(km) else None for km in nearest[on_page].tolist()]
            if nearest is not None
            else [None] * len(window)
        )

        by_pk = ServicePage.objects.filter(pk__in=window).for_cards().in_bulk()
        hits = [
            Hit(
                service=by_pk[pk],
                highlight=highlight(by_pk[pk].summary, terms) if terms else "",
                distance_km=km,
            )
            for pk, km in zip(window, distances, strict=True)
            # Deleted since the rows were read: the database has the last word.
            if pk in by_pk
        ]
        return ServiceSearchResults(
            query=query,
            page=page_of_hits(hits, total, number, per_page),
            total=total,
            facets=counts,
            matched_some_words=some_words,
            suggestion=analysed.suggestion,
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
        analysed: AnalysedQuery,
    ) -> tuple[list[int] | None, bool, tuple[Counter, Counter] | None]:
        """The ids of the services matching the word groups, best first: all
        groups if any service has them all, else any; and how many groups
        each service matches, anywhere and in its title.

        Every service in every language is matched: the search rows decide
        which are shown (live, public, in her language or the Dutch
        fallback)."""
        groups = analysed.groups
        if not groups:
            return None, False, None
        found = matches(groups)
        if not found.ranked:
            return [], found.some_words, None
        return found.ranked, found.some_words, (found.anywhere, found.in_title)

    @staticmethod
    def _by_relevance(
        rows: Snapshot,
        ranked: np.ndarray,
        locale: Locale,
        covered: tuple[Counter, Counter] | None = None,
    ) -> np.ndarray:
        """``ranked`` (positions, best first) by how many of the query's word
        groups they match, then by how many their title matches, then those
        in her language before the Dutch ones, then best first. Her language
        wins a tie, never over a service that answers more of the question."""
        own = rows.locale[ranked] == locale.pk
        anywhere, in_title = covered or (Counter(), Counter())
        ids = rows.pk[ranked].tolist()
        matched = np.array([anywhere[pk] for pk in ids], dtype=np.int64)
        titled = np.array([in_title[pk] for pk in ids], dtype=np.int64)
        # lexsort: the last key is the first criterion; the rank breaks ties.
        return ranked[np.lexsort((np.arange(len(ranked)), ~own, -titled, -matched))]

    @staticmethod
    def _in_order(
        rows: Snapshot, results: np.ndarray, sort: str, nearest, locale: Locale
    ) -> np.ndarray:
        """``results`` (positions, in title order) in the query's order. Ties
        keep title order: the sorts are stable. By title, those in her
        language come first, then the Dutch ones not translated into it."""
        if sort == "distance":
            # Services without a location are infinitely far: last, by title.
            return results[np.argsort(nearest[results], kind="stable")]
        if sort == "verified":
            return results[np.argsort(-rows.verified[results], kind="stable")]
        return results[np.argsort(rows.locale[results] != locale.pk, kind="stable")]

    @staticmethod
    def _facets(
        rows: Snapshot,
        scope: np.ndarray,
        active: dict[str, np.ndarray],
        vocabulary: Vocabulary,
        channel: str = "",
        facets: Sequence[str] = FACETS,
    ) -> dict[str, dict[str, int]]:
        """The counts per value of each of ``facets``, each facet counted over
        the services that pass the other facets' filters (so a visitor sees
        what choosing another value of the same facet would give). Values no
        service in reach has are left out."""
        counts: dict[str, dict[str, int]] = {}
        for facet in facets:
            counted = scope.copy()
            for name, passing in active.items():
                if name != facet:
                    counted &= passing
            counts[facet] = {
                value: n
                for value, n in _count(rows, counted, facet, vocabulary, channel).items()
                if n
            }
        return counts


def _count(
    rows: Snapshot, counted: np.ndarray, facet: str, vocabulary: Vocabulary, channel: str = ""
) -> dict:
    if facet == "languages" and channel:
        # With a channel, a language counts the services that speak it there.
        prefix = channel_value(channel, "-")[:-1]
        return {
            value.removeprefix(prefix): n
            for value, n in rows.value_counts(counted, CHANNELS).items()
            if value.startswith(prefix)
        }
    if facet in MANY_VALUED:
        return rows.value_counts(counted, facet)
    if facet in FIELD_FACETS:
        return rows.counts(counted, FIELD_FACETS[facet])
    return _wijk_counts(rows, counted, vocabulary)


def _wijk_counts(rows: Snapshot, counted: np.ndarray, vocabulary: Vocabulary) -> dict[str, int]:
    """How many of ``counted`` serve each wijk: the services of its whole
    municipality, plus those that list the wijk and not its municipality.
    One pass over the entries of each facet."""
    wijken, municipalities = rows.facets["wijken"], rows.facets["municipalities"]
    per_municipality = municipalities.counts(counted)
    # The municipality of each wijk value by code (-1: none, or no row has it).
    municipality_code = np.array(
        [
            municipalities.code_of(vocabulary.municipality_of.get(code, ""))
            for code in wijken.values
        ],
        dtype=np.int64,
    )
    # The wijk entries of counted rows whose row also has the wijk's municipality.
    listed = counted[wijken.row]
    row, code = wijken.row[listed], wijken.code[listed]
    municipality = municipality_code[code]
    whole = municipalities.has(row, municipality)
    only_wijk = np.bincount(code[~whole], minlength=len(wijken.values))
    result = {}
    for wijk, its_municipality in vocabulary.municipality_of.items():
        served = municipalities.code_of(its_municipality)
        listing = wijken.code_of(wijk)
        result[wijk] = (int(per_municipality[served]) if served >= 0 else 0) + (
            int(only_wijk[listing]) if listing >= 0 else 0
        )
    return result
