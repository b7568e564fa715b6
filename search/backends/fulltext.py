"""Words matched and ranked in Wagtail's database search index.

On PostgreSQL the index table is read on its own: asking Wagtail's search for
services joins every match to the service table on a text cast of its id,
which at 100,000 services took two thirds of a common word's 180 ms. The
query is the one Wagtail's PostgreSQL backend builds (its lexemes, its
configuration, its weights and ranking: the title rank times the title's
norm, plus the body rank), so the order is the same. One query answers a
search: the ranked matches with, for each word group, whether the service
matches it and whether its title does. SQLite's FTS5 table is searched
through Wagtail, one query for the matches and two per group for the rest.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

from directory.models import ServicePage

from ..analysis import WordGroup
from ..snapshot import fetch


@dataclass
class Matches:
    """The services matching a query's word groups, best first, and how many
    groups each matches, anywhere and in its title."""

    ranked: list[int]
    # No service has every group: these are the services with some of them.
    some_words: bool = False
    anywhere: Counter = field(default_factory=Counter)
    in_title: Counter = field(default_factory=Counter)


def matches(groups: list[WordGroup]) -> Matches:
    """Every group if any service has them all, else any of them."""
    found = analysed_matches(groups, "and")
    if not found.ranked and len(groups) > 1:
        found = analysed_matches(groups, "or")
        found.some_words = True
    return found


def coverage(groups: list[WordGroup]) -> tuple[Counter, Counter]:
    """How many of the word groups each service matches, by id: anywhere,
    and in its title. Services that answer more of what the resident asked
    ("water leak in my house": the leak *and* the house), and those whose
    title says it, come before those that mention one word of it in passing,
    however often."""
    if connection.vendor == "postgresql":
        found = analysed_matches(groups, "or")
        return found.anywhere, found.in_title
    anywhere: Counter = Counter()
    in_title: Counter = Counter()
    for group in groups:
        anywhere.update(pk for (pk,) in _sqlite([group], "and"))
        in_title.update(pk for (pk,) in _sqlite([_as_title_words(group)], "and", columns="title"))
    return anywhere, in_title


def analysed_matches(groups: list[WordGroup], words: str) -> Matches:
    """The services matching the analysed query's word groups, best first:
    every group (``words="and"``) or any (``"or"``), each group by any of its
    alternatives (search/analysis.py)."""
    if connection.vendor != "postgresql":
        ranked = [pk for (pk,) in _sqlite(groups, words)]
        return Matches(ranked, False, *coverage(groups)) if ranked else Matches(ranked)
    found = Matches([])
    with _through_the_index():
        rows = fetch(_postgres_ranked(groups, words))
    for pk, *flags in rows:
        found.ranked.append(pk)
        if words == "and":
            # Every match has every group.
            found.anywhere[pk] = len(groups)
            found.in_title[pk] = sum(flags)
        else:
            found.anywhere[pk] = sum(flags[: len(groups)])
            found.in_title[pk] = sum(flags[len(groups) :])
    return found


@contextmanager
def _through_the_index():
    """PostgreSQL's planner reads every index entry rather than use the index
    on ``title || body`` for a common word: it counts matching a row as
    nearly free, yet each row's two vectors are read from TOAST, joined and
    matched. At 100,000 services the 17,557 matches of "maatje" took 410 ms
    that way and 70 ms through the index. ``random_page_cost`` at 1.1
    (solid-state storage) keeps it from the content-type index instead.
    Set for this transaction only and put back, as the query may run inside
    a caller's transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('random_page_cost')"
        )
        previous = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('enable_seqscan', 'off', true), "
            "set_config('random_page_cost', '1.1', true)"
        )
        yield
        # After an error the savepoint's rollback puts them back.
        cursor.execute(
            "SELECT set_config('enable_seqscan', %s, true), "
            "set_config('random_page_cost', %s, true)",
            previous,
        )


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


def _postgres_ranked(groups: list[WordGroup], words: str) -> QuerySet:
    """(id, flags...) of the services matching every group (``"and"``) or any
    (``"or"``), best first. The flags are 1 or 0: with ``"or"``, whether the
    service matches each group, then whether its title does; with ``"and"``
    only the titles, as every match has every group."""
    from django.contrib.postgres.search import SearchRank, SearchVectorField
    from django.db.models import Case, IntegerField, Q, Value, When

    from modelsearch.backends.database.postgres.weights import get_sql_weights
    from wagtail.search.models import IndexEntry

    def flag(condition: Q) -> Case:
        return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())

    lexemes = [_group_lexemes(group) for group in groups]
    combine = operator.and_ if words == "and" else operator.or_
    query = _postgres_query(reduce(combine, lexemes))
    weights = get_sql_weights()
    rank = SearchRank(F("title"), query, weights=weights) * F("title_norm") + SearchRank(
        F("body"), query, weights=weights
    )
    flags = {}
    if words != "and":
        for number, group in enumerate(lexemes):
            flags[f"in_group_{number}"] = flag(Q(vector=_postgres_query(group)))
    for number, group in enumerate(groups):
        title_query = _postgres_query(_group_lexemes(_as_title_words(group)))
        flags[f"in_title_{number}"] = flag(Q(title=title_query))
    service_id = Cast("object_id", BigIntegerField())
    return (
        IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(ServicePage))
        # The expression of the GIN index that search/migrations/0002 adds.
        .annotate(vector=CombinedExpression(F("title"), "||", F("body"), SearchVectorField()))
        .filter(vector=query)
        .annotate(**flags)
        .order_by(rank.desc(), service_id.desc())
        .values_list(service_id, *flags)
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
