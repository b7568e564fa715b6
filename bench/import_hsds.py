#!/usr/bin/env python
"""How fast ``manage.py import_hsds --publish`` imports an HSDS tabular
package, and how much memory it takes.

    .venv/bin/python bench/import_hsds.py [--size 10000] [--workdir /tmp/x]

Two SQLite databases in ``--workdir`` (a temporary folder by default):

1. the source: ``migrate``, ``load_demo``, then ``--size`` synthetic services
   (bench/search_benchmark.py's Generator, as the search and export benchmarks
   use), exported with ``export_hsds`` into a package folder (a child
   process, so its memory does not count);
2. the target: a copy of the source as it was after ``load_demo`` (same
   site, wijken and taxonomies), emptied of partners and services as a new
   coalition's directory, then the whole package (the demo's services and
   the generated ones) imported with ``--publish``: timed, with the
   process's peak resident memory during the import (Linux VmHWM, reset
   before it).

The results go to stdout and to bench/results/import-<time>.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
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


def make_package(workdir: Path, size: int, seed: int) -> Path:
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
    log(f"generating {size} services", "import")
    Generator(size, seed, 0.0, "import").run()
    package = workdir / "package"
    package.mkdir()
    call_command("export_hsds", str(package), stdout=io.StringIO())
    return package


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--workdir")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--make-package", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="hsds-import-bench-"))
    if args.make_package:
        make_package(workdir, args.size, args.seed)
        return 0

    package = workdir / "package"
    if not package.exists():
        log(f"source database and package in {workdir}", "import")
        subprocess.run(  # noqa: S603 - this script with its own arguments
            [sys.executable, __file__, "--make-package", "--size", str(args.size)]
            + ["--workdir", str(workdir), "--seed", str(args.seed)],
            check=True,
            env={**os.environ},
        )
    target = workdir / "target.sqlite3"
    shutil.copyfile(workdir / "skeleton.sqlite3", target)
    setup_django(f"sqlite:///{target}")
    from directory.models import ServicePage
    from hsds.importer import Importer
    from hsds.package import Package

    empty_directory()
    before = ServicePage.objects.count()
    reset = reset_peak_rss()
    started = time.perf_counter()
    read = Package(package)
    read_seconds = time.perf_counter() - started
    report = Importer(read, publish=True).run()
    seconds = time.perf_counter() - started
    peak_kb = rss_kb("VmHWM") if reset else None
    services = report.created["service"] + report.updated["service"]
    result = {
        "code": git_state(),
        "machine": machine_description(),
        "package_services": len(read.tables["service"]),
        "created": report.created["service"],
        "updated": report.updated["service"],
        "unchanged": report.unchanged["service"],
        "refused": report.refused["service"],
        "pages_before": before,
        "pages_after": ServicePage.objects.count(),
        "read_seconds": round(read_seconds, 1),
        "seconds": round(seconds, 1),
        "services_per_s": round(services / seconds, 1),
        "rss_peak_mb": round(
            (peak_kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1
        ),
        "rss_peak_kind": "VmHWM" if reset else "ru_maxrss (since start)",
    }
    if services:
        result["minutes_for_100k_extrapolated"] = round(100_000 / result["services_per_s"] / 60, 1)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"import-{time.strftime('%Y-%m-%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
