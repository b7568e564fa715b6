"""A resident's long query within the engine's clause limit: the engine
refuses a query that expands into more clauses than its
``indices.query.bool.max_clause_count``, and a list of a dozen needs, each
with its forms and thesaurus terms, came to more than that before any word
start was expanded. A query is sent as it is unless the engine refused it
for its size, or would certainly refuse it. Whether the engine then answers
it is tests/search/test_faults.py's."""

import pytest

from search.analysis import WordGroup
from search.backends.engine import EXPANSIONS, fitted


def group(word: str, alternatives: int) -> WordGroup:
    # The resident's word first, then its thesaurus terms.
    terms = [((f"{word}{n}", True),) for n in range(alternatives - 1)]
    return WordGroup(word, [((word, True),), *terms])


@pytest.fixture(autouse=True)
def limit(settings):
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "MAX_CLAUSES": 1024}


def test_a_query_within_the_limit_is_sent_whole_with_every_expansion():
    # 10 groups of 7 alternatives: 560 clauses before expanding, 630 with typos.
    groups = [group(f"woord{n}", 7) for n in range(10)]
    assert fitted(groups) == (groups, EXPANSIONS)


def smaller(groups, kept, expansions):
    assert [g.text for g in kept] == [g.text for g in groups]
    for before, after in zip(groups, kept, strict=True):
        assert 1 <= len(after.alternatives) <= len(before.alternatives)
        assert after.alternatives == before.alternatives[: len(after.alternatives)]
    assert sum(len(g.alternatives) for g in kept) < sum(len(g.alternatives) for g in groups)
    assert 1 <= expansions < EXPANSIONS


def test_a_query_over_the_limit_before_expanding_keeps_each_words_first_alternatives():
    groups = [group(f"woord{n}", 20) for n in range(12)]
    smaller(groups, *fitted(groups))
    # The groups asked for are left as they were.
    assert all(len(g.alternatives) == 20 for g in groups)


def test_a_query_the_engine_refused_is_made_smaller():
    groups = [group(f"woord{n}", 7) for n in range(10)]
    smaller(groups, *fitted(groups, refused=True))


def test_a_query_held_twice_is_made_smaller_still():
    groups = [group(f"woord{n}", 20) for n in range(12)]
    once, _ = fitted(groups, refused=True)
    twice, _ = fitted(groups, copies=2, refused=True)
    assert sum(len(g.alternatives) for g in twice) < sum(len(g.alternatives) for g in once)
