#!/usr/bin/env python
"""How fast ``manage.py export_hsds`` writes the HSDS tabular package, and
whether its memory stays flat as the directory grows.

    .venv/bin/python bench/export_hsds.py [--sizes 2000 10000]
        [--database-url sqlite:////tmp/bench.sqlite3] [--chunk-size 500]

On a fresh SQLite database (or the one given; the script adds services to
it, so never give it one you keep) it runs ``migrate`` and ``load_demo``,
then for every size in turn generates synthetic services up to that many
(bench/search_benchmark.py's Generator, the one the search benchmark uses
for 10k and 100k services) and exports the whole directory twice into a
temporary folder:

1. timed: seconds, rows/s, services/s and the process's peak resident
   memory during the export (Linux VmHWM, reset before it; ru_maxrss where
   that is not allowed);
2. under tracemalloc: the peak of Python's own allocations during the
   export, which is what would grow if the export kept rows in memory.

The results go to stdout as a table and to bench/results/export-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_benchmark import (  # noqa: E402 - after the path above
    DEFAULT_SEED,
    ROOT,
    Generator,
    git_state,
    log,
    machine_description,
    reset_peak_rss,
    rss_kb,
    setup_django,
)

RESULTS_DIR = ROOT / "bench" / "results"


def export_once(chunk_size: int, *, trace: bool) -> dict:
    from wagtail.models import Locale

    from hsds import tabular

    locale = Locale.objects.get(language_code="nl")
    with tempfile.TemporaryDirectory(prefix="hsds-bench-") as folder:
        reset = reset_peak_rss()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        counts = tabular.export(Path(folder), locale, chunk_size=chunk_size)
        seconds = time.perf_counter() - started
        result = {"seconds": round(seconds, 2), "counts": counts}
        if trace:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            result["python_peak_mb"] = round(peak / 2**20, 1)
        else:
            peak_kb = rss_kb("VmHWM") if reset else None
            result["rss_peak_mb"] = round(
                (peak_kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1
            )
            result["rss_peak_kind"] = "VmHWM" if reset else "ru_maxrss (since start)"
        result["package_mb"] = round(
            sum(path.stat().st_size for path in Path(folder).iterdir()) / 2**20, 1
        )
    rows = sum(counts.values())
    result["rows"] = rows
    result["rows_per_s"] = round(rows / seconds)
    result["services_per_s"] = round(counts["service"] / seconds)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--database-url")
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if sorted(args.sizes) != args.sizes:
        parser.error("--sizes must grow: each size adds services to the one before")

    workdir = tempfile.mkdtemp(prefix="hsds-export-bench-")
    setup_django(args.database_url or f"sqlite:///{workdir}/bench.sqlite3")
    from django.core.management import call_command

    from coalition.models import PartnerAccess
    from directory.demo.loader import load_demo
    from directory.models import ServicePage

    call_command("migrate", interactive=False, verbosity=0)
    if not PartnerAccess.objects.exists():
        log("load_demo", "export")
        load_demo()

    report = {"code": git_state(), "machine": machine_description(), "runs": []}
    generated = 0
    for number, size in enumerate(args.sizes):
        log(f"generating {size - generated} services (to {size})", "export")
        Generator(size - generated, args.seed + number, 0.0, "export").run()
        generated = size
        log(f"exporting ({ServicePage.objects.live().count()} live pages)", "export")
        timed = export_once(args.chunk_size, trace=False)
        traced = export_once(args.chunk_size, trace=True)
        services = timed["counts"]["service"]  # shown, in Dutch or their Dutch original
        run = {"generated": size, "services": services, "timed": timed, "traced": traced}
        report["runs"].append(run)
        log(json.dumps(run), "export")

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"export-{time.strftime('%Y-%m-%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        "| services exported | rows | seconds | rows/s | services/s "
        "| peak RSS (MB) | peak Python heap (MB) | package (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in report["runs"]:
        timed = run["timed"]
        print(
            f"| {run['services']:,} | {timed['rows']:,} | {timed['seconds']} "
            f"| {timed['rows_per_s']:,} | {timed['services_per_s']:,} | {timed['rss_peak_mb']} "
            f"| {run['traced']['python_peak_mb']} | {timed['package_mb']} |"
        )
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
