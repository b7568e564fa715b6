#!/usr/bin/env python
"""How fast ``manage.py import_hsds --publish`` imports an HSDS tabular
package, and how much memory it takes.

    .venv/bin/python bench/import_hsds.py [--size 10000] [--workdir /tmp/x]
        [--database postgres] [--profile]

In ``--workdir`` (a temporary folder by default):

1. the source: a SQLite database with ``migrate`` and ``load_demo``, its
   services exported with ``export_hsds`` (a child process, so its memory
   does not count);
2. the package: the demo's rows multiplied up to ``--size`` services, each
   copy with fresh UUIDs (derived from the demo's ids and the copy's number,
   so the same size gives the same package) and its own page addresses,
   written a row at a time (``multiply``); the demo's partners, taxonomy
   and identifiers once;
3. the target: a copy of the source as it was after ``load_demo`` (same
   site, wijken and taxonomies), emptied of partners and services as a new
   coalition's directory (or, with ``--database postgres``, a PostgreSQL
   database at ``BENCH_POSTGRES_URL`` loaded the same way), then the whole
   package imported with ``--publish``: timed, with the process's peak
   resident memory during the import (Linux VmHWM, reset before it) and the
   load average. ``--profile`` runs it under cProfile and adds the functions
   that took the most time.

The results go to stdout and to bench/results/import-<time>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_benchmark import (  # noqa: E402 - after the path above
    DEFAULT_SEED,
    ROOT,
    git_state,
    log,
    machine_description,
    reset_peak_rss,
    rss_kb,
    setup_django,
)

RESULTS_DIR = ROOT / "bench" / "results"


def empty_directory() -> None:
    """No partners and services, as a new coalition's directory (as
    tests/hsds/test_import.py empties it)."""
    from wagtail.models import Page

    from coalition.models import PartnerAccess
    from directory.models import PartnerPage

    accesses = list(PartnerAccess.objects.all())
    for page in PartnerPage.objects.all():
        if Page.objects.filter(pk=page.pk).exists():
            page.delete()
    for access in accesses:
        for related in (access.editors, access.publishers, access.workflow, access.review_task):
            related.delete()
        access.collection.delete()


def make_package(workdir: Path, seed: int) -> Path:
    """In this process, as the child: the source database and its export."""
    setup_django(f"sqlite:///{workdir}/source.sqlite3")
    from django.core.management import call_command
    from django.db import connection

    from directory.demo.loader import load_demo

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    connection.close()
    # The target starts from here: the same site, wijken and taxonomies
    # (their ids are random per database), its partners removed.
    shutil.copyfile(workdir / "source.sqlite3", workdir / "skeleton.sqlite3")
    package = workdir / "demo-package"
    package.mkdir()
    call_command("export_hsds", str(package), stdout=io.StringIO())
    return package


# Columns that point at a service, location or service_at_location: a copy
# points at the copy.
POINTERS = ("id", "service_id", "location_id", "service_at_location_id", "link_id")
BASE = uuid.UUID("6f1b8c47-2f3e-4c1a-9e55-0d8f1f0b6a21")


def multiply(demo: Path, out: Path, size: int) -> int:
    """The demo package's services copied until there are ``size``; returns
    how many services the package has."""
    out.mkdir()
    shutil.copyfile(demo / "datapackage.json", out / "datapackage.json")

    def read(name: str) -> tuple[list[str], list[dict]]:
        with (demo / name).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    _, services = read("services.csv")
    _, locations = read("locations.csv")
    _, links = read("service_at_location.csv")
    copied = {row["id"] for row in services + locations + links}
    copies = -(-size // len(services))

    def fresh(value: str, copy: int) -> str:
        if copy == 0 or value not in copied:
            return value
        return str(uuid.uuid5(BASE, f"{copy}:{value}"))

    for path in sorted(demo.glob("*.csv")):
        header, rows = read(path.name)
        own = [r for r in rows if any(r.get(c) in copied for c in POINTERS)]
        with (out / path.name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows(r for r in rows if r not in own)
            for copy in range(copies):
                for number, row in enumerate(own):
                    if path.name == "services.csv" and copy * len(services) + number >= size:
                        break
                    row = dict(row)
                    for column in POINTERS:
                        if row.get(column) in copied:
                            row[column] = fresh(row[column], copy)
                    if copy and row.get("x_page_url"):
                        row["x_page_url"] = row["x_page_url"].rstrip("/") + f"-{copy}/"
                    writer.writerow(row)
    return min(size, copies * len(services))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def postgres_target(url: str, workdir: Path) -> None:
    """The PostgreSQL database at ``url`` as the SQLite skeleton: migrated
    and loaded with the demo (the import then empties it)."""
    setup_django(url)
    from django.core.management import call_command

    from directory.demo.loader import load_demo

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    load_demo()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workdir")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profile", action="store_true", help="Run the import under cProfile.")
    parser.add_argument(
        "--every", type=int, default=5000, help="A progress line per this many package rows."
    )
    parser.add_argument("--make-package", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="hsds-import-bench-"))
    if args.make_package:
        make_package(workdir, args.seed)
        return 0

    demo = workdir / "demo-package"
    if not demo.exists():
        log(f"source database and demo package in {workdir}", "import")
        subprocess.run(  # noqa: S603 - this script with its own arguments
            [sys.executable, __file__, "--make-package", "--workdir", str(workdir)],
            check=True,
            env={**os.environ},
        )
    package = workdir / f"package-{args.size}"
    if not package.exists():
        log(f"writing a package of {args.size} services", "import")
        multiply(demo, package, args.size)
    if args.database == "postgres":
        url = os.environ["BENCH_POSTGRES_URL"]
        postgres_target(url, workdir)
    else:
        target = workdir / "target.sqlite3"
        # A stopped run's journal would be rolled back into the fresh copy.
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(workdir / "skeleton.sqlite3", target)
        setup_django(f"sqlite:///{target}")
    from directory.models import ServicePage
    from hsds.importer import Importer
    from hsds.package import Package

    empty_directory()
    before = ServicePage.objects.count()
    log(f"importing {package}", "import")
    reset = reset_peak_rss()
    cpu_start = cpu_seconds()
    profile = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profile:
        profile.enable()
    read = Package(package, max_mb=4000)
    read_seconds = time.perf_counter() - started

    intervals = []
    last = {"done": 0, "cpu": 0.0, "at": 0.0}

    def progress(report, done: int, total: int) -> None:
        # A line per ``--every`` rows, so a long run shows its pace, the CPU
        # time per service of the last stretch (what grows with the directory,
        # if anything does) and memory as it goes.
        if done % args.every == 0 or done == total:
            now, cpu = time.perf_counter() - started, cpu_seconds() - cpu_start
            rate = report.created["service"] / now
            step = done - last["done"]
            interval = {
                "done": done,
                "seconds": round(now, 1),
                "cpu_seconds": round(cpu, 1),
                "cpu_ms_per_row_since_last": round(1000 * (cpu - last["cpu"]) / max(step, 1), 1),
                "rows_per_s_since_last": round(step / max(now - last["at"], 1e-9), 1),
                "rss_peak_mb": round(int(rss_kb("VmHWM") or 0) / 1024, 1),
                "load_1min": round(os.getloadavg()[0], 1),
            }
            intervals.append(interval)
            last.update(done=done, cpu=cpu, at=now)
            log(
                f"{done}/{total}, {rate:.1f} services/s, {cpu:.0f} CPU s "
                f"({interval['cpu_ms_per_row_since_last']} ms/row since the last line), "
                f"VmHWM {rss_kb('VmHWM')} kB, load {interval['load_1min']}",
                "import",
            )

    report = Importer(read, publish=True, progress=progress).run()
    read.close()
    seconds = time.perf_counter() - started
    if profile:
        profile.disable()
    peak_kb = rss_kb("VmHWM") if reset else None
    cpu = cpu_seconds() - cpu_start
    load = os.getloadavg()
    services = report.created["service"] + report.updated["service"]
    result = {
        "code": git_state(),
        "machine": machine_description(),
        "database": args.database,
        "load_average_after": [round(value, 2) for value in load],
        "package_services": services + report.refused["service"] + report.unchanged["service"],
        "created": report.created["service"],
        "updated": report.updated["service"],
        "unchanged": report.unchanged["service"],
        "refused": report.refused["service"],
        "pages_before": before,
        "pages_after": ServicePage.objects.count(),
        "live_after": ServicePage.objects.live().count(),
        "read_seconds": round(read_seconds, 1),
        "seconds": round(seconds, 1),
        "services_per_s": round(services / seconds, 1),
        # Other work on the machine's two cores slows the clock, not this:
        # the import is one process on one core, so alone it takes about this.
        "cpu_seconds": round(cpu, 1),
        "services_per_cpu_s": round(services / cpu, 1),
        "rss_peak_mb": round(
            (peak_kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1
        ),
        "rss_peak_kind": "VmHWM" if reset else "ru_maxrss (since start)",
        "progress": intervals,
    }
    if services:
        result["minutes_for_100k_extrapolated"] = round(100_000 / result["services_per_s"] / 60, 1)
        result["cpu_minutes_for_100k_extrapolated"] = round(
            100_000 / result["services_per_cpu_s"] / 60, 1
        )
    if profile:
        profile.dump_stats(str(workdir / "import.prof"))
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(45)
        result["profile_cumulative_top"] = text.getvalue().splitlines()
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"import-{time.strftime('%Y-%m-%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "profile_cumulative_top"}, indent=2))
    if profile:
        print("\n".join(result["profile_cumulative_top"]))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
