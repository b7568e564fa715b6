"""Words matched and ranked in Wagtail's database search index.

On PostgreSQL the index table is read on its own: asking Wagtail's search for
services joins every match to the service table on a text cast of its id,
which at 100,000 services took two thirds of a common word's 180 ms. The
query is the one Wagtail's PostgreSQL backend builds (its lexemes, its
configuration, its weights and ranking: the title rank times the title's
norm, plus the body rank), so the order is the same. SQLite's FTS5 table is
searched through Wagtail.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

from directory.models import ServicePage

from ..analysis import WordGroup
from ..snapshot import fetch


def analysed_matches(groups: list[WordGroup], words: str) -> list[int]:
    """The ids of the services matching the analysed query's word groups,
    best first: every group (``words="and"``) or any (``"or"``), each group
    by any of its alternatives (search/analysis.py)."""
    if connection.vendor != "postgresql":
        return [pk for (pk,) in _sqlite(groups, words)]
    combine = operator.and_ if words == "and" else operator.or_
    lexemes = reduce(combine, map(_group_lexemes, groups))
    return [pk for (pk,) in fetch(_postgres_ranked(lexemes))]


def coverage(groups: list[WordGroup]) -> tuple[Counter, Counter]:
    """How many of the word groups each service matches, by id: anywhere,
    and in its title. Services that answer more of what the resident asked
    ("water leak in my house": the leak *and* the house), and those whose
    title says it, come before those that mention one word of it in passing,
    however often."""
    anywhere: Counter = Counter()
    in_title: Counter = Counter()
    for group in groups:
        title_group = _as_title_words(group)
        if connection.vendor != "postgresql":
            anywhere.update(pk for (pk,) in _sqlite([group], "and"))
            in_title.update(pk for (pk,) in _sqlite([title_group], "and", columns="title"))
        else:
            matching = _postgres_matching(_group_lexemes(group), _group_lexemes(title_group))
            for pk, title in fetch(matching):
                anywhere[pk] += 1
                in_title[pk] += title
    return anywhere, in_title


def _as_title_words(group: WordGroup) -> WordGroup:
    """``group`` to look for in titles: the index holds the stems of a
    service's words beside its text, but its title as written, so a stem
    searched whole (``lez`` of ``lezen``, ``bur`` of ``buren``) never meets
    the title it came from. In titles every word of three letters or more is
    a beginning of a word."""
    return WordGroup(
        group.text,
        [
            tuple((word, prefix or len(word) >= 3) for word, prefix in clause)
            for clause in group.alternatives
        ],
    )


def _group_lexemes(group: WordGroup):
    from modelsearch.backends.database.postgres.query import Lexeme

    def clause(words_of_clause):
        return reduce(
            operator.and_, (Lexeme(word, prefix=prefix) for word, prefix in words_of_clause)
        )

    return reduce(operator.or_, map(clause, group.alternatives))


def _fts5_term(word: str, prefix: bool) -> str:
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def _sqlite(groups: list[WordGroup], words: str, columns: str = "title body") -> list[tuple]:
    """Wagtail's FTS5 table searched with the groups as one MATCH expression
    in ``columns``, ranked by BM25 with the title counted twice (as Wagtail
    boosts it)."""
    from wagtail.search.models import IndexEntry, SQLiteFTSIndexEntry

    expression = f" {words.upper()} ".join(
        "("
        + " OR ".join(
            "(" + " AND ".join(_fts5_term(word, prefix) for word, prefix in clause) + ")"
            for clause in group.alternatives
        )
        + ")"
        for group in groups
    )
    fts, entries = SQLiteFTSIndexEntry._meta.db_table, IndexEntry._meta.db_table
    content_type = ContentType.objects.get_for_model(ServicePage).pk
    # Always in the ranking's shape: without its ORDER BY, SQLite joins the
    # other way round and evaluates the MATCH for every entry (2 s, not 2 ms).
    sql = (
        f"SELECT CAST(e.object_id AS INTEGER) FROM {fts} JOIN {entries} e ON e.id = {fts}.rowid "  # noqa: S608 - table names from the models
        f"WHERE {fts} MATCH %s AND e.content_type_id = %s "
        f"ORDER BY bm25({fts}, 0.0, 1.0, 2.0), CAST(e.object_id AS INTEGER) DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["{" + columns + "} : (" + expression + ")", content_type])
        return cursor.fetchall()


def _postgres_query(lexemes):
    from django.contrib.postgres.search import SearchQuery

    from wagtail.search.backends import get_search_backend

    return SearchQuery(
        lexemes, search_type="raw", config=get_search_backend().config or _default_config()
    )


def _postgres_matching(lexemes, title_lexemes) -> QuerySet:
    """(id, 1 if its title matches ``title_lexemes`` else 0) of the services
    matching ``lexemes``, unordered."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models import Case, IntegerField, Q, Value, When

    from wagtail.search.models import IndexEntry

    query = _postgres_query(lexemes)
    title_query = _postgres_query(title_lexemes)
    return (
        IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(ServicePage))
        .annotate(vector=CombinedExpression(F("title"), "||", F("body"), SearchVectorField()))
        .filter(vector=query)
        .annotate(
            title_match=Case(
                When(Q(title=title_query), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .values_list(Cast("object_id", BigIntegerField()), "title_match")
    )


def _postgres_ranked(lexemes) -> QuerySet:
    from django.contrib.postgres.search import SearchRank, SearchVectorField

    from modelsearch.backends.database.postgres.weights import get_sql_weights
    from wagtail.search.models import IndexEntry

    query = _postgres_query(lexemes)
    weights = get_sql_weights()
    rank = SearchRank(F("title"), query, weights=weights) * F("title_norm") + SearchRank(
        F("body"), query, weights=weights
    )
    service_id = Cast("object_id", BigIntegerField())
    return (
        IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(ServicePage))
        # The expression of the GIN index that search/migrations/0002 adds.
        .annotate(vector=CombinedExpression(F("title"), "||", F("body"), SearchVectorField()))
        .filter(vector=query)
        .order_by(rank.desc(), service_id.desc())
        .values_list(service_id)
    )


@functools.cache
def _default_config() -> str:
    """The configuration Wagtail's search uses when it names none. Named, the
    query is parsed once per search: without one, ``to_tsquery`` depends on
    a setting, so PostgreSQL parsed it again for each match and each rank
    (17,000 matches of a common word: 96 ms, named 54 ms)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW default_text_search_config")
        return cursor.fetchone()[0]
