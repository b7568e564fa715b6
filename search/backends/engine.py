"""The Elasticsearch-compatible backend: per-language analysis, synonyms,
geo distance, aggregations for facets, highlighting and suggestions.

Queries are built with elasticsearch-dsl and sent as plain dicts through the
configured client (see ``search.engine.client``). Every hit is checked against
the database before it is shown, so a stale index never shows a page that is
unpublished, private or deleted.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.safestring import mark_safe

from wagtail.models import Locale

from elasticsearch_dsl import Q, Search

from directory.models import ServicePage
from directory.models.facets import CHANNELS, channel_value

from ..analysis import AnalysedQuery, WordGroup, analyse_query
from ..engine.client import Engine, is_refusal
from ..engine.documents import minute_of_week
from ..query import (
    FACETS,
    NEAREST_FIRST_KM,
    EngineError,
    Hit,
    ServiceQuery,
    ServiceSearchResults,
    clamp_page,
    page_of_hits,
    search_terms,
)

TEXT_FIELDS = [
    "title^3",
    "summary^2",
    "body",
    "accessibility",
    "theme_names^2",
    "audience_names",
    "analysed",
]
FACET_FIELDS = {
    "themes": "themes",
    "audiences": "audiences",
    "languages": "languages",
    "partner_types": "partner_type",
    "costs": "cost",
    "accesses": "access",
    "wijk": "wijken",
}
MAX_WINDOW = 10_000  # the engine's default max_result_window
# Searches per _msearch request in ``EngineBackend.search_many``.
MSEARCH_BATCH = 100
# Room for values the index has and the database no longer does (a wijk
# deleted since its services were indexed) in a facet's count.
FACET_MARGIN = 100


def facet_sizes() -> dict[str, int]:
    """How many values each facet can have, plus a margin: the terms
    aggregations return that many, so every value is counted however many
    wijken there are (a fixed size stopped at the first 1,000). One query of
    four counts per search: as four ORM queries, compiling them cost more
    than running them."""
    from directory.models import Audience, Language, Theme, WijkPage

    counted = {
        "themes": (Theme, "slug"),
        "audiences": (Audience, "slug"),
        "languages": (Language, "code"),
        "wijk": (WijkPage, "cbs_code"),
    }
    quote = connection.ops.quote_name
    # Table and column names from the models, quoted; no value goes in.
    counts = ", ".join(
        f"(SELECT COUNT(DISTINCT {quote(model._meta.get_field(name).column)}) "  # noqa: S608
        f"FROM {quote(model._meta.get_field(name).model._meta.db_table)})"
        for model, name in counted.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        known = dict(zip(counted, cursor.fetchone(), strict=True))
    for facet in FACETS:
        if facet not in known:
            # One value per service, among the field's choices.
            known[facet] = len(ServicePage._meta.get_field(FACET_FIELDS[facet]).choices)
    return {facet: count + FACET_MARGIN for facet, count in known.items()}


def wijken_of(municipality: str) -> list[str]:
    from directory.models import WijkPage

    return list(
        WijkPage.objects.filter(municipality__cbs_code=municipality)
        .values_list("cbs_code", flat=True)
        .distinct()
    )


def _facet_filters(query: ServiceQuery) -> dict[str, Q]:
    filters = {}
    for facet, field in FACET_FIELDS.items():
        if facet == "languages":
            # The languages of the service, or of its channels of one kind.
            asked = query.language_values()
            if asked:
                filters[facet] = Q("terms", **{asked[0]: list(asked[1])})
            continue
        value = getattr(query, facet)
        if value:
            filters[facet] = Q("terms", **{field: [value] if facet == "wijk" else list(value)})
    return filters


def _channel_prefix(channel: str) -> str:
    """What the channels values of one kind with a language start with: ``phone:``."""
    return channel_value(channel, "-")[:-1]


def _facet_terms(query: ServiceQuery, facet: str, size: int) -> dict:
    """The terms aggregation that counts ``facet``: with a channel, the
    languages are counted among that kind's channels (``phone:ar`` as ``ar``)."""
    if facet == "languages" and query.channel:
        prefix = _channel_prefix(query.channel)
        return {"field": CHANNELS, "size": size, "include": re.escape(prefix) + ".+"}
    return {"field": FACET_FIELDS[facet], "size": size}


def _within(query: ServiceQuery, km: float) -> Q:
    """Services with a location within ``km`` of the query's point."""
    point = {"lat": query.point.latitude, "lon": query.point.longitude}
    return Q("geo_distance", distance=f"{km}km", locations=point)


def _other_filters(query: ServiceQuery) -> list[Q]:
    filters = []
    if query.municipality:
        # A document's wijken already hold every wijk of a municipality it
        # serves as a whole (search/engine/documents.py); a municipality
        # without wijk pages is found by its own code.
        filters.append(
            Q("term", municipalities=query.municipality)
            | Q("terms", wijken=wijken_of(query.municipality))
        )
    if query.open_at:
        moment = timezone.localtime(query.open_at)
        # Open when any place of the service is (search/engine/documents.py).
        weekly = Q("term", open_scopes__open_ranges=minute_of_week(moment)) & ~Q(
            "term", open_scopes__exception_dates=moment.date().isoformat()
        )
        exceptional = Q("term", open_scopes__exception_open=moment.isoformat())
        somewhere = Q("nested", path="open_scopes", query=weekly | exceptional)
        filters.append(somewhere & ~Q("term", status="temporarily_closed"))
    if query.point and query.radius_km:
        filters.append(_within(query, query.radius_km))
    return filters


def _sort(query: ServiceQuery, language: str = "") -> list:
    tiebreak = [{"title_key": "asc"}, {"pk": "asc"}]
    sort = query.effective_sort
    if sort == "relevance":
        return ["_score", *tiebreak]
    if sort == "distance":
        geo = {
            "locations": {"lat": query.point.latitude, "lon": query.point.longitude},
            "order": "asc",
            "unit": "km",
            "mode": "min",
            "distance_type": "arc",
        }
        return [{"_geo_distance": geo}, *tiebreak]
    if sort == "verified":
        return [{"last_verified": "desc"}, *tiebreak]
    if language and language != settings.LANGUAGE_CODE:
        # Her language before Dutch: the hits hold only these two, so sorting
        # on the language code in the right direction puts hers first.
        direction = "asc" if language < settings.LANGUAGE_CODE else "desc"
        return [{"language": direction}, *tiebreak]
    return tiebreak


# How many typos the engine itself allows in the resident's own word (after
# its first letter), as Lucene's AUTO:low,high: none below ``low`` letters,
# one from there, two from ``high``. In Dutch never two: no word is that long.
TYPOS = "AUTO:5,8"
ONE_TYPO = "AUTO:5,100"


def typos_for(language: str) -> str:
    """The typos looked for in a word typed in ``language``.

    Two typos are also the vocabulary's correction, another alternative of
    the word (search/analysis.py), as on the database backend. Every service
    is in Dutch, so in Dutch the vocabulary knows the directory's words, and
    the engine looks for one typo only: expanding a word into every term
    within two edits was the costliest part of many Dutch text searches at
    300,000 services, and with one the national benchmark's text searches
    found exactly the same services (bench/README.md, "Where the engine's time
    goes"). In the other languages the vocabulary knows only the services
    translated into them, and Arabic and Somali queries of the relevance
    set need the engine's two."""
    return ONE_TYPO if language == settings.LANGUAGE_CODE else TYPOS


# How many words the engine expands a word start or a typo into, at most: its
# own default.
EXPANSIONS = 50


def _word(
    word: str, prefix: bool, fields: list[str], typos: str = "", expansions: int = EXPANSIONS
) -> Q:
    """One word of an alternative: as the start of a word, or whole; with
    ``typos``, also with that many typos (the resident's own word). A word
    start or a typo matches at most ``expansions`` words."""
    limit = {"max_expansions": expansions} if expansions < EXPANSIONS else {}
    if prefix:
        found = Q("multi_match", query=word, fields=fields, type="phrase_prefix", **limit)
    else:
        found = Q("multi_match", query=word, fields=fields)
    if typos:
        # Not on ``analysed``: it holds stems, and the raw word is not stemmed
        # there, so two typos of ``schulden`` reach ``schilder``. The
        # vocabulary's correction covers typos of the words only it has.
        typo_fields = [field for field in fields if field != "analysed"]
        typo = Q(
            "multi_match",
            query=word,
            fields=typo_fields,
            fuzziness=typos,
            prefix_length=1,
            **limit,
        )
        return Q("bool", should=[found, typo], minimum_should_match=1)
    return found


def _alternatives(
    group: WordGroup, fields: list[str], typos: str, expansions: int = EXPANSIONS
) -> Q:
    """A word group: any of its alternatives, each with all its words; the
    first, the resident's own word, also with ``typos``."""
    alternatives = []
    for number, clause in enumerate(group.alternatives):
        own = number == 0 and len(clause) == 1
        words = [
            _word(word, prefix, fields, typos if own else "", expansions) for word, prefix in clause
        ]
        alternatives.append(words[0] if len(words) == 1 else Q("bool", must=words))
    return Q("bool", should=alternatives, minimum_should_match=1)


def _clauses(groups: list[WordGroup], fields: int) -> tuple[int, int]:
    """The engine's clauses for ``groups`` before expanding: each word of an
    alternative is one per field, the resident's own word's typos one more
    per field. Returned apart: (whole words, word starts and typos), as the
    engine expands each of the second kind into up to ``EXPANSIONS``."""
    whole = expanding = 0
    for group in groups:
        for number, clause in enumerate(group.alternatives):
            for _word_text, prefix in clause:
                if prefix:
                    expanding += fields
                else:
                    whole += fields
            if number == 0 and len(clause) == 1:
                expanding += fields
    return whole, expanding


def fitted(
    groups: list[WordGroup], copies: int = 1, refused: bool = False
) -> tuple[list[WordGroup], int]:
    """``groups`` and the expansions per word start and typo, within the
    engine's clause limit (``SEARCH_ENGINE["MAX_CLAUSES"]``) when the query
    holds them ``copies`` times.

    The engine refuses a query that expands into more clauses than that, and
    a resident's list of needs ("schulden huur werk taalles ...", a dozen
    words, each with its thesaurus terms) came to 1,200-1,900 clauses
    before any word start was expanded. What a query expands into depends on
    the index (the words a word start begins, the synonyms the search
    analyser adds), so a query is sent as it is unless its clauses before
    expanding are over the limit already. One the engine ``refused`` as sent,
    or one certain to be, is made smaller: each group keeps its first
    alternatives (the resident's own word, its forms and parts come before
    the thesaurus's terms) until half of ``CLAUSE_SHARE`` of the limit is
    used, and word starts and typos share the rest as expansions."""
    limit = settings.SEARCH_ENGINE["MAX_CLAUSES"]
    fields = len(TEXT_FIELDS)
    if not refused and sum(_clauses(groups, fields)) <= limit:
        return groups, EXPANSIONS
    room = int(limit * CLAUSE_SHARE) // copies
    kept = [WordGroup(group.text, list(group.alternatives)) for group in groups]
    while sum(_clauses(kept, fields)) > room // 2:
        longest = max(kept, key=lambda group: len(group.alternatives))
        if len(longest.alternatives) == 1:
            break
        longest.alternatives.pop()
    whole, expanding = _clauses(kept, fields)
    return kept, max(1, min(EXPANSIONS, (room - whole) // max(expanding, 1)))


# Of the engine's clause limit, what a query made smaller counts on: the
# search analyser's synonyms add up to as many clauses again.
CLAUSE_SHARE = 0.5


def too_many_clauses(error: EngineError) -> bool:
    """Whether the engine refused a query for its clause limit (OpenSearch
    and Elasticsearch both name ``maxClauseCount``)."""
    return error.refused and "maxclausecount" in str(error).lower()


# Added to a hit's score for each word group it matches when not all must: far
# above what one group's word scores add up to, so a service answering more
# of the question comes first, as on the database backend.
COVERAGE_BOOST = 1000.0


def text_query(
    analysed: AnalysedQuery, operator: str, language: str = "", refused: bool = False
) -> Q:
    """The analysed query for the engine: every word group (``"and"``) or
    any (``"or"``, services matching more groups first), built once from the
    same analysis as the database's; typos as ``language`` allows; made
    smaller when the engine ``refused`` it for its size (``fitted``)."""
    typos = typos_for(language or settings.LANGUAGE_CODE)
    # Any groups: the query holds each twice (scored, and counted as covered).
    copies = 1 if operator == "and" else 2
    fitting, expansions = fitted(analysed.groups, copies, refused)
    groups = [_alternatives(group, TEXT_FIELDS, typos, expansions) for group in fitting]
    if operator == "and":
        return Q("bool", must=groups)
    covered = [Q("constant_score", filter=group, boost=COVERAGE_BOOST) for group in groups]
    return Q("bool", should=groups + covered, minimum_should_match=1)


def highlight_query(analysed: AnalysedQuery, refused: bool = False) -> Q:
    """What to mark in a summary: every word any alternative looks for, of
    the groups a search for every word sends (``fitted``: a search for any
    word may send fewer). Its own query, so the marks do not depend on how
    the hit was scored."""
    fitting, expansions = fitted(analysed.groups, refused=refused)
    words = [
        _word(word, prefix, ["summary"], expansions=expansions)
        for group in fitting
        for clause in group.alternatives
        for word, prefix in clause
    ]
    return Q("bool", should=words[:MAX_HIGHLIGHTED], minimum_should_match=1)


MAX_HIGHLIGHTED = 64


def build_search(
    query: ServiceQuery,
    analysed: AnalysedQuery | None,
    operator: str,
    offset: int,
    size: int,
    language: str = "",
    sizes: dict[str, int] | None = None,
    facets: Sequence[str] = FACETS,
    refused: bool = False,
) -> dict:
    search = Search()
    if language and language != settings.LANGUAGE_CODE:
        # Her language, plus Dutch pages not translated into it.
        search = search.filter(Q("term", language=language) | ~Q("term", translated_into=language))
    text = " ".join(group.text for group in analysed.groups) if analysed else ""
    if text:
        search = search.query(text_query(analysed, operator, language, refused))
    sizes = sizes or facet_sizes()
    facet_filters = _facet_filters(query)
    always = _other_filters(query)
    if always:
        search = search.filter("bool", filter=always)
    if facet_filters:
        search = search.post_filter("bool", filter=list(facet_filters.values()))
    for facet in facets:
        others = [q for name, q in facet_filters.items() if name != facet]
        bucket = search.aggs.bucket(facet, "filter", filter=Q("bool", filter=others))
        bucket.bucket("values", "terms", **_facet_terms(query, facet, sizes[facet]))
    search = search.sort(*_sort(query, language)).extra(
        from_=offset, size=size, track_total_hits=True
    )
    search = search.source(["pk"])
    if text:
        search = search.highlight(
            "summary",
            number_of_fragments=0,
            highlight_query=highlight_query(analysed, refused).to_dict(),
        ).highlight_options(pre_tags=["<mark>"], post_tags=["</mark>"], encoder="html")
        search = search.suggest(
            "spelling", text, term={"field": "spell", "suggest_mode": "missing"}
        )
    return search.to_dict()


# Facet counts in two searches of about equal work: the many-valued fields
# cost most. Every count is a size-0 search, which the shard request cache of
# the engine may answer.
COUNT_GROUPS = (
    ("themes", "audiences", "languages"),
    ("wijk", "partner_types", "costs", "accesses", "total"),
)


def counted_by(query: dict, group: dict) -> dict:
    """``query`` narrowed to the documents that some aggregation of ``group``
    can count, so the engine runs the aggregations' filters on those only.

    A facet counts the documents that pass every facet filter but its own
    (choosing another value shows how many there would be), under a query
    that has no facet filter: searched by filters alone, that matches all
    300,000 documents, and each aggregation's filter ran on every one of
    them. A filter that every aggregation of the group applies goes into the
    query; of the others, a counted document passes at least as many as the
    aggregation that applies fewest of them."""
    applied = []
    for aggregation in group.values():
        found = aggregation.get("filter", {})
        if "match_all" in found:
            clauses = []
        elif set(found) == {"bool"} and set(found["bool"]) <= {"filter"}:
            clauses = found["bool"].get("filter", [])
            clauses = clauses if isinstance(clauses, list) else [clauses]
        else:
            return query
        applied.append({json.dumps(clause, sort_keys=True): clause for clause in clauses})
    if not applied:
        return query
    every = set.intersection(*(set(clauses) for clauses in applied))
    narrowing = [clause for key, clause in applied[0].items() if key in every]
    some = {
        key: clause for clauses in applied for key, clause in clauses.items() if key not in every
    }
    at_least = min(len(clauses.keys() - every) for clauses in applied)
    if at_least:
        narrowing.append(
            {"bool": {"should": list(some.values()), "minimum_should_match": at_least}}
        )
    if not narrowing:
        return query
    return {"bool": {"must": [query], "filter": narrowing}}


def counting_searches(body: dict) -> list[dict]:
    """The searches that count ``body``'s facets (one per ``COUNT_GROUPS``
    group that has any) and its total, without hits."""
    # The total counts what the hits search shows: the query and every facet
    # filter (the post filter).
    aggs = {**body.get("aggs", {}), "total": {"filter": body.get("post_filter", {"match_all": {}})}}
    query = body.get("query", {"match_all": {}})
    searches = []
    for names in COUNT_GROUPS:
        group = {name: aggs[name] for name in names if name in aggs}
        if group:
            searches.append(
                {
                    "query": counted_by(query, group),
                    "aggs": group,
                    "size": 0,
                    "track_total_hits": False,
                }
            )
    return searches


# Counting searches run here while the request thread fetches the hits.
_COUNTING = ThreadPoolExecutor(max_workers=8, thread_name_prefix="search-counts")


class _Answer:
    """The engine's answer to one search: the hits at once, the counts when
    they arrive."""

    def __init__(self, hits: dict, counting: Future):
        self.hits = hits
        self.rows = hits["hits"]["hits"]
        self._counting = counting
        self._aggregations: dict | None = None

    def aggregations(self) -> dict:
        if self._aggregations is None:
            merged = {}
            for response in self._counting.result()["responses"]:
                if "error" in response:
                    # _msearch reports a failed search inside a 200 answer.
                    raise EngineError(
                        f"counting failed: {response['error']}",
                        refused=is_refusal(response.get("status")),
                    )
                merged.update(response["aggregations"])
            self._aggregations = merged
        return self._aggregations

    def total(self) -> int:
        return self.aggregations()["total"]["doc_count"]


def _nearby(query: ServiceQuery, wanted: int) -> dict | None:
    """What ``EngineBackend._nearest`` needs for a search sorted by distance
    with a radius wider than ``NEAREST_FIRST_KM`` (or none); otherwise None."""
    if query.effective_sort != "distance" or not wanted:
        return None
    if query.radius_km and query.radius_km <= NEAREST_FIRST_KM:
        return None
    return {"wanted": wanted, "filter": _within(query, NEAREST_FIRST_KM).to_dict()}


def _sorted_distance(row: dict) -> float | None:
    """The km to the nearest location by which a hit was sorted; None for a
    service without locations (the engine sorts those last, at infinity)."""
    km = row["sort"][0]
    return km if isinstance(km, int | float) and math.isfinite(km) else None


class EngineBackend:
    name = "engine"

    def __init__(self, engine: Engine | None = None):
        self.engine = engine or Engine()

    def search(
        self,
        query: ServiceQuery,
        locale: Locale,
        page_number,
        per_page: int,
        facets: Sequence[str] = FACETS,
    ) -> ServiceSearchResults:
        analysed = analyse_query(query.text, locale.language_code)
        try:
            return self._search(query, locale, analysed, page_number, per_page, facets)
        except EngineError as error:
            if not too_many_clauses(error):
                raise
        # Once more, made smaller (``fitted``): her long query is still the
        # engine's to answer, not the slower database's.
        return self._search(query, locale, analysed, page_number, per_page, facets, refused=True)

    def _search(
        self, query, locale, analysed, page_number, per_page, facets, refused=False
    ) -> ServiceSearchResults:
        text = " ".join(group.text for group in analysed.groups)
        number = clamp_page(page_number, MAX_WINDOW, per_page)
        answer, some_words = self._run(query, locale, analysed, number, per_page, facets, refused)
        if not answer.rows and number > 1 and answer.total():
            number = clamp_page(number, answer.total(), per_page)
            answer, some_words = self._run(
                query, locale, analysed, number, per_page, facets, refused
            )

        # The database checks this page of hits while the engine still counts.
        hits, stale = self._live_hits(answer.rows, query, locale)
        total = answer.total() - stale
        aggregations = answer.aggregations()
        return ServiceSearchResults(
            query=query,
            page=page_of_hits(hits, total, number, per_page),
            total=total,
            facets={
                facet: {
                    bucket["key"].removeprefix(
                        _channel_prefix(query.channel)
                        if facet == "languages" and query.channel
                        else ""
                    ): bucket["doc_count"]
                    for bucket in aggregations[facet]["values"]["buckets"]
                }
                for facet in facets
            },
            matched_some_words=some_words,
            suggestion=analysed.suggestion
            or (self._suggestion(answer.hits, text) if total < 3 else ""),
            backend=self.name,
        )

    def search_many(
        self, queries: Sequence[ServiceQuery], locale: Locale, per_page: int
    ) -> list[ServiceSearchResults]:
        """The first page and the total of each query, without facets: the
        bodies ``search`` sends (``build_search``), a hundred to an _msearch,
        each counting its own total; the hits of a whole batch checked
        against the database at once. See ``search.query.search_many``."""
        index = self._indexes(locale)
        language = locale.language_code
        sizes = facet_sizes()
        size = min(per_page, MAX_WINDOW)
        results = []
        for start in range(0, len(queries), MSEARCH_BATCH):
            batch = queries[start : start + MSEARCH_BATCH]
            analysed = [analyse_query(query.text, language) for query in batch]
            bodies = [
                build_search(query, words, "and", 0, size, language, sizes)
                for query, words in zip(batch, analysed, strict=True)
            ]
            responses = self._msearch(index, bodies)
            # As in ``_run``: when no service has every word, those with some.
            some_words = [
                number
                for number, (words, response) in enumerate(zip(analysed, responses, strict=True))
                if len(words.groups) > 1 and not response["hits"]["total"]["value"]
            ]
            if some_words:
                bodies = [
                    build_search(batch[n], analysed[n], "or", 0, size, language, sizes)
                    for n in some_words
                ]
                for number, response in zip(some_words, self._msearch(index, bodies), strict=True):
                    responses[number] = response
            live = self._live([row for response in responses for row in response["hits"]["hits"]])
            for number, (query, words, response) in enumerate(
                zip(batch, analysed, responses, strict=True)
            ):
                hits, stale = self._live_hits(response["hits"]["hits"], query, locale, live)
                total = response["hits"]["total"]["value"] - stale
                text = " ".join(group.text for group in words.groups)
                results.append(
                    ServiceSearchResults(
                        query=query,
                        page=page_of_hits(hits, total, 1, per_page),
                        total=total,
                        matched_some_words=number in some_words,
                        suggestion=words.suggestion
                        or (self._suggestion(response, text) if total < 3 else ""),
                        backend=self.name,
                    )
                )
        return results

    def _msearch(self, index: str, bodies: list[dict]) -> list[dict]:
        """The answers to ``bodies`` in one request, each with its page of
        hits and its exact total (``track_total_hits``, set by
        ``build_search``), without the facets' aggregations. Sorted by
        distance, the whole radius is sorted (``_nearest`` saves that for one
        search; the page is the same)."""
        searches = []
        for body in bodies:
            searches += [
                {"index": index},
                {key: value for key, value in body.items() if key != "aggs"},
            ]
        # A batch's searches run side by side on the engine's cores: it may
        # take as long as ten single searches, not as one.
        answer = self.engine.call(
            "msearch", body=searches, request_timeout=settings.SEARCH_ENGINE["TIMEOUT"] * 10
        )
        for response in answer["responses"]:
            if "error" in response:
                # _msearch reports a failed search inside a 200 answer.
                raise EngineError(
                    f"search failed: {response['error']}",
                    refused=is_refusal(response.get("status")),
                )
        return answer["responses"]

    def suggest(self, text: str, locale: Locale, limit: int) -> list[ServicePage]:
        words = search_terms(text)
        if not words:
            return []
        body = (
            Search()
            .query(
                "multi_match",
                query=words,
                type="bool_prefix",
                fields=["title.prefix", "title.prefix._2gram", "title.prefix._3gram"],
            )
            .source(["pk"])
            .extra(size=limit)
            .to_dict()
        )
        response = self.engine.call(
            "search", index=self.engine.alias(locale.language_code), body=body
        )
        ids = [int(hit["_id"]) for hit in response["hits"]["hits"]]
        live = ServicePage.objects.shown().filter(pk__in=ids, locale=locale).in_bulk()
        return [live[pk] for pk in ids if pk in live]

    def _indexes(self, locale: Locale) -> str:
        names = {self.engine.alias(locale.language_code), self.engine.alias(settings.LANGUAGE_CODE)}
        return ",".join(sorted(names))

    def _run(
        self, query, locale, analysed, number, per_page, facets, refused=False
    ) -> tuple[_Answer, bool]:
        index = self._indexes(locale)
        language = locale.language_code
        offset = (number - 1) * per_page
        size = max(0, min(per_page, MAX_WINDOW - offset))
        near = _nearby(query, offset + size)
        sizes = facet_sizes()
        body = build_search(query, analysed, "and", offset, size, language, sizes, facets, refused)
        answer = self._send(index, body, near)
        if len(analysed.groups) > 1 and not answer.rows and not answer.total():
            body = build_search(
                query, analysed, "or", offset, size, language, sizes, facets, refused
            )
            return self._send(index, body, near), True
        return answer, False

    def _send(self, index: str, body: dict, near: dict | None = None) -> _Answer:
        """Send one search as three: the page of hits, and two that count (the
        total and the facets, split so the engine's cores share the work).
        The counting runs in the background while the hits come back and are
        checked against the database: on a broad query at 100k services the
        counting is most of the engine's work. The hits search stops
        collecting once it has its page."""
        header = {"index": index}
        searches = [part for search in counting_searches(body) for part in (header, search)]
        counting = _COUNTING.submit(self.engine.call, "msearch", body=searches)
        hits_body = {key: part for key, part in body.items() if key != "aggs"}
        hits_body["track_total_hits"] = False
        hits = None
        if near is not None:
            hits = self._nearest(index, hits_body, near)
        if hits is None:
            hits = self.engine.call("search", index=index, body=hits_body)
        return _Answer(hits, counting)

    def _nearest(self, index: str, body: dict, near: dict) -> dict | None:
        """The page of hits sorted by distance, looked for close by first.

        Sorting computes the distance of every service in the radius (85,000
        within 5 km at 100k). If enough services lie within ``NEAREST_FIRST_KM``,
        the nearest ones are all among them, so the page is the same; None
        when there are too few, and the whole radius must be sorted."""
        wanted = near["wanted"]
        narrow = {
            **body,
            "query": {
                "bool": {"must": [body.get("query", {"match_all": {}})], "filter": [near["filter"]]}
            },
            "track_total_hits": wanted,
        }
        hits = self.engine.call("search", index=index, body=narrow)
        return hits if hits["hits"]["total"]["value"] >= wanted else None

    @staticmethod
    def _live(rows: list[dict]) -> dict[int, ServicePage]:
        """The services of ``rows`` still shown, loaded for their cards."""
        ids = {int(row["_id"]) for row in rows}
        return ServicePage.objects.shown().filter(pk__in=ids).for_cards().in_bulk()

    @classmethod
    def _live_hits(
        cls, rows: list[dict], query: ServiceQuery, locale: Locale, live: dict | None = None
    ) -> tuple[list[Hit], int]:
        """The hits of ``rows`` whose service is still shown, and how many
        were not; ``live`` when the caller loaded the services already."""
        if live is None:
            live = cls._live(rows)
        # Sorted by distance, each hit carries its distance to the nearest
        # location (the sort value, in km); otherwise it is measured from the
        # locations the cards load anyway.
        by_distance = query.point is not None and query.effective_sort == "distance"
        hits = []
        for row in rows:
            service = live.get(int(row["_id"]))
            if service is None:
                continue
            highlight = row.get("highlight", {}).get("summary", [""])[0]
            hits.append(
                Hit(
                    service=service,
                    # The engine escaped the text (encoder "html") and added only <mark>.
                    highlight=mark_safe(highlight),  # noqa: S308
                    distance_km=_sorted_distance(row)
                    if by_distance
                    else query.point.nearest_km(service.locations.all())
                    if query.point
                    else None,
                )
            )
        return hits, len(rows) - len(hits)

    @staticmethod
    def _suggestion(response: dict, text: str) -> str:
        words = text.split()
        changed = False
        for entry in response.get("suggest", {}).get("spelling", []):
            if entry["options"]:
                best = entry["options"][0]["text"]
                words = [best if word == entry["text"] else word for word in words]
                changed = True
        return " ".join(words) if changed else ""
