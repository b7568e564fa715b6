"""The multi-machine set-up under failure (issue 17, point 4).

Against tests/cluster/stack.py: three OpenSearch nodes with one replica of
every index, two app servers, PostgreSQL, Redis and a task worker, all on
127.0.0.1. Each test fails one part while anonymous visitors load the site,
and checks what every one of them got. The loads last 20-40 seconds, not
minutes, to keep the suite within CI's time; what they show (a failover, a
reconnect, a queue drained) happens within seconds.
"""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from .load import Load, fetch
from .stack import ROOT

# The tests use the stack's own database, not the test database; the mark
# only makes the run set that up, as the stack copies the demo from it.
pytestmark = pytest.mark.django_db

SEARCHES = ["/nl/zoeken/?q=schulden", "/nl/zoeken/", "/nl/zoeken/?q=taalles", "/nl/zoeken/?q=huur"]


def report(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n    {text}")  # noqa: T201 - the measured results, in the test log


def expected_totals(stack) -> dict[str, int]:
    """What each search finds on the healthy cluster, asked of both app servers."""
    totals = {}
    for path in SEARCHES:
        for app in stack.apps:
            status, body, _ = fetch(app.url + path)
            answer = Load.answer(path, status, body)
            assert (status, answer.degraded) == (200, False), body[:500]
            totals.setdefault(path, answer.total)
            assert answer.total == totals[path], path
    return totals


def engine_get(stack, path: str) -> dict:
    for node in stack.search.live_nodes():
        try:
            with urllib.request.urlopen(f"{node.url}{path}", timeout=10) as response:  # noqa: S310
                return json.load(response)
        except OSError:
            continue
    raise AssertionError("no search node answered")


def node_with_primary(stack, index: str):
    """The node that holds the primary copy of ``index`` (an index or an alias)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        shards = engine_get(stack, f"/_cat/shards/{index}?format=json")
        names = [s["node"] for s in shards if s["prirep"] == "p" and s["state"] == "STARTED"]
        if names:
            return next(node for node in stack.search.nodes if node.cluster[0] == names[0])
        time.sleep(0.2)
    raise AssertionError(f"no started primary of {index}")


def assert_every_search_answered(load, totals) -> None:
    """Every search answered by the engine (no fallback notice), with the
    same total as on the healthy cluster: no error, no partial or stale index."""
    wrong = [
        (round(a.at, 1), a.path, a.status, a.degraded, a.total)
        for a in load.answers
        if a.status != 200 or a.degraded or a.total != totals[a.path]
    ]
    assert not wrong, wrong[:20]


def test_a_search_node_killed_under_a_search_load_costs_no_search(stack, capsys):
    totals = expected_totals(stack)
    victim = node_with_primary(stack, f"{stack.index_prefix}-services-nl")
    with Load([app.url for app in stack.apps], SEARCHES) as load:
        time.sleep(8)
        victim.kill()
        killed_at = time.monotonic() - load.started
        time.sleep(22)
    after_kill = [a for a in load.answers if a.at > killed_at]
    report(
        capsys,
        f"search load, node {victim.cluster[0]} killed at {killed_at:.0f} s: {load.summary()}",
    )
    started = time.monotonic()
    stack.search.restart(victim)
    report(capsys, f"node rejoined, cluster green in {time.monotonic() - started:.0f} s")
    assert len(after_kill) >= 20
    assert_every_search_answered(load, totals)


def test_a_search_node_killed_during_a_full_reindex_costs_no_search_and_the_reindex_completes(
    stack, capsys
):
    totals = expected_totals(stack)
    aliases_before = engine_get(stack, f"/_alias/{stack.index_prefix}-services-*")
    rebuild = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "search_rebuild", "--wait", "5"],
        cwd=ROOT, env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    with Load([app.url for app in stack.apps], SEARCHES) as load:
        # Kill the node that holds the primary of the first new index, while it fills.
        deadline = time.monotonic() + 120
        new = []
        while not new and time.monotonic() < deadline and rebuild.poll() is None:
            indices = engine_get(
                stack, f"/_cat/indices/{stack.index_prefix}-services-*?format=json"
            )
            new = [i["index"] for i in indices if i["index"] not in aliases_before]
            time.sleep(0.2)
        assert new, "the rebuild created no new index"
        victim = node_with_primary(stack, new[0])
        victim.kill()
        killed_at = time.monotonic() - load.started
        output, _ = rebuild.communicate(timeout=300)
        rebuilt_at = time.monotonic() - load.started
        time.sleep(3)
    report(
        capsys,
        f"reindex, node {victim.cluster[0]} killed at {killed_at:.0f} s, rebuild done at "
        f"{rebuilt_at:.0f} s (exit {rebuild.returncode}): {load.summary()}",
    )
    started = time.monotonic()
    stack.search.restart(victim)
    report(capsys, f"node rejoined, cluster green in {time.monotonic() - started:.0f} s")
    assert rebuild.returncode == 0, output
    assert_every_search_answered(load, totals)
    # Clean: each alias on exactly one new index, and no other index left over.
    aliases = engine_get(stack, f"/_alias/{stack.index_prefix}-services-*")
    indices = engine_get(stack, f"/_cat/indices/{stack.index_prefix}-services-*?format=json")
    assert sorted(aliases) == sorted(i["index"] for i in indices)
    assert not set(aliases) & set(aliases_before)
    assert all(len(entry["aliases"]) == 1 for entry in aliases.values())
    assert expected_totals(stack) == totals


PUBLISH = """
import json, time
from directory.models import ServicePage
ids = ServicePage.objects.live().public().filter(locale__language_code="nl").order_by("pk")
published = []
deadline = time.monotonic() + {seconds}
for page in ids:
    if time.monotonic() > deadline:
        break
    page.title = page.title + " (versie {run})"
    page.save_revision().publish()
    published.append(page.pk)
print(json.dumps(published))
"""


def indexed_title(stack, page_id: int) -> str:
    return engine_get(stack, f"/{stack.index_prefix}-services-nl/_doc/{page_id}")["_source"][
        "title"
    ]


def test_changes_published_while_the_task_worker_is_stopped_all_reach_the_index(stack, capsys):
    # Twenty seconds of publishing rather than a minute: the queue is rows in
    # the database either way, and the time only changes how many.
    stack.worker.stop()
    published_json = stack.manage("shell", "-c", PUBLISH.format(seconds=20, run=1))
    published = json.loads(published_json.strip().splitlines()[-1])
    time.sleep(2)
    waiting = [pk for pk in published if "(versie 1)" not in indexed_title(stack, pk)]
    assert waiting == published, "a change reached the index without the worker"

    started = time.monotonic()
    stack.worker = stack.task_worker().start()
    missing = published
    while missing and time.monotonic() - started < 120:
        time.sleep(1)
        missing = [pk for pk in missing if "(versie 1)" not in indexed_title(stack, pk)]
    report(
        capsys,
        f"worker stopped, {len(published)} services published in 20 s; all indexed "
        f"{time.monotonic() - started:.1f} s after the worker started; missing: {missing}",
    )
    assert len(published) >= 10
    assert missing == []
    queued = stack.manage(
        "shell", "-c", "from search.models import IndexChange; print(IndexChange.objects.count())"
    )
    assert queued.strip().splitlines()[-1] == "0"


RETITLE = """
import json
from directory.models import ServicePage
pages = ServicePage.objects.shown().filter(locale__language_code="nl").order_by("-pk")
retitled = []
for page in pages[:{count}]:
    page.title = page.title + " {word}"
    page.save_revision().publish()
    retitled.append(page.pk)
print(json.dumps(retitled))
"""


def test_the_database_search_of_every_app_process_finds_what_another_published(stack, capsys):
    """Without the engine, each app process keeps the search rows in memory
    and patches them from the log of changes (search/snapshot.py). Two more
    app servers of two workers each, on the database search only: services
    retitled by a third process are found by the new word on both, and both
    count the same filter searches as each other."""
    from .stack import AppServer

    database_only = {**stack.env, "SEARCH_ENGINE_URL": ""}
    apps = [AppServer(number, database_only, stack.folder) for number in (3, 4)]
    for app in apps:
        app.start()
    try:
        for app in apps:
            app.wait()
        word = "zonnebloemveld"
        searches = [f"/nl/zoeken/?q={word}", "/nl/zoeken/", "/nl/zoeken/?theme=wonen"]

        def totals():
            # Each server's two workers: several requests reach both.
            found = {}
            for app in apps:
                for _ in range(4):
                    for path in searches:
                        status, body, _ = fetch(app.url + path)
                        answer = Load.answer(path, status, body)
                        assert status == 200 and not answer.degraded, body[:500]
                        found.setdefault((app.name, path), set()).add(answer.total)
            return found

        before = totals()
        assert all(seen == {0} for (_app, path), seen in before.items() if word in path)
        retitled = json.loads(
            stack.manage("shell", "-c", RETITLE.format(count=5, word=word)).strip().splitlines()[-1]
        )
        started, rounds = time.monotonic(), 1
        after = totals()
        while any(seen != {len(retitled)} for (_app, path), seen in after.items() if word in path):
            assert time.monotonic() - started < 30, after
            time.sleep(0.5)
            rounds += 1
            after = totals()
        report(
            capsys,
            f"database search on two app servers: {len(retitled)} retitled services found on "
            f"both by round {rounds} of 24 searches after the publish "
            f"({time.monotonic() - started:.1f} s)",
        )
        for path in searches[1:]:
            seen = {
                total for (_app, asked), found in after.items() if asked == path for total in found
            }
            assert len(seen) == 1, (path, after)
    finally:
        for app in apps:
            app.stop()


PAGES = ["/nl/", "/nl/zoeken/?q=schulden", "/en/", "/ar/zoeken/"]


def test_postgresql_stopped_and_started_under_load_gives_503_pages_and_the_site_recovers(
    stack, capsys
):
    with Load([app.url for app in stack.apps], PAGES) as load:
        time.sleep(5)
        stack.postgres.stop()
        stopped_at = time.monotonic() - load.started
        time.sleep(10)
        stack.postgres.start()
        restarted_at = time.monotonic() - load.started
        time.sleep(15)
    report(
        capsys,
        f"PostgreSQL stopped at {stopped_at:.0f} s, started at {restarted_at:.0f} s: {load.summary()}",
    )
    statuses = {answer.status for answer in load.answers}
    assert statuses <= {200, 503}, [
        (a.at, a.path, a.status, a.body[:300]) for a in load.answers if a.status not in (200, 503)
    ][:5]
    unavailable = [answer for answer in load.answers if answer.status == 503]
    assert unavailable, "no request met the stopped database"
    for answer in unavailable:
        assert int(answer.retry_after) > 0
        language = answer.path.split("/")[1]
        assert f'<html lang="{language}"' in answer.body
    # By itself, within seconds: the last five seconds all answered.
    last = [answer for answer in load.answers if answer.at > load.seconds - 5]
    assert last and all(answer.status == 200 for answer in last)
    recovered = max(answer.at for answer in unavailable) - restarted_at
    report(capsys, f"last 503 {recovered:.1f} s after PostgreSQL was back")
