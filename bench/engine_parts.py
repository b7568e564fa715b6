#!/usr/bin/env python
"""Where the engine's time goes: the national benchmark's searches (issue
#17) replayed part by part on the kept three-node cluster.

    .venv/bin/python bench/engine_parts.py --workdir /work/bench-national-300k

Starts the servers on the data ``bench/national.py --stage load`` left,
sends the query mix through ``search_services`` once to record the engine
requests each search sends, then replays them straight to the cluster, per
kind of search (text, filters, distance), with the shard request cache off:

- the hits search as sent, and without its highlight, its spelling
  suggestion, or both;
- the counting ``_msearch`` as sent (both groups), and each group alone;
- OpenSearch's profile API on the slowest text searches' query: the time
  the shard spent rewriting it (expanding prefixes and typos into terms),
  matching and collecting.

It needs a quiet machine. It prints a table and writes
``bench/results/engine-parts-<time>.json``. See bench/README.md, "National
scale".
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import national  # noqa: E402 - bench/national.py
import search_benchmark as sb  # noqa: E402 - bench/search_benchmark.py

KINDS = ("text", "facet", "distance")
# The hits search without the parts it may leave out.
HITS_VARIANTS = {
    "as sent": (),
    "without highlight": ("highlight",),
    "without suggestion": ("suggest",),
    "without both": ("highlight", "suggest"),
}


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def no_request_cache(msearch: list[dict]) -> list[dict]:
    """An _msearch body whose searches skip the shard request cache (a
    header line is every other line)."""
    return [
        {**line, "request_cache": False} if number % 2 == 0 else line
        for number, line in enumerate(msearch)
    ]


def replay_parts(client, recorded: list[list[dict]], kinds: list[str]) -> dict:
    parts: dict[str, dict] = {}
    for kind in KINDS:
        rounds = [
            one
            for searched, k in zip(recorded, kinds, strict=True)
            if k == kind
            for one in searched
        ]
        found: dict[str, list[float]] = {}
        for name, left_out in HITS_VARIANTS.items():
            found[f"hits {name}"] = [
                timed_ms(
                    lambda s=search, lo=left_out: client.search(
                        index=s["index"],
                        body={k: v for k, v in s["body"].items() if k not in lo},
                        request_cache=False,
                    )
                )
                for one in rounds
                for search in one["searches"]
            ]
        found["counts as sent"] = [
            timed_ms(lambda m=one["msearch"]: client.msearch(body=no_request_cache(m)))
            for one in rounds
        ]
        for group in (0, 1):
            found[f"count group {group + 1} alone"] = [
                timed_ms(
                    lambda m=one["msearch"][2 * group : 2 * group + 2]: client.msearch(
                        body=no_request_cache(m)
                    )
                )
                for one in rounds
                if len(one["msearch"]) > 2 * group
            ]
        parts[kind] = {name: sb.latency_stats(values) for name, values in found.items()}
    return parts


def profile_slowest(client, recorded: list[list[dict]], kinds: list[str], count: int) -> list[dict]:
    """The text searches whose counting query took longest (the fastest of
    three tries), each profiled once on whichever shard copy the cluster
    picks for it."""
    queries = []
    for searched, kind in zip(recorded, kinds, strict=True):
        if kind != "text":
            continue
        search = searched[0]["searches"][0]
        body = {"query": search["body"]["query"], "size": 0, "track_total_hits": True}
        took = min(
            timed_ms(
                lambda b=body, s=search: client.search(
                    index=s["index"], body=b, request_cache=False
                )
            )
            for _ in range(3)
        )
        queries.append((took, search["index"], body))
    queries.sort(key=lambda found: found[0], reverse=True)
    profiled = []
    for took, index, body in queries[:count]:
        answer = client.search(index=index, body={**body, "profile": True}, request_cache=False)
        shards = answer["profile"]["shards"]
        searches = [one for shard in shards for one in shard["searches"]]
        profiled.append(
            {
                "count_ms": round(took, 1),
                "matches": answer["hits"]["total"]["value"],
                "rewrite_ms": round(sum(s["rewrite_time"] for s in searches) / 1e6, 1),
                "query_ms": round(
                    sum(q["time_in_nanos"] for s in searches for q in s["query"]) / 1e6, 1
                ),
                "collect_ms": round(
                    sum(c["time_in_nanos"] for s in searches for c in s["collector"]) / 1e6, 1
                ),
                "clauses": json.dumps(body["query"]).count('"multi_match"'),
            }
        )
    return profiled


def measure(args, stack) -> dict:
    client, _specs, searched = national.recorded_mix(args, stack)
    kinds = searched["kinds"]
    national.log("replaying them part by part")
    parts = replay_parts(client, searched["recorded"], kinds)
    national.log(f"profiling the {args.profiled} slowest text searches")
    profiled = profile_slowest(client, searched["recorded"], kinds, args.profiled)
    return {
        "commit": national.short_commit(),
        "queries": len(kinds),
        "search_services_ms": searched["latency_ms"],
        "parts_ms": parts,
        "slowest_text_profiled": profiled,
    }


def table(result: dict) -> str:
    lines = [f"{'part':34} {'p50 ms':>8} {'p95 ms':>8} {'n':>5}"]
    for kind, parts in result["parts_ms"].items():
        lines.append(f"{kind} (search_services p50 {result['search_services_ms'][kind]['p50']}, "
                     f"p95 {result['search_services_ms'][kind]['p95']})")  # fmt: skip
        for name, stats in parts.items():
            if not stats["n"]:
                continue
            lines.append(f"  {name:32} {stats['p50']:8.1f} {stats['p95']:8.1f} {stats['n']:5}")
    lines.append("slowest text searches, counted alone and profiled on their shard:")
    for one in result["slowest_text_profiled"]:
        lines.append(
            f"  {one['count_ms']:7.1f} ms for {one['matches']:>7,} matches ({one['clauses']} "
            f"multi_match): rewrite {one['rewrite_ms']} ms, match {one['query_ms']} ms, "
            f"collect {one['collect_ms']} ms"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = national.kept_servers_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--profiled", type=int, default=8)
    args = parser.parse_args(argv)
    return national.on_kept_servers(args, measure, table, "engine-parts")


if __name__ == "__main__":
    sys.exit(main())
