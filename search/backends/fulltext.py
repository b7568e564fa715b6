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
import re
from functools import reduce

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

from directory.models import ServicePage


def ranked_matches(text: str, words: str) -> QuerySet:
    """The ids of the services matching ``text``, best first, as a one-column
    ``values_list``: with every word (``words="and"``) or any (``"or"``)."""
    if connection.vendor != "postgresql":
        matches = ServicePage.objects.search(text, operator=words).get_queryset()
        return matches.values_list("pk")
    return _postgres(text, words)


def _postgres(text: str, words: str) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField

    from modelsearch.backends.database.postgres.query import Lexeme
    from modelsearch.backends.database.postgres.weights import get_sql_weights
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    # Split as Wagtail's PostgreSQL backend splits a plain-text query.
    terms = [term for term in re.split(r"[\s\-]+", text) if term]
    combine = operator.and_ if words == "and" else operator.or_
    query = SearchQuery(
        reduce(combine, (Lexeme(term) for term in terms)),
        search_type="raw",
        config=get_search_backend().config or _default_config(),
    )
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
