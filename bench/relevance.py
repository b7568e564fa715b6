#!/usr/bin/env python
"""Relevance of search in residents' own words: success@3 and MRR per language.

    .venv/bin/python bench/relevance.py                        # SQLite: database backend and OpenSearch
    .venv/bin/python bench/relevance.py --backends database    # without OpenSearch
    WIJKWIJZER_PG_PORT=54335 scripts/with-postgres .venv/bin/python bench/relevance.py
    .venv/bin/python bench/relevance.py --failures             # and every query that missed

Runs the queries of ``tests/search/relevance/queries/`` through the one query API
(``search.query.search_services``) in each query's language, the way
``tests/search/relevance/test_relevance.py`` does, and prints a markdown table for
the README. Without ``DATABASE_URL`` it builds a throw-away SQLite database; with
one (as ``scripts/with-postgres`` exports) it uses that database, loading the demo
directory when it has none. The engine is a real OpenSearch node on 127.0.0.1
(``tests/engine``), indexed from the same database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("database", "engine")


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ["DATABASE_URL"] = database_url
    # Test settings: in-memory cache and storage, tasks run at once, no DEBUG.
    os.environ["DJANGO_SETTINGS_MODULE"] = "wijkwijzer.settings.test"
    os.environ["SEARCH_ENGINE_URL"] = ""  # switched on for the engine run only
    import django

    django.setup()


def prepare_database() -> str:
    from django.core.management import call_command
    from django.db import connection

    from directory.models import ServicePage

    call_command("migrate", interactive=False, verbosity=0)
    if not ServicePage.objects.exists():
        from directory.demo.loader import load_demo

        log("loading the demo directory")
        load_demo()
    return connection.vendor


def use_engine(url: str | None) -> None:
    from django.conf import settings
    from django.core.cache import cache

    # A patient timeout: on a busy machine the database would otherwise answer
    # some queries instead of the engine, and those would not measure the engine.
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": url or "", "TIMEOUT": 10.0}
    cache.clear()


def index_engine(url: str) -> None:
    from search.engine.client import Engine
    from search.engine.indexing import rebuild

    rebuild(Engine(url=url, for_indexing=True))


def measure(name: str, queries) -> tuple[dict, list]:
    from tests.search.relevance.suite import run, score

    started = time.perf_counter()
    outcomes = run(queries)
    degraded = sum(outcome.degraded for outcome in outcomes)
    log(f"{name}: {len(outcomes)} queries in {time.perf_counter() - started:.1f} s")
    if degraded:
        log(f"{name}: {degraded} queries were answered by the database instead (degraded)")
    return score(outcomes), outcomes


def commit() -> str:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--failures", action="store_true", help="list every query that missed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wijkwijzer-relevance-") as workdir:
        setup_django(os.environ.get("DATABASE_URL") or f"sqlite:///{Path(workdir) / 'demo.db'}")
        vendor = prepare_database()

        from tests.search.relevance.suite import (
            HELDOUT_DIR,
            failure_table,
            load_queries,
            score_table,
        )

        queries = load_queries()
        # Printed beside the main set, never tuned on (tests/search/relevance/README.md).
        heldout = load_queries(folder=HELDOUT_DIR)
        scores, outcomes, heldout_scores = {}, {}, {}
        if "database" in args.backends:
            use_engine(None)
            scores[vendor], outcomes[vendor] = measure(vendor, queries)
            heldout_scores[vendor], _ = measure(f"{vendor} held-out", heldout)
        if "engine" in args.backends:
            from tests.engine.node import OpenSearchNode

            node = OpenSearchNode(heap="1g")
            try:
                log(f"starting OpenSearch on {node.url}")
                node.start()
                index_engine(node.url)
                use_engine(node.url)
                scores["opensearch"], outcomes["opensearch"] = measure("opensearch", queries)
                heldout_scores["opensearch"], _ = measure("opensearch held-out", heldout)
            finally:
                node.stop()

    print(
        f"Relevance on {datetime.date.today().isoformat()} at {commit()}: "
        f"{len(queries)} queries, success@3 (S@3) and MRR@10 per language"
        + (f"; opensearch indexed from {vendor}" if "opensearch" in scores else "")
        + ".\n"
    )
    print(score_table(scores))
    print(
        f"\nHeld-out queries ({len(heldout)}, written before the last round of tuning "
        "and never tuned on; no floor):\n"
    )
    print(score_table(heldout_scores))
    if args.failures:
        for name, run_outcomes in outcomes.items():
            print(f"\nMissed on {name}:\n")
            print(failure_table(run_outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
