"""How the relevance suite scores answers: success@3 and reciprocal rank."""

from .suite import Outcome, Query, failure_table, score, score_table


def outcome(language, expect, got):
    return Outcome(query=Query(language=language, text="q", expect=expect), slugs=got)


def test_any_expected_service_in_the_top_three_counts():
    assert outcome("nl", ("a", "b"), ("x", "y", "b")).found
    assert not outcome("nl", ("a",), ("x", "y", "z", "a")).found
    assert not outcome("nl", ("a",), ()).found


def test_the_rank_is_that_of_the_first_expected_service():
    assert outcome("nl", ("a", "b"), ("x", "b", "a")).rank == 2
    assert outcome("nl", ("a",), ("x", "y")).rank is None


def test_scores_per_language_and_overall():
    scores = score(
        [
            outcome("en", ("a",), ("a",)),  # rank 1
            outcome("en", ("a",), ("x", "x", "x", "a")),  # rank 4: not found, 1/4
            outcome("nl", ("a",), ("x", "a")),  # rank 2
        ]
    )
    assert list(scores) == ["nl", "en", "all"]
    assert (scores["en"].queries, scores["en"].found, scores["en"].mrr) == (2, 1, 0.625)
    assert scores["en"].success == 0.5
    assert (scores["all"].found, round(scores["all"].mrr, 4)) == (2, round(1.75 / 3, 4))


def test_tables_show_every_run_and_every_miss():
    outcomes = [outcome("nl", ("a",), ("x", "y", "z")), outcome("nl", ("b",), ("b",))]
    table = score_table({"sqlite": score(outcomes), "opensearch": score(outcomes)})
    assert "| nl | 2 | 50% | 0.50 | 50% | 0.50 |" in table
    misses = failure_table(outcomes)
    assert "| nl | q | a | - | x, y, z |" in misses
    assert "| b |" not in misses
