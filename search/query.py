"""The one query API over the directory's services.

Views build a :class:`ServiceQuery` and call :func:`search_services`; they never
touch a search backend. :func:`get_backend` chooses the backend, and when the
engine fails the database answers instead, marked ``degraded``.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator

from wagtail.models import Locale

from .geocoding import Point

logger = logging.getLogger(__name__)

SORTS = ("relevance", "distance", "verified")
# Filters whose values are alternatives; the keys are also the facet names.
MULTI_FILTERS = ("themes", "audiences", "languages", "partner_types", "costs", "accesses")
FACETS = (*MULTI_FILTERS, "wijk")
# Both backends sort by distance by looking for a page of hits this close first.
NEAREST_FIRST_KM = 1.0


@dataclass(frozen=True)
class ServiceQuery:
    """What a visitor asked for. Within a filter values are alternatives (OR);
    different filters all apply (AND)."""

    text: str = ""
    themes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    partner_types: tuple[str, ...] = ()
    costs: tuple[str, ...] = ()
    accesses: tuple[str, ...] = ()
    wijk: str = ""
    # A CBS municipality code: the services for any of its wijken or the whole
    # of it. A restriction, not a facet: the place filter's first step.
    municipality: str = ""
    # A way to reach the service (directory.choices.ChannelKind). With
    # ``languages`` it narrows them to the channels of that kind: "Arabic by
    # phone" is a phone channel on which Arabic is spoken, not a service
    # with a phone number and Arabic somewhere.
    channel: str = ""
    open_at: datetime.datetime | None = None
    point: Point | None = None
    radius_km: float | None = None
    sort: str = ""

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "distance" or self.point):
            return self.sort
        if self.text:
            return "relevance"
        return "distance" if self.point else "title"

    def without(self, facet: str) -> ServiceQuery:
        return replace(self, **{facet: "" if facet in ("wijk", "channel") else ()})

    def language_values(self) -> tuple[str, tuple[str, ...]] | None:
        """What the language filter asks of which facet: the service's
        languages, or with a channel the channels facet's values of that
        kind (``phone``, or ``phone:ar`` and ``phone:ti``; see
        directory/models/facets.py). None when neither is set."""
        from directory.models.facets import CHANNELS, channel_value

        if self.channel:
            values = tuple(channel_value(self.channel, code) for code in self.languages)
            return CHANNELS, values or (channel_value(self.channel),)
        return ("languages", self.languages) if self.languages else None


@dataclass
class Hit:
    service: object  # a live, public directory.ServicePage
    highlight: str = ""  # safe HTML: the engine or our highlighter escaped it
    distance_km: float | None = None


@dataclass
class ServiceSearchResults:
    query: ServiceQuery
    page: Page  # of Hit
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # True when no service had every word, so services with some of them are shown.
    matched_some_words: bool = False
    suggestion: str = ""
    # True when the engine failed and the database answered instead.
    degraded: bool = False
    backend: str = ""


class SearchBackend(Protocol):
    name: str

    def search(
        self,
        query: ServiceQuery,
        locale: Locale,
        page_number: int,
        per_page: int,
        facets: Sequence[str] = FACETS,
    ) -> ServiceSearchResults: ...

    def search_many(
        self, queries: Sequence[ServiceQuery], locale: Locale, per_page: int
    ) -> list[ServiceSearchResults]: ...

    def suggest(self, text: str, locale: Locale, limit: int) -> list: ...


class EngineError(Exception):
    """The search engine did not answer, or answered with an error.

    ``refused``: the engine answered, and refused this one request (a query
    it cannot run, a shard that failed it); other searches may still go to
    it. Otherwise it could not be reached, was overloaded or too slow."""

    def __init__(self, message: str, refused: bool = False):
        super().__init__(message)
        self.refused = refused


MAX_TERMS = 32
MAX_TERM_LENGTH = 50


def search_terms(text: str) -> str:
    """The words of ``text``, without anything a full-text parser reads as syntax.

    SQLite FTS5 fails on an unclosed quote and reads AND, OR, NOT, NEAR, ``*``,
    ``-`` and ``:`` as operators; residents mean none of that. Letters and digits
    of every script stay. No word is longer than any real one, and a pasted
    essay is cut to its first words, so no query can be made expensive.
    """
    words = re.sub(r"[^\w\s]|_", " ", text[: MAX_TERMS * MAX_TERM_LENGTH]).lower().split()
    return " ".join(word[:MAX_TERM_LENGTH] for word in words[:MAX_TERMS])


class HitWindow(Sequence):
    """The hits of one page standing in for all ``total`` results, so that
    Django's Paginator can number pages without loading every result."""

    def __init__(self, hits: list[Hit], total: int, offset: int):
        self.hits, self.total, self.offset = hits, total, offset

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start = (index.start or 0) - self.offset
            stop = (index.stop or self.total) - self.offset
            return self.hits[max(start, 0) : max(stop, 0)]
        return self.hits[index - self.offset]


def page_of_hits(hits: list[Hit], total: int, page_number: int, per_page: int) -> Page:
    # No hits asked for (``count_services``): one empty page.
    per_page = per_page or 1
    paginator = Paginator(HitWindow(hits, total, (page_number - 1) * per_page), per_page)
    return paginator.page(page_number) if total else paginator.page(1)


def clamp_page(page_number, total: int, per_page: int) -> int:
    """A valid page number for ``page_number`` as typed in a URL."""
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    if per_page <= 0:
        return 1
    last = max(1, -(-total // per_page))
    return min(max(number, 1), last)


def get_backend() -> SearchBackend:
    """The one place that chooses the backend."""
    from .backends.database import DatabaseBackend

    if settings.SEARCH_ENGINE["URL"]:
        from .backends.engine import EngineBackend

        return EngineBackend()
    return DatabaseBackend()


ENGINE_DOWN_KEY = "search:engine-down"


def engine_recently_failed() -> bool:
    return bool(cache.get(ENGINE_DOWN_KEY))


def note_engine_failure(error: EngineError, **context) -> None:
    """Log the failure; unless the engine refused only this request, leave it
    alone for ``RETRY_AFTER`` seconds. A refused search is answered by the
    database on its own: a resident's query the engine cannot run must not
    send every other search to the slower database for half a minute."""
    logger.warning("Search engine failed, answering from the database: %s %s", error, context)
    if not error.refused:
        cache.set(ENGINE_DOWN_KEY, True, settings.SEARCH_ENGINE["RETRY_AFTER"])


def search_services(
    query: ServiceQuery,
    locale: Locale,
    page_number=1,
    per_page: int = 20,
    facets: Sequence[str] = FACETS,
) -> ServiceSearchResults:
    """A page of the services ``query`` finds, their total, and the counts of
    the values of ``facets`` (a page that shows none of them asks for none:
    counting every wijk is most of a filter search's work)."""
    from .backends.database import DatabaseBackend

    asked, query = query, with_wijk_from_text(query)
    backend = get_backend()
    results = None
    if backend.name != "database" and not engine_recently_failed():
        try:
            results = backend.search(query, locale, page_number, per_page, facets)
        except EngineError as error:
            note_engine_failure(error, locale=locale.language_code, query=query.text[:100])
    if results is None:
        results = DatabaseBackend().search(query, locale, page_number, per_page, facets)
        results.degraded = backend.name != "database"
    results.query = asked
    return results


def count_services(
    query: ServiceQuery, locale: Locale, facets: Sequence[str] = FACETS
) -> ServiceSearchResults:
    """What :func:`search_services` answers for ``query`` without any hits:
    the total and the counts of the values of ``facets``, no service read."""
    return search_services(query, locale, per_page=0, facets=facets)


def search_many(
    queries: Sequence[ServiceQuery], locale: Locale, per_page: int = 20
) -> list[ServiceSearchResults]:
    """The first page of hits and the total of each of ``queries``, in their
    order, as :func:`search_services` finds them, without facets.

    For whoever asks many questions at once: the national contract test
    checking every wijk, a coordinator's overview of every wijk, an export of
    counts. The engine answers a hundred searches a request instead of one
    (two each in ``search_services``); the database answers them
    one by one. When the engine fails, the database answers the whole call
    and every result is marked ``degraded``."""
    from .backends.database import DatabaseBackend

    prepared = [with_wijk_from_text(query) for query in queries]
    backend = get_backend()
    many = None
    if backend.name != "database" and not engine_recently_failed():
        try:
            many = backend.search_many(prepared, locale, per_page)
        except EngineError as error:
            note_engine_failure(error, locale=locale.language_code, queries=len(prepared))
    if many is None:
        many = DatabaseBackend().search_many(prepared, locale, per_page)
        for results in many:
            results.degraded = backend.name != "database"
    for results, asked in zip(many, queries, strict=True):
        results.query = asked
    return many


def with_wijk_from_text(query: ServiceQuery) -> ServiceQuery:
    """``query`` with a wijk named in its words (``schulden overvecht``) as
    its wijk filter, so the wijk's services are found, including the ones
    for its whole municipality, which never name it. A query with a wijk
    filter already is left as it is."""
    from .analysis import find_wijk, wijk_names

    if query.wijk or not query.text:
        return query
    text, code = find_wijk(query.text, wijk_names())
    return replace(query, text=text, wijk=code) if code else query


def suggest_services(text: str, locale: Locale, limit: int = 8) -> list:
    from .backends.database import DatabaseBackend

    backend = get_backend()
    if backend.name != "database" and not engine_recently_failed():
        try:
            return backend.suggest(text, locale, limit)
        except EngineError as error:
            note_engine_failure(error, locale=locale.language_code, suggest=text[:100])
    return DatabaseBackend().suggest(text, locale, limit)
