"""Runs the relevance queries through the one query API and scores the answers.

Shared by ``test_relevance.py`` (which fails below the target) and
``bench/relevance.py`` (which prints the table for the README), so both measure
the same thing: success@3 (an expected service among the first three hits) and
mean reciprocal rank over the first ten hits (MRR@10), per language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

QUERIES_DIR = Path(__file__).with_name("queries")
# Queries written before a round of tuning and never tuned on: a score that
# rises on ``queries/`` but not here describes the suite, not the search.
HELDOUT_DIR = Path(__file__).with_name("heldout")
LANGUAGES = ("nl", "en", "ar", "fa", "ti", "uk", "tr", "pl", "so")
TOP = 3
# Hits read per query: enough for a reciprocal rank that tells 4th from 10th.
DEPTH = 10


@dataclass(frozen=True)
class Query:
    language: str
    text: str
    expect: tuple[str, ...]
    kind: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    query: Query
    slugs: tuple[str, ...]  # the first DEPTH hits, best first
    degraded: bool = False  # the engine failed and the database answered

    @property
    def rank(self) -> int | None:
        """1-based position of the first expected service, if any in the hits read."""
        for position, slug in enumerate(self.slugs, start=1):
            if slug in self.query.expect:
                return position
        return None

    @property
    def found(self) -> bool:
        return self.rank is not None and self.rank <= TOP


@dataclass(frozen=True)
class Score:
    language: str
    queries: int
    found: int
    mrr: float

    @property
    def success(self) -> float:
        return self.found / self.queries if self.queries else 0.0


def load_queries(languages: tuple[str, ...] = LANGUAGES, folder: Path = QUERIES_DIR) -> list[Query]:
    queries = []
    for language in languages:
        rows = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
        queries += [
            Query(
                language=language,
                text=row["query"],
                expect=tuple(row["expect"]),
                kind=tuple(row.get("kind", ())),
                note=row.get("note", ""),
            )
            for row in rows
        ]
    return queries


def run(queries: list[Query]) -> list[Outcome]:
    """Every query through ``search_services`` in its own language, as a resident
    with that interface language would search."""
    from wagtail.models import Locale

    from search.query import ServiceQuery, search_services

    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    outcomes = []
    for query in queries:
        results = search_services(
            ServiceQuery(text=query.text), locales[query.language], per_page=DEPTH
        )
        slugs = tuple(hit.service.slug for hit in results.page)
        outcomes.append(Outcome(query=query, slugs=slugs, degraded=results.degraded))
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, Score]:
    """Success@3 and MRR@10 per language, in the order of LANGUAGES, and "all"."""
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(outcome.query.language, []).append(outcome)
    ordered = [language for language in LANGUAGES if language in groups]
    groups = {language: groups[language] for language in ordered} | {"all": outcomes}
    return {
        language: Score(
            language=language,
            queries=len(group),
            found=sum(outcome.found for outcome in group),
            mrr=sum(1 / outcome.rank for outcome in group if outcome.rank) / len(group),
        )
        for language, group in groups.items()
        if group
    }


def score_table(scores_by_run: dict[str, dict[str, Score]]) -> str:
    """A markdown table: one row per language, two columns per run (success@3, MRR)."""
    runs = list(scores_by_run)
    languages = list(dict.fromkeys(lang for scores in scores_by_run.values() for lang in scores))
    header = ["language", "queries"] + [
        f"{run} {metric}" for run in runs for metric in ("S@3", "MRR")
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for language in languages:
        counts = {
            scores[language].queries for scores in scores_by_run.values() if language in scores
        }
        cells = [language, "/".join(str(count) for count in sorted(counts))]
        for run_name in runs:
            found = scores_by_run[run_name].get(language)
            cells += [f"{found.success:.0%}", f"{found.mrr:.2f}"] if found else ["", ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failure_table(outcomes: list[Outcome]) -> str:
    """Every query without an expected service in the top 3, with what came instead."""
    rows = [outcome for outcome in outcomes if not outcome.found]
    lines = [
        "| lang | query | expected (any) | rank | top 3 got |",
        "| --- | --- | --- | --- | --- |",
    ]
    for outcome in rows:
        query = outcome.query
        lines.append(
            f"| {query.language} | {query.text} | {', '.join(query.expect)} "
            f"| {outcome.rank or '-'} | {', '.join(outcome.slugs[:TOP]) or '(nothing)'} |"
        )
    return "\n".join(lines)
