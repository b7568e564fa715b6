"""Residents find services in their own words, in every language, on both backends.

Every query of ``queries/<language>.json`` goes through the one query API in its
language (see README.md here). One test per backend runs them all, so a failure
lists every query that missed, not only the first.
"""

import pytest

from .suite import HELDOUT_DIR, LANGUAGES, failure_table, load_queries, run, score, score_table

pytestmark = pytest.mark.django_db

# The share of queries per language with an expected service in the top 3
# that issue #14 asks for, on every backend and in every language. Reached on
# 3 December 2026 on SQLite, PostgreSQL and OpenSearch
# (bench/measured/relevance-2026-12-03-*.md).
TARGET = 0.95


@pytest.fixture
def patient_engine(backend, settings):
    """A busy test machine can keep the engine past its one-second search
    timeout; the database would then answer, and the engine would go unmeasured."""
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "TIMEOUT": 10.0}
    return backend


def test_residents_find_services_in_their_own_words(patient_engine):
    backend = patient_engine
    outcomes = run(load_queries())
    scores = score(outcomes)

    assert not [outcome for outcome in outcomes if outcome.degraded], (
        f"the {backend} backend did not answer every query itself"
    )
    assert set(scores) == {*LANGUAGES, "all"}
    table = score_table({backend: scores})
    print(f"\nRelevance on the {backend} backend (target {TARGET:.0%} success@3):\n{table}")
    # The held-out queries are printed, never asserted: they show whether a
    # gain on the main set carries over to queries nobody tuned on.
    heldout = score_table({backend: score(run(load_queries(folder=HELDOUT_DIR)))})
    print(f"\nHeld-out queries on the {backend} backend (no floor):\n{heldout}")
    below = [language for language in LANGUAGES if scores[language].success < TARGET]
    assert not below, (
        f"success@3 fell below {TARGET:.0%} on the {backend} backend for {', '.join(below)}\n\n"
        f"{table}\n\n"
        f"Queries without an expected service in the top 3:\n{failure_table(outcomes)}"
    )
