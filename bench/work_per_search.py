#!/usr/bin/env python
"""The least time each national search can take on this machine: the work the
search nodes and PostgreSQL do for it, spread over every core (issue #17).

    .venv/bin/python -u bench/work_per_search.py --workdir /work/bench-national-300k

On the data ``bench/national.py --stage load`` left, with the national query
mix of ``national.py --stage measure`` (same seed, same 300 searches):

- **Engine.** Each search goes through ``search_services`` once, which records
  the requests it sends (``national.Recorder``). Each search's requests are
  then sent again on their own, ``--repeat`` times, one after the other, with
  the shard request cache off. Its work is the processor time the three
  search nodes' JVMs spent meanwhile (user and system time from /proc, less
  what they spend idle), per repeat. A counting request that an earlier search
  of the mix already sent is left out: in the measured run the shard request
  cache answers it.
- **Database backend on PostgreSQL.** Each text search goes through
  ``search_services`` on the database backend once, which records the word
  groups it asks PostgreSQL for (``fulltext.analysed_matches``). Each ask is
  then made again without ranking, only finding the matching index entries
  through the GIN index, with parallel workers off, so that its time is one
  core's work; the fastest of three. That is less than the database backend
  does: it also ranks every match and flags which groups each one has.

A search cannot end sooner than its work divided by the number of cores, so
the 95th percentile of that, over the mix, is the least p95 that any code in
the app could reach here. The app's own processor time and the filter and
distance searches' work in the app are left out (counted as nothing), so the
bound is low, never high. Needs a quiet machine; prints a table and writes
``bench/results/work-per-search-<time>.json``. See bench/README.md, "National
scale".
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import national  # noqa: E402 - bench/national.py
import search_benchmark as sb  # noqa: E402 - bench/search_benchmark.py
from engine_parts import no_request_cache  # noqa: E402 - bench/engine_parts.py

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
TARGETS_MS = {"engine": 50, "database": 150}


def cpu_ms(pids: list[int]) -> float:
    """User and system time of every thread of ``pids`` so far."""
    total = 0
    for pid in pids:
        # After the command name, which may hold spaces: fields 14 and 15.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total * TICK_MS


def idle_rate(pids: list[int], seconds: float = 5) -> float:
    """Processor ms per second the nodes spend with no search to answer."""
    before, started = cpu_ms(pids), time.perf_counter()
    time.sleep(seconds)
    return (cpu_ms(pids) - before) / (time.perf_counter() - started)


def engine_work(client, pids: list[int], recorded: list[list[dict]], repeat: int) -> list[float]:
    """Processor ms of the three nodes per search, as described above."""
    counted: set[str] = set()
    idle = idle_rate(pids)
    work = []
    for rounds in recorded:
        hits, counts = [], []
        for one in rounds:
            hits += one["searches"]
            body = one["msearch"] or []
            for header, search in zip(body[::2], body[1::2], strict=True):
                key = json.dumps([header, search], sort_keys=True)
                if key not in counted:
                    counted.add(key)
                    counts += [header, search]
        started_cpu, started = cpu_ms(pids), time.perf_counter()
        for _ in range(repeat):
            for search in hits:
                client.search(index=search["index"], body=search["body"], request_cache=False)
            if counts:
                client.msearch(body=no_request_cache(counts))
        spent = cpu_ms(pids) - started_cpu - idle * (time.perf_counter() - started)
        work.append(max(spent, 0) / repeat)
    return work


def recorded_asks(specs: list[dict]) -> list[list[tuple]]:
    """Per search of ``specs`` on the database backend, the (groups, words)
    it asked PostgreSQL for."""
    from django.conf import settings

    from search.backends import fulltext

    asks: list[tuple] = []
    original = fulltext.analysed_matches

    def recording(groups, words):
        asks.append((groups, words))
        return original(groups, words)

    per_search = []
    url, settings.SEARCH_ENGINE["URL"] = settings.SEARCH_ENGINE["URL"], ""
    fulltext.analysed_matches = recording
    try:
        for spec in specs:
            asks.clear()
            national.run_searches([spec], "database")
            per_search.append(list(asks))
    finally:
        fulltext.analysed_matches = original
        settings.SEARCH_ENGINE["URL"] = url
    return per_search


def database_work(per_search: list[list[tuple]]) -> tuple[list[float], list[int]]:
    """Per search, the ms PostgreSQL takes on one core only to find the
    entries its asks match, and the most entries one ask matched."""
    from django.db import connection

    from search.backends import fulltext

    work, entries = [], []
    for asks in per_search:
        spent, most = 0.0, 0
        for groups, words in asks:
            found = fulltext._postgres_ranked(groups, words).order_by().values_list("object_id")
            sql, params = found.query.sql_with_params()
            tries = []
            with fulltext._through_the_index(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                for _ in range(3):
                    started = time.perf_counter()
                    cursor.execute(sql, params)
                    rows = cursor.fetchall()
                    tries.append((time.perf_counter() - started) * 1000)
            spent += min(tries)
            most = max(most, len(rows))
        work.append(spent)
        entries.append(most)
    return work, entries


def bound(work: list[float], cores: int, target: float) -> dict:
    floors = [one / cores for one in work]
    return {
        "work_ms": sb.latency_stats(work),
        "least_time_ms": sb.latency_stats(floors),
        f"searches_over_{target:g}_ms": sum(1 for one in floors if one > target),
    }


def measure(args, stack) -> dict:
    pids = [node.process.pid for node in stack.search.nodes]
    cores = os.cpu_count() or 1
    client, specs, searched = national.recorded_mix(args, stack)
    national.log(f"replaying each alone {args.repeat} times, counting the nodes' processor time")
    engine = engine_work(client, pids, searched["recorded"], args.repeat)
    national.log("the database backend: recording what each search asks PostgreSQL")
    asks = recorded_asks(specs)
    national.log("finding each ask's matches again, without ranking")
    database, entries = database_work(asks)
    kinds = [spec["kind"] for spec in specs]
    text = [i for i, kind in enumerate(kinds) if kind == "text"]
    return {
        "commit": national.short_commit(),
        "cores": cores,
        "queries": len(specs),
        "repeat": args.repeat,
        "engine": {
            **bound(engine, cores, TARGETS_MS["engine"]),
            "text_work_ms": sb.latency_stats([engine[i] for i in text]),
        },
        "database": {
            **bound(database, cores, TARGETS_MS["database"]),
            "text_work_ms": sb.latency_stats([database[i] for i in text]),
            "entries_of_text_searches": sb.latency_stats([entries[i] for i in text]),
            "ms_per_1000_entries": round(
                sum(database[i] for i in text) / max(sum(entries[i] for i in text), 1) * 1000, 2
            ),
        },
        "per_search": [
            {"kind": kind, "engine_ms": round(e, 1), "database_ms": round(d, 1), "entries": n}
            for kind, e, d, n in zip(kinds, engine, database, entries, strict=True)
        ],
    }


def table(result: dict) -> str:
    cores = result["cores"]
    lines = [
        f"{result['queries']} searches, {cores} cores; ms (p50 / p95 / max)",
        f"{'':44} {'work':>22} {'least time':>22} {'over target':>12}",
    ]
    for name, label in (("engine", "engine: the nodes' processor time"),
                        ("database", "database: finding the matches alone")):  # fmt: skip
        part, target = result[name], TARGETS_MS[name]
        work, least = part["work_ms"], part["least_time_ms"]
        lines.append(
            f"{label:44} {work['p50']:7.1f} {work['p95']:7.1f} {work['max']:7.1f}"
            f" {least['p50']:7.1f} {least['p95']:7.1f} {least['max']:7.1f}"
            f" {part[f'searches_over_{target:g}_ms']:7} > {target} ms"
        )
    entries = result["database"]["entries_of_text_searches"]
    lines.append(
        f"text searches' index entries matched: p50 {entries['p50']:,.0f}, p95 "
        f"{entries['p95']:,.0f}, max {entries['max']:,.0f}; "
        f"{result['database']['ms_per_1000_entries']} ms per 1,000"
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = national.kept_servers_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    return national.on_kept_servers(args, measure, table, "work-per-search")


if __name__ == "__main__":
    sys.exit(main())
