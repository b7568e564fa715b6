#!/usr/bin/env python
"""What a process pays to bring its search rows up to date after a change,
on the national data that ``bench/national.py --stage load`` kept.

    .venv/bin/python bench/rows_update.py --workdir /work/bench-national-300k
        [--rounds 30] [--output results.json]

Starts the kept PostgreSQL only. Reads every row (``Snapshot.load``) three
times, then, ``--rounds`` times, changes one generated service in all its
languages the way an editor's publication does (its rows rewritten by
``search.rows.sync_rows``): every third round a new title, so the rows move
in title order, otherwise a new date of verification and another cost. After
each change it times ``snapshot.current()``, which patches the rows changed,
and checks after the first and the last change that the patched rows are
the rows read whole. Everything runs in one transaction that is rolled back:
the kept data stay as they were.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import national  # noqa: E402


class RolledBack(Exception):
    pass


def same_rows(patched, whole) -> bool:
    import numpy as np

    def entries(rows, facet):
        values = rows.facets[facet]
        order = np.lexsort((values.code, values.row))
        return [
            (pk, values.values[code])
            for pk, code in zip(
                rows.pk[values.row[order]].tolist(), values.code[order].tolist(), strict=True
            )
        ]

    def located(rows):
        return sorted(zip(rows.pk[rows.location_row].tolist(), rows.latitude.tolist(), strict=True))

    return (
        np.array_equal(patched.pk, whole.pk)
        and np.array_equal(patched.verified, whole.verified)
        and all(np.array_equal(patched.codes[n], whole.codes[n]) for n in whole.codes)
        # The same translations: each number of one stands for one of the other.
        and len(set(zip(patched.translation.tolist(), whole.translation.tolist(), strict=True)))
        == len(set(whole.translation.tolist()))
        and all(sorted(entries(patched, f)) == sorted(entries(whole, f)) for f in whole.facets)
        and located(patched) == located(whole)
    )


def measure(rounds: int) -> dict:
    from django.db import transaction

    from directory.choices import Cost
    from directory.collation import title_key
    from directory.models import ServicePage
    from search import snapshot
    from search.rows import sync_rows

    loads = []
    for _ in range(3):
        start = time.perf_counter()
        whole = snapshot.Snapshot.load()
        loads.append(time.perf_counter() - start)
    print(f"{len(whole):,} rows read whole: {', '.join(f'{s:.2f}' for s in loads)} s", flush=True)

    rng = random.Random(5)  # noqa: S311 - which services to change
    keys = list(
        ServicePage.objects.filter(slug__startswith="bench-", locale__language_code="nl")
        .order_by("pk")
        .values_list("translation_key", flat=True)[:50_000]
    )
    patches, checked = [], []
    try:
        with transaction.atomic():
            snapshot._latest = whole
            for round_number in range(rounds):
                services = ServicePage.objects.filter(translation_key=rng.choice(keys))
                if round_number % 3 == 0:
                    for service in services:
                        title = (
                            f"{rng.choice('ABCDEFGHKLMNPRSTVWZ')}{service.title[1:]} {round_number}"
                        )
                        services.filter(pk=service.pk).update(
                            title=title, title_key=title_key(title)
                        )
                else:
                    services.update(
                        last_verified=datetime.date.today() - datetime.timedelta(days=round_number),
                        cost=rng.choice(Cost.values),
                    )
                ids = list(services.values_list("pk", flat=True))
                sync_rows(ids)
                start = time.perf_counter()
                rows = snapshot.current()
                patches.append((time.perf_counter() - start, len(ids)))
                if not rows.patched:
                    raise RuntimeError("every row was read again, not patched")
                if round_number in (0, rounds - 1):
                    checked.append(same_rows(rows, snapshot.Snapshot.load()))
                print(
                    f"round {round_number + 1:2}: {len(ids)} rows "
                    f"{'retitled' if round_number % 3 == 0 else 'changed'}, "
                    f"patched in {patches[-1][0] * 1000:.1f} ms",
                    flush=True,
                )
            raise RolledBack
    except RolledBack:
        pass
    times = [seconds * 1000 for seconds, _n in patches]
    result = {
        "rows": len(whole),
        "read_whole_s": [round(s, 2) for s in loads],
        "patched_ms_p50": round(statistics.median(times), 1),
        "patched_ms_max": round(max(times), 1),
        "rows_changed_per_round": sorted({n for _s, n in patches}),
        "patched_equals_read_whole": checked,
    }
    print(json.dumps(result), flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--pg-port", type=int, default=54362)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    settings = {"SEARCH_ENGINE_URL": "", "CACHE_URL": "locmemcache://"}
    with national.kept_database(args.workdir, args.pg_port, settings):
        from django.core.management import call_command

        call_command("migrate", "--noinput", "-v0")
        result = {"commit": national.short_commit(), "rounds": args.rounds, **measure(args.rounds)}
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(result["patched_equals_read_whole"]) else 1


if __name__ == "__main__":
    sys.exit(main())
