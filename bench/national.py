#!/usr/bin/env python
"""The national benchmark (issue #17): 300,000 services in 400 municipalities
and 3,000 wijken, in nine languages, on PostgreSQL and on a three-node
OpenSearch cluster (every index with one replica), production settings.

    .venv/bin/python bench/national.py --stage load    --workdir /work/bench-national [--size 300000]
    .venv/bin/python bench/national.py --stage measure --workdir /work/bench-national
    .venv/bin/python bench/national.py --stage all     --workdir /tmp/nb --size 3000 --load-seconds 60

``load`` starts PostgreSQL and the three search nodes with their data in the
work folder, writes the national geography and the services, fills the
database search's rows and Wagtail's words index, rebuilds the engine's
indexes, records how long each step took (``load.json``) and stops the
servers, leaving the data on disk. It may run on a busy machine.

``measure`` starts the servers again on that data, with Redis, and measures
(a) the engine backend's searches next to the raw engine requests they sent,
replayed with opensearch-py; (b) the database backend on PostgreSQL; (c) a
service page uncached and cached next to a static file; (d) a load of
anonymous searches and page views on two app servers and a task worker while
an editor publishes a change every 5 s (how long until a search finds it);
(e) every process's peak memory. It needs a quiet machine. It prints a table
and writes ``bench/results/national-<time>.json``.

``database-load`` runs (d) alone with the database backend on the kept data
(PostgreSQL and Redis, no search nodes): every search reads the search rows
that each app process holds, and each publication changes them. It writes
``bench/results/national-database-load-<time>.json``.

See bench/README.md, "National scale".
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import random
import resource
import secrets
import shutil
import string
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import pages as page_bench  # noqa: E402 - bench/pages.py
import search_benchmark as sb  # noqa: E402 - bench/search_benchmark.py

from tests.cluster.load import DEGRADED, TOTAL, fetch  # noqa: E402
from tests.cluster.stack import AppServer, Stack  # noqa: E402
from tests.engine.node import OpenSearchCluster  # noqa: E402
from tests.postgres_server import PostgresServer, _bindir  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
# Besides Dutch: the share of services translated into each language. English
# is the common second language of the coalition's partners.
TRANSLATION_SHARES = {"en": 0.10, "ar": 0.02, "fa": 0.02, "ti": 0.02, "uk": 0.02, "tr": 0.02}
TRANSLATION_SHARES |= {"pl": 0.02, "so": 0.02}
EDIT_EVERY = 5.0  # seconds between the editor's publications
FRESHNESS_GIVE_UP = 120.0
SLOW_MS = 5000.0  # answers slower than this are kept with their path, for the log


def log(message: str) -> None:
    sb.log(message, "national")


# --------------------------------------------------------------------------
# The servers, with their data in the work folder
# --------------------------------------------------------------------------


class KeptPostgres(PostgresServer):
    """tests/postgres_server.py's server with its data in ``home``, kept."""

    def __init__(self, home: Path, port: int):
        self.port, self.home, self.bindir = port, home, _bindir()
        self._as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        home.mkdir(parents=True, exist_ok=True)
        if self._as:
            shutil.chown(home, "postgres")

    @property
    def exists(self) -> bool:
        return (self.home / "data" / "PG_VERSION").exists()

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.home / "data" / "postmaster.pid").read_text().split()[0])
        return None


class NationalStack(Stack):
    """The cluster's set-up (tests/cluster/stack.py) on kept data: the same
    settings for every app server, the worker and this process."""

    def __init__(self, workdir: Path, pg_port: int, heap: str):
        self.folder = workdir / "run"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.postgres = KeptPostgres(workdir / "postgres", pg_port)
        self.redis = RedisServer()
        self.search = OpenSearchCluster(size=3, heap=heap)
        for number, node in enumerate(self.search.nodes, start=1):
            node.home = workdir / f"opensearch-{number}"
            node.home.mkdir(exist_ok=True)
            node._own_home = False
        self.apps: list[AppServer] = []
        self.worker = None
        secret_file = workdir / "secret_key"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(50))
        self._secret = secret_file.read_text().strip()
        self.redis_started = False

    # False: the app servers, the worker and the editor search the database.
    engine = True

    @property
    def env(self) -> dict:
        env = super().env
        if not self.engine:
            env["SEARCH_ENGINE_URL"] = ""
        return env

    def run(self, *args: str, env: dict | None = None, timeout: float = 6 * 3600) -> float:
        """``manage.py *args`` in a child with these settings; its seconds."""
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env or self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}")
        return round(time.monotonic() - started, 1)

    def start_servers(self) -> None:
        for node in self.search.nodes:
            node.launch()
        self.postgres.start()
        self.redis.start()
        self.redis_started = True
        self.search.wait_until_green(900)

    def stop_servers(self) -> None:
        for part in [*self.apps, self.worker]:
            if part:
                part.stop()
        self.apps, self.worker = [], None
        for node in self.search.nodes:
            node.stop(remove=False)
        if self.redis_started:
            self.redis.stop()
            self.redis_started = False
        with contextlib.suppress(Exception):
            self.postgres.stop()


def close_connections() -> None:
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


def setup_django(env: dict) -> None:
    """This process with the app servers' settings (``env``)."""
    os.chdir(ROOT)
    os.environ.update(env)
    import django

    django.setup()


# --------------------------------------------------------------------------
# The data
# --------------------------------------------------------------------------


class NationalGenerator(sb.Generator):
    """The search benchmark's generator over the national wijken: every
    service is located in a wijk of one municipality (or serves that whole
    municipality), and a share is translated into each of the other eight
    languages. Only Dutch and English have word lists: the translations into
    ar, fa, ti, uk, tr, pl and so are the English text marked with the
    language's code, which gives every language's index the same load."""

    def __init__(self, size: int, seed: int, shares: dict[str, float]):
        super().__init__(size, seed, shares["en"], "national")
        self.shares = shares
        self.pages = Counter()

    def run(self) -> dict:
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from wagtail.models import Locale, Page

        from directory.models import Audience, Language, PartnerPage, ServicePage, Theme, WijkPage
        from directory.models.facets import refresh_facets

        self.nl = Locale.objects.get(language_code="nl")
        self.locales = {
            code: Locale.objects.get_or_create(language_code=code)[0] for code in self.shares
        }
        self.en = self.locales["en"]
        self.partners = list(PartnerPage.objects.filter(locale=self.nl).order_by("path"))
        self.wijken = list(
            WijkPage.objects.filter(locale=self.nl, cbs_code__startswith="WK9")
            .select_related("municipality")
            .order_by("cbs_code")
        )
        self.wijk_by_title = {wijk.title: wijk for wijk in self.wijken}
        self.themes = {t.slug: t.pk for t in Theme.objects.filter(locale=self.nl)}
        self.audiences = {a.slug: a.pk for a in Audience.objects.filter(locale=self.nl)}
        self.languages = {language.code: language.pk for language in Language.objects.all()}
        self.content_type_id = ContentType.objects.get_for_model(ServicePage).pk
        self.now = timezone.now()
        self.wijk_postcodes = {w.pk: w.postcode_list for w in self.wijken}

        started = time.perf_counter()
        repaired = self._repair_numchild()
        self.trees = {}
        for code, locale in self.locales.items():
            self.trees[code] = self._translated_tree(locale)
        self.en_partners = self.trees["en"]
        trees_seconds = time.perf_counter() - started
        log(f"partners copied into {len(self.trees)} languages in {trees_seconds:.0f} s")

        parents = [*self.partners, *(p for tree in self.trees.values() for p in tree.values())]
        self.next_step = {}
        for parent in parents:
            last = (
                Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            self.next_step[parent.pk] = (Page._str2int(last[-Page.steplen :]) + 1) if last else 1

        started = time.perf_counter()
        for start in range(0, self.size, self.BATCH):
            count = min(self.BATCH, self.size - start)
            self._batch(start, count)
            done = start + count
            if (start // self.BATCH) % 10 == 9 or done >= self.size:
                rate = done / (time.perf_counter() - started)
                log(f"generated {done}/{self.size} services ({rate:.0f}/s)")
        generate_seconds = time.perf_counter() - started
        for parent in parents:
            children = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            Page.objects.filter(pk=parent.pk).update(numchild=children.count())

        started = time.perf_counter()
        refresh_facets(ServicePage.objects.all())
        facets_seconds = time.perf_counter() - started
        log(f"partner types and the database search's rows in {facets_seconds:.0f} s")
        return {
            "pages": dict(self.pages),
            "translation_shares": self.shares,
            "trees_s": round(trees_seconds, 1),
            "insert_s": round(generate_seconds, 1),
            "facets_s": round(facets_seconds, 1),
            "numchild_repaired": len(repaired),
        }

    def _translated_tree(self, locale) -> dict:
        """Copies of home, the partner index and every partner in ``locale``, published."""
        from wagtail.models import Page

        from directory.models import PartnerPage

        translations = {}
        for partner in self.partners:
            translation = partner.get_translation_or_none(locale)
            if translation is None:
                translation = partner.copy_for_translation(locale, copy_parents=True)
            translations[partner.pk] = translation.pk
        for page in Page.objects.filter(locale=locale, live=False).order_by("depth"):
            page.specific.save_revision().publish()
        found = PartnerPage.objects.in_bulk(translations.values())
        return {pk: found[translation] for pk, translation in translations.items()}

    def _service(self, index: int) -> dict:
        service = super()._service(index)
        # The parent names each location after its wijk: "Buurthuis <wijk title> (voorbeeld)".
        located = []
        for location in service["locations"]:
            wijk = self.wijk_by_title[
                location["name"].split(" ", 1)[1].removesuffix(" (voorbeeld)")
            ]
            location["city"] = wijk.municipality.name
            located.append(wijk)
        service["municipality_id"] = located[0].municipality_id
        english = service["en"]
        service["translations"] = []
        for code, share in self.shares.items():
            if self.rng.random() < share:
                service["translations"].append(code)
                if code != "en":
                    service[code] = {
                        "title": f"{english['title']} ({code})",
                        "summary": english["summary"],
                        "body": english["body"],
                    }
        return service

    def _municipality_id(self, service: dict) -> int:
        return service["municipality_id"]

    def _versions(self, service: dict) -> list[tuple]:
        versions = [("nl", service["partner"], self.nl)]
        versions += [
            (code, self.trees[code][service["partner"].pk], self.locales[code])
            for code in service["translations"]
        ]
        self.pages.update(language for language, _parent, _locale in versions)
        return versions


def words_index(env: dict, parts: int) -> float:
    """Wagtail's words index for the database backend, as ``update_index``
    writes it, in ``parts`` child processes side by side; its seconds."""
    started = time.monotonic()
    children = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--words-index", f"{part}/{parts}"], cwd=ROOT, env=env
        )
        for part in range(parts)
    ]
    failed = [child.args[-1] for child in children if child.wait()]
    if failed:
        raise RuntimeError(f"words index parts {failed} failed")
    return round(time.monotonic() - started, 1)


def words_index_main(part: str) -> int:
    """One part of ``update_index``: the services whose id modulo the number
    of parts is this part's number; part 0 also every other indexed model.
    Within the search's ``growing_vocabulary``: outside it, every service's
    index terms count the services first (search.analysis.vocabulary), a
    count of a few hundred thousand rows per service indexed."""
    setup_django({})
    from django.db.models.functions import Mod

    from modelsearch.backends import get_search_backend
    from modelsearch.index import get_indexed_models

    from directory.models import ServicePage
    from search.analysis import growing_vocabulary

    number, parts = (int(n) for n in part.split("/"))
    backend = get_search_backend()
    done, started = 0, time.monotonic()
    with growing_vocabulary():
        for model in get_indexed_models():
            objects = model.get_indexed_objects().order_by("pk")
            if model is ServicePage:
                objects = objects.alias(part=Mod("pk", parts)).filter(part=number)
            elif number:
                continue
            index = backend.get_index_for_model(model)
            last = 0
            while chunk := list(objects.filter(pk__gt=last)[:500]):
                index.add_items(model, chunk)
                last = chunk[-1].pk
                done += len(chunk)
                if model is ServicePage and done % 20000 < 500:
                    rate = done / (time.monotonic() - started)
                    log(f"words index part {part}: {done} ({rate:.0f}/s)")
    log(f"words index part {part}: {done} objects in {time.monotonic() - started:.0f} s")
    return 0


def write_geography(seed: int) -> dict:
    from django.db import transaction

    from wagtail.models import Locale

    from directory.models import WijkIndexPage
    from directory.national import write_municipalities, write_wijken

    started = time.perf_counter()
    with transaction.atomic():
        municipalities = write_municipalities()
        index = WijkIndexPage.objects.get(locale=Locale.objects.get(language_code="nl"))
        wijken = write_wijken(index, municipalities, random.Random(seed))  # noqa: S311
    return {
        "municipalities": len(municipalities),
        "wijken": len(wijken),
        "seconds": round(time.perf_counter() - started, 1),
    }


def stage_load(args, stack: NationalStack) -> dict:
    if stack.postgres.exists:
        raise SystemExit(f"{stack.postgres.home} holds a database already: remove the work folder")
    result: dict = {"size": args.size, "seed": args.seed, "steps_s": {}, "machine": None}
    result["machine"] = sb.machine_description()
    steps = result["steps_s"]
    started_all = time.monotonic()
    log(f"starting PostgreSQL on {stack.postgres.port} and three search nodes ({args.heap})")
    try:
        for node in stack.search.nodes:
            node.launch()
        stack.postgres.create()
        stack.redis.start()
        stack.redis_started = True
        # Nothing is indexed into the engine while loading: search_rebuild
        # does it at the end. Background tasks (Wagtail's, for the pages the
        # demo and the translated trees publish) run at once, not left queued
        # for the measured worker.
        loading = {
            **stack.env,
            "SEARCH_ENGINE_URL": "",
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        }
        log("migrate")
        steps["migrate"] = stack.run("migrate", "--noinput", "-v0", env=loading)
        log("load_demo")
        steps["load_demo"] = stack.run("load_demo", env=loading)
        steps["collectstatic"] = stack.run("collectstatic", "--noinput", "-v0", env=loading)
        setup_django(loading)
        log("400 municipalities and 3,000 wijken")
        result["geography"] = write_geography(args.seed)
        steps["geography"] = result["geography"]["seconds"]
        shares = ", ".join(f"{code} {share:.0%}" for code, share in TRANSLATION_SHARES.items())
        log(f"generating {args.size} services (translated: {shares})")
        started = time.monotonic()
        result["generation"] = NationalGenerator(args.size, args.seed, TRANSLATION_SHARES).run()
        steps["generate"] = round(time.monotonic() - started, 1)
        from django.db import connections

        connections.close_all()
        stack.search.wait_until_green(900)
        # The two indexes are independent (one written into PostgreSQL, the
        # other read from it into the cluster): built side by side, each
        # waits less for the other's disk and network.
        log("side by side: Wagtail's words index (update_index), search_rebuild into the cluster")
        engine = loading | {"SEARCH_ENGINE_URL": stack.search.url}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            words = pool.submit(words_index, loading, args.index_parts)
            rebuild = pool.submit(stack.run, "search_rebuild", env=engine)
            for name, future in (("search_rebuild", rebuild), ("words_index", words)):
                steps[name] = future.result()
                log(f"{name} took {steps[name]} s")
        steps["indexes_side_by_side"] = True
        result["counts"] = counts()
        result["sizes_mb"] = store_sizes(stack)
        steps["total"] = round(time.monotonic() - started_all, 1)
        result["loaded"] = True
        log(f"loaded in {steps['total']} s: {result['counts']}; {result['sizes_mb']}")
    finally:
        close_connections()
        stack.stop_servers()
    return result


def counts() -> dict:
    from django.db.models import Count

    from wagtail.search.models import IndexEntry

    from directory.models import ServicePage

    live = ServicePage.objects.live().public()
    per_language = dict(
        live.values_list("locale__language_code").annotate(n=Count("pk")).order_by()
    )
    return {"services_live": per_language, "words_index_entries": IndexEntry.objects.count()}


def store_sizes(stack: NationalStack) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[node.url for node in stack.search.nodes], timeout=60)
    rows = client.cat.indices(format="json", bytes="b")
    return {
        "postgresql": round(database / 2**20),
        "opensearch_with_replicas": round(sum(int(r.get("store.size") or 0) for r in rows) / 2**20),
    }


# --------------------------------------------------------------------------
# (a) and (b): the search API, and the raw engine requests it sends
# --------------------------------------------------------------------------


def national_query_mix(count: int, seed: int) -> list[dict]:
    """The search benchmark's query mix, with its wijken and points taken
    from the national wijken."""
    from directory.models import WijkPage

    wijken = [
        {"code": code, "latitude": float(lat), "longitude": float(lon)}
        for code, lat, lon in WijkPage.objects.filter(cbs_code__startswith="WK9")
        .order_by("cbs_code")
        .values_list("cbs_code", "latitude", "longitude")
    ]
    sb.demo_wijken = lambda: wijken
    return sb.build_queries(count, seed)


class Recorder:
    """Keeps what the engine backend sends for each search: per round (one
    ``EngineBackend._send``), the counting _msearch it hands to its worker
    thread and the hits searches it sends itself."""

    def __init__(self):
        from search.backends import engine as backend
        from search.engine.client import Engine

        self.local = threading.local()
        self.rounds: list[dict] = []
        send, call, pool = backend.EngineBackend._send, Engine.call, backend._COUNTING
        recorder = self

        def recording_send(self, index, body, near=None):
            recorder.local.round = {"msearch": None, "searches": []}
            recorder.rounds.append(recorder.local.round)
            try:
                return send(self, index, body, near)
            finally:
                recorder.local.round = None

        def recording_call(self, method, *args, **kwargs):
            current = getattr(recorder.local, "round", None)
            if current is not None and method == "search":
                current["searches"].append({"index": kwargs["index"], "body": kwargs["body"]})
            return call(self, method, *args, **kwargs)

        class RecordingPool:
            def submit(self, function, *args, **kwargs):
                current = getattr(recorder.local, "round", None)
                if current is not None and args and args[0] == "msearch":
                    current["msearch"] = kwargs["body"]
                return pool.submit(function, *args, **kwargs)

        backend.EngineBackend._send = recording_send
        backend._COUNTING = RecordingPool()
        Engine.call = recording_call

    def take(self) -> list[dict]:
        taken, self.rounds = self.rounds, []
        return taken


def run_searches(specs: list[dict], backend: str, recorder: Recorder | None = None) -> dict:
    from django.core.cache import cache

    from wagtail.models import Locale

    from search.query import ENGINE_DOWN_KEY

    nl = Locale.objects.get(language_code="nl")
    times, kinds, recorded, totals, degraded = [], [], [], [], []
    for spec in specs:
        try:
            elapsed, results, _hits = sb.run_query(spec, nl, backend)
        except sb.DegradedError as error:
            # Counted, not timed; the site would skip the engine for a while
            # after a failure, the bench asks it again at once.
            log(f"degraded: {error}")
            degraded.append(spec)
            cache.delete(ENGINE_DOWN_KEY)
            if recorder:
                recorder.take()
            continue
        times.append(elapsed)
        kinds.append(spec["kind"])
        totals.append(results.total)
        if recorder:
            recorded.append(recorder.take())
    latency = {"all": sb.latency_stats(times)}
    for kind in ("text", "facet", "distance"):
        latency[kind] = sb.latency_stats(
            [t for t, k in zip(times, kinds, strict=True) if k == kind]
        )
    return {
        "latency_ms": latency,
        "recorded": recorded,
        "kinds": kinds,  # of the searches recorded, in the same order
        "totals": totals,
        "degraded": degraded,
    }


def replay(recorded: list[list[dict]], hosts: list[str], timeout: float) -> dict:
    """Send each search's recorded requests straight to the cluster as the
    backend does: the _msearch on a worker thread, meanwhile the hits
    searches one after the other; a search ends when both are back."""
    from opensearchpy import OpenSearch

    from search.engine.client import CONNECTIONS

    client = OpenSearch(hosts=hosts, timeout=timeout, pool_maxsize=CONNECTIONS)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
    times = []
    for rounds in recorded:
        started = time.perf_counter()
        for one in rounds:
            counting = pool.submit(client.msearch, body=one["msearch"])
            for search in one["searches"]:
                client.search(index=search["index"], body=search["body"])
            counting.result()
        times.append((time.perf_counter() - started) * 1000)
    pool.shutdown()
    return sb.latency_stats(times)


def clear_request_cache(hosts: list[str]) -> None:
    """Each timed pass starts with an empty shard request cache, so the
    backend and the replay see the same cache hits (repeated counts)."""
    from opensearchpy import OpenSearch

    OpenSearch(hosts=hosts, timeout=60).indices.clear_cache(request=True)


def measure_searches(args, stack: NationalStack) -> dict:
    from django.conf import settings
    from django.core.cache import cache

    hosts = [node.url for node in stack.search.nodes]
    specs = national_query_mix(args.queries, args.seed)
    warmup = national_query_mix(args.warmup, args.seed + 1)
    recorder = Recorder()
    cache.clear()
    # A node restarted on its data answers its first searches slowly (caches
    # empty, code not compiled): one unhurried search per index first.
    from opensearchpy import OpenSearch

    OpenSearch(hosts=hosts, timeout=300).search(
        index="_all", body={"size": 20}, request_timeout=300
    )
    log(f"(a) engine: warming up with {len(warmup)} searches")
    warm = run_searches(warmup, "engine", recorder)
    replay(warm["recorded"], hosts, settings.SEARCH_ENGINE["TIMEOUT"])
    clear_request_cache(hosts)
    log(f"(a) engine: {len(specs)} searches through search_services")
    engine = run_searches(specs, "engine", recorder)
    clear_request_cache(hosts)
    log("(a) the same requests, replayed with opensearch-py")
    raw = replay(engine["recorded"], hosts, settings.SEARCH_ENGINE["TIMEOUT"])
    requests = Counter()
    for rounds in engine["recorded"]:
        requests["rounds"] += len(rounds)
        requests["hits searches"] += sum(len(one["searches"]) for one in rounds)
    ratio = engine["latency_ms"]["all"]["p95"] / raw["p95"] if raw["p95"] else None
    log(f"(a) engine p95 {engine['latency_ms']['all']['p95']} ms, raw p95 {raw['p95']} ms")

    settings.SEARCH_ENGINE["URL"] = ""
    try:
        log(f"(b) database: warming up ({args.warmup_seconds} s at most)")
        deadline = time.monotonic() + args.warmup_seconds
        for spec in warmup:
            if time.monotonic() > deadline:
                break
            run_searches([spec], "database")
        log(f"(b) database: {len(specs)} searches")
        database = run_searches(specs, "database")
    finally:
        settings.SEARCH_ENGINE["URL"] = stack.search.url
    agree = sum(1 for a, b in zip(engine["totals"], database["totals"], strict=False) if a == b)
    log(f"(b) database p95 {database['latency_ms']['all']['p95']} ms")
    return {
        "queries": len(specs),
        "warmup": len(warmup),
        "engine_ms": engine["latency_ms"],
        "raw_engine_ms": raw,
        "raw_requests": dict(requests),
        "p95_ratio": round(ratio, 2) if ratio else None,
        "database_ms": database["latency_ms"],
        "same_total_engine_and_database": f"{agree}/{len(specs)}",
        "degraded": {"warmup": len(warm["degraded"]), "measured": len(engine["degraded"])},
    }


# --------------------------------------------------------------------------
# (c) a service page next to a static file; (e) memory
# --------------------------------------------------------------------------


def sample_pages(count: int, seed: int) -> list[str]:
    from directory.models import ServicePage, WijkPage

    rng = random.Random(seed)  # noqa: S311
    services = list(
        ServicePage.objects.live().filter(slug__startswith="bench-").values_list("pk", flat=True)
    )
    chosen = rng.sample(services, min(count, len(services)))
    urls = [page.url for page in ServicePage.objects.filter(pk__in=chosen).order_by("pk")]
    wijken = WijkPage.objects.filter(cbs_code__startswith="WK9").order_by("?")[: count // 4]
    return urls + [wijk.url for wijk in wijken]


def measure_pages(args, stack: NationalStack, memory: dict) -> dict:
    from directory.models import ServicePage

    service = ServicePage.objects.live().filter(slug="bench-000001", locale__language_code="nl")
    urls = {"service": service.get().url, "home": "/nl/"}
    results = {}
    for label, timeout in (("uncached", "0"), ("cached", "3600")):
        server = page_bench.Server({**stack.env, "PAGE_CACHE_TIMEOUT": timeout}, args.page_workers)
        try:
            log(f"(c) {args.page_rounds} rounds of {list(urls)} and a static file, {label}")
            times = page_bench.measure(server, urls, args.page_rounds)
            results[label] = {name: sb.latency_stats(values) for name, values in times.items()}
            memory.update(tree_memory(f"pages {label}", server.process.pid))
        finally:
            server.stop()
    return results


def vm_kb(pid: int, field: str = "VmHWM") -> int | None:
    return sb.rss_kb(field, pid)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def tree_memory(name: str, pid: int | None) -> dict:
    """VmHWM in MB of ``pid`` and each of its children."""
    if not pid:
        return {}
    found = {f"{name} (main)": vm_kb(pid)}
    for number, child in enumerate(sorted(children(pid)), start=1):
        found[f"{name} child {number}"] = vm_kb(child)
    return {key: round(kb / 1024, 1) for key, kb in found.items() if kb}


# --------------------------------------------------------------------------
# (d) visitors, an editor, and how fresh the search is
# --------------------------------------------------------------------------


def search_path(spec: dict) -> str:
    """The public search page for a query of the mix (distance queries need
    a postcode the site can place, so the load uses the other two kinds)."""
    params = [("q", spec.get("text", ""))]
    for field, name in (
        ("themes", "theme"),
        ("audiences", "audience"),
        ("languages", "language"),
        ("partner_types", "partner_type"),
        ("costs", "cost"),
        ("accesses", "access"),
    ):
        params += [(name, value) for value in spec.get(field, ())]
    if spec.get("wijk"):
        params.append(("wijk", spec["wijk"]))
    if spec.get("page", 1) > 1:
        params.append(("page", str(spec["page"])))
    return "/nl/zoeken/?" + urllib.parse.urlencode(params)


class Visitors:
    """``clients`` threads requesting paths from the servers in turn; keeps
    the time and status of every answer (not the body)."""

    def __init__(self, servers: list[str], paths: list[tuple[str, str]], clients: int):
        self.servers, self.paths, self.clients = servers, paths, clients
        self.answers: list[tuple[str, int, float, bool]] = []  # kind, status, ms, degraded
        # The slowest answers with their path and when they began, to find what stalled them.
        self.slowest: list[tuple[float, str, int, float]] = []  # ms, path, status, began
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self.visit, args=(n,), daemon=True) for n in range(clients)
        ]

    def visit(self, number: int) -> None:
        turn = number * 7919
        while not self.stop.is_set():
            kind, path = self.paths[turn % len(self.paths)]
            server = self.servers[turn % len(self.servers)]
            started = time.perf_counter()
            status, body, _retry = fetch(server + path)
            elapsed = (time.perf_counter() - started) * 1000
            self.answers.append((kind, status, elapsed, DEGRADED in body))
            if elapsed > SLOW_MS:
                self.slowest.append((round(elapsed), server + path, status, round(time.time(), 1)))
            turn += 1


def editor_main(args) -> int:
    """The editor (a child process with the app servers' settings): every
    EDIT_EVERY seconds a service gets a new word in its title and is
    published; prints one JSON line per publication."""
    setup_django({})
    from django.core.exceptions import ValidationError

    from directory.models import ServicePage

    rng = random.Random(args.seed)  # noqa: S311
    ids = list(
        ServicePage.objects.live()
        .filter(slug__startswith="bench-", locale__language_code="nl")
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    deadline = time.monotonic() + args.load_seconds
    while time.monotonic() < deadline:
        began = time.monotonic()
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(11))
        page = ServicePage.objects.get(pk=rng.choice(ids))
        page.title = f"{page.title.split(' · ')[0]} · {word}"
        try:
            revision = page.save_revision()
        except ValidationError:
            # Generated before search_benchmark.py made only mobile numbers
            # that validate: saving checks them, as in the admin.
            ids.remove(page.pk)
            continue
        revision.publish()
        line = {"word": word, "id": page.pk, "published": time.time()}
        line["publish_ms"] = round((time.monotonic() - began) * 1000, 1)
        print(json.dumps(line), flush=True)
        time.sleep(max(0.0, EDIT_EVERY - (time.monotonic() - began)))
    print(json.dumps({"vmhwm_mb": round((vm_kb(os.getpid()) or 0) / 1024, 1)}), flush=True)
    return 0


def first_found(server: str, word: str, published: float) -> float | None:
    """Seconds from publication until the public search finds ``word``."""
    while time.time() - published < FRESHNESS_GIVE_UP:
        status, body, _retry = fetch(f"{server}/nl/zoeken/?q={word}")
        found = TOTAL.search(body)
        if status == 200 and found and int(found.group(1)) > 0 and DEGRADED not in body:
            return round(time.time() - published, 2)
        time.sleep(0.2)
    return None


def measure_load(args, stack: NationalStack, memory: dict) -> dict:
    specs = [s for s in national_query_mix(400, args.seed + 2) if s["kind"] != "distance"]
    paths = [("search", search_path(spec)) for spec in specs]
    pages = sample_pages(400, args.seed)
    paths += [("page", url) for url in pages]
    random.Random(args.seed).shuffle(paths)  # noqa: S311
    log("(d) two app servers and a task worker")
    servers = stack.start_apps()
    # Warm both servers' workers: the first request of each loads the code.
    for kind_path in paths[:40]:
        for server in servers:
            fetch(server + kind_path[1])
    visitors = Visitors(servers, paths, args.clients)
    editor = subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--editor", "--seed", str(args.seed),
         "--load-seconds", str(args.load_seconds)],
        cwd=ROOT, env=stack.env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    publications, threads = [], []
    editor_memory = {}

    def follow(number: int, line: dict) -> None:
        line["fresh_s"] = first_found(servers[number % 2], line["word"], line["published"])

    log(f"(d) {args.clients} visitors for {args.load_seconds} s; an editor publishes every 5 s")
    started = time.monotonic()
    for thread in visitors.threads:
        thread.start()
    for raw in editor.stdout:
        line = json.loads(raw)
        if "vmhwm_mb" in line:
            editor_memory = line
            continue
        thread = threading.Thread(target=follow, args=(len(publications), line), daemon=True)
        publications.append(line)
        thread.start()
        threads.append(thread)
    result_code = editor.wait()
    # Should the editor have stopped early, the visitors still get their time.
    time.sleep(max(0.0, args.load_seconds - (time.monotonic() - started)))
    visitors.stop.set()
    for thread in visitors.threads:
        thread.join(60)
    seconds = time.monotonic() - started
    for thread in threads:
        thread.join(FRESHNESS_GIVE_UP + 10)
    for app in stack.apps:
        memory.update(tree_memory(app.name, app.process.pid))
    memory.update(tree_memory("task worker", stack.worker.process.pid))
    if editor_memory:
        memory["editor"] = editor_memory["vmhwm_mb"]

    answers = visitors.answers
    result = {"seconds": round(seconds), "clients": args.clients, "requests": len(answers)}
    result["statuses"] = dict(Counter(status for _k, status, _ms, _d in answers))
    result["5xx"] = sum(1 for _k, status, _ms, _d in answers if status >= 500 or status == 0)
    result["degraded_searches"] = sum(1 for _k, _s, _ms, degraded in answers if degraded)
    result["slowest"] = sorted(visitors.slowest, reverse=True)[:20]
    result["load_started"] = round(time.time() - seconds, 1)
    for kind in ("search", "page"):
        times = [ms for k, _s, ms, _d in answers if k == kind]
        result[kind + "_ms"] = sb.latency_stats(times)
    freshness = [p.get("fresh_s") for p in publications]
    found = [f for f in freshness if f is not None]
    result["publications"] = len(publications)
    result["editor_exit_code"] = result_code
    result["publish_ms"] = sb.latency_stats([p["publish_ms"] for p in publications])
    result["freshness_s"] = sb.latency_stats(found)
    result["never_found"] = len(freshness) - len(found)
    # The slowest to appear (None: never), with when they were published.
    late = sorted(publications, key=lambda p: -(p.get("fresh_s") or 1e9))[:10]
    result["latest_found"] = [
        {"seconds": p.get("fresh_s"), "id": p["id"], "published": round(p["published"], 1)}
        for p in late
    ]
    log(
        f"(d) {len(answers)} requests, 5xx {result['5xx']}, search p95 "
        f"{result['search_ms']['p95']} ms, page p95 {result['page_ms']['p95']} ms, "
        f"freshness max {result['freshness_s']['max']} s"
    )
    return result


def server_memory(stack: NationalStack, memory: dict) -> None:
    for node in stack.search.nodes:
        if node.process:
            memory[f"opensearch {node.cluster[0]}"] = round((vm_kb(node.process.pid) or 0) / 1024)
    postgres = stack.postgres.pid()
    if postgres:
        backends = [vm_kb(pid) or 0 for pid in children(postgres)]
        memory["postgresql postmaster"] = round((vm_kb(postgres) or 0) / 1024, 1)
        memory["postgresql largest child"] = round(max(backends, default=0) / 1024, 1)
        memory["postgresql children"] = len(backends)
    if stack.redis.process:
        memory["redis"] = round((vm_kb(stack.redis.process.pid) or 0) / 1024, 1)
    memory["bench"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def stage_measure(args, stack: NationalStack) -> dict:
    loaded = json.loads((args.workdir / "load.json").read_text())
    result: dict = {"load": loaded, "machine": sb.machine_description(), "code": sb.git_state()}
    # A busy machine (load average above its cores) makes every number slower.
    result["load_average_at_start"] = sb.load_average()
    log("starting PostgreSQL, Redis and the three search nodes on the kept data")
    memory: dict = {}
    try:
        started = time.monotonic()
        stack.start_servers()
        result["startup_s"] = round(time.monotonic() - started, 1)
        setup_django(stack.env)
        from django.conf import settings

        result["settings"] = {
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "SEARCH_ENGINE": {k: settings.SEARCH_ENGINE[k] for k in ("TIMEOUT", "REPLICAS")},
            "opensearch_heap": args.heap,
        }
        result["counts"] = counts()
        result["searches"] = measure_searches(args, stack)
        result["pages"] = measure_pages(args, stack, memory)
        result["load_test"] = measure_load(args, stack, memory)
        finish(result, stack, memory)
    finally:
        close_connections()
        stack.stop_servers()
    return result


def finish(result: dict, stack: NationalStack, memory: dict) -> None:
    server_memory(stack, memory)
    result["memory_vmhwm_mb"] = memory
    result["load_average_at_end"] = sb.load_average()


def write_result(result: dict, name: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path


def recorded_mix(args, stack: NationalStack):
    """A client of the kept cluster, the national mix's ``args.queries``
    searches, and what sending them once through ``search_services`` gave
    (``run_searches``: times, kinds, the engine requests each sent), after
    ``args.warmup`` others."""
    from django.core.cache import cache

    from opensearchpy import OpenSearch

    client = OpenSearch(hosts=[node.url for node in stack.search.nodes], timeout=120)
    client.search(index="_all", body={"size": 20}, request_timeout=300)
    recorder = Recorder()
    cache.clear()
    log(f"warming up with {args.warmup} searches")
    run_searches(national_query_mix(args.warmup, args.seed + 1), "engine", recorder)
    specs = national_query_mix(args.queries, args.seed)
    log(f"{len(specs)} searches through search_services, recording their requests")
    return client, specs, run_searches(specs, "engine", recorder)


def kept_servers_parser(description: str) -> argparse.ArgumentParser:
    """The options of a script measuring on the kept data (engine_parts.py,
    work_per_search.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--pg-port", type=int, default=54362)
    parser.add_argument("--heap", default="1g", help="JVM heap of each search node")
    parser.add_argument("--seed", type=int, default=sb.DEFAULT_SEED)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=100)
    return parser


def on_kept_servers(args, measure, table, name: str) -> int:
    """``measure(args, stack)`` with the kept servers of ``args.workdir``
    started, and stopped after it; prints ``table(result)`` and writes the
    result as bench/results/<name>-<time>.json."""
    stack = NationalStack(args.workdir.resolve(), args.pg_port, args.heap)
    stack.start_servers()
    try:
        setup_django({**stack.env, "CACHE_URL": "locmemcache://"})
        result = measure(args, stack)
    finally:
        close_connections()
        stack.stop_servers()
    print(table(result))
    log(f"written {write_result(result, name)}")
    return 0


def short_commit() -> str:
    return subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip


@contextlib.contextmanager
def kept_database(workdir: Path, pg_port: int, settings: dict):
    """The kept PostgreSQL of ``workdir`` alone, with Django set up on it
    with ``settings`` changed; stopped afterwards."""
    stack = NationalStack(workdir, pg_port, "1g")
    if not stack.postgres.exists:
        raise SystemExit(f"no kept data in {workdir}: run national.py --stage load first")
    stack.postgres.start()
    try:
        setup_django({**stack.env, **settings})
        yield stack
    finally:
        close_connections()
        stack.postgres.stop()


def stage_database_load(args, stack: NationalStack) -> dict:
    """(d) with the database backend: the same visitors and editor, with
    only PostgreSQL and Redis started."""
    result: dict = {"machine": sb.machine_description(), "code": sb.git_state()}
    result["load_average_at_start"] = sb.load_average()
    memory: dict = {}
    stack.engine = False
    try:
        stack.postgres.start()
        stack.redis.start()
        stack.redis_started = True
        setup_django(stack.env)
        result["counts"] = counts()
        result["load_test"] = measure_load(args, stack, memory)
        finish(result, stack, memory)
    finally:
        close_connections()
        stack.stop_servers()
    return result


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def table(result: dict) -> str:
    lines = []
    if "load_average_at_start" in result:
        lines.append(
            f"load average (1, 5, 15 min) at start {result['load_average_at_start']}, "
            f"at end {result.get('load_average_at_end')}"
        )
    load = result.get("load", {})
    if load:
        lines.append(f"load stage: {load.get('size')} services; steps (s): {load.get('steps_s')}")
        lines.append(f"  pages per language: {load.get('generation', {}).get('pages')}")
        lines.append(f"  sizes (MB): {load.get('sizes_mb')}")
    searches = result.get("searches")
    if searches:
        engine, raw = searches["engine_ms"]["all"], searches["raw_engine_ms"]
        database = searches["database_ms"]["all"]
        lines += [
            f"searches ({searches['queries']} of the mix)        p50 ms    p95 ms   target",
            f"  (a) engine, search_services       {engine['p50']:8.1f}  {engine['p95']:8.1f}   p95 <= 50",
            f"  (a) raw engine requests (replay)  {raw['p50']:8.1f}  {raw['p95']:8.1f}",
            f"  (a) p95 ratio engine / raw        {str(searches['p95_ratio']):>18}   <= 1.5",
            f"  (b) database, PostgreSQL          {database['p50']:8.1f}  {database['p95']:8.1f}   p95 <= 150",
        ]  # fmt: skip
    for label, pages in result.get("pages", {}).items():
        for name, stats in pages.items():
            lines.append(f"  (c) {label:<9} {name:<24} {stats['p50']:8.2f}  {stats['p95']:8.2f}")
    load_test = result.get("load_test")
    if load_test:
        lines += [
            f"  (d) load {load_test['seconds']} s, {load_test['clients']} clients, "
            f"{load_test['requests']} requests, 5xx {load_test['5xx']} (target 0), "
            f"degraded {load_test['degraded_searches']}",
            f"  (d) search page                   {load_test['search_ms']['p50']:8.1f}  "
            f"{load_test['search_ms']['p95']:8.1f}",
            f"  (d) page view                     {load_test['page_ms']['p50']:8.1f}  "
            f"{load_test['page_ms']['p95']:8.1f}",
            f"  (d) freshness (s) of {load_test['publications']} publications: "
            f"p50 {load_test['freshness_s']['p50']}, max {load_test['freshness_s']['max']} "
            f"(target <= 10), never found {load_test['never_found']}",
        ]
    memory = result.get("memory_vmhwm_mb")
    if memory:
        lines.append("  (e) peak memory (VmHWM, MB):")
        lines += [f"      {name:<32} {value}" for name, value in memory.items()]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stage", choices=["load", "measure", "all", "database-load"], default="all"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/work/bench-national"))
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=sb.DEFAULT_SEED)
    parser.add_argument("--pg-port", type=int, default=54362)
    parser.add_argument("--heap", default="1g", help="JVM heap of each search node")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--warmup-seconds", type=float, default=60)
    parser.add_argument("--page-rounds", type=int, default=300)
    parser.add_argument("--page-workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--load-seconds", type=int, default=600)
    parser.add_argument("--editor", action="store_true", help=argparse.SUPPRESS)
    # More than one deadlocks: every add_items refreshes the title norms of
    # the whole index table (modelsearch's PostgreSQL index).
    parser.add_argument(
        "--index-parts", type=int, default=1, help="processes writing the words index"
    )
    parser.add_argument("--words-index", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.editor:
        return editor_main(args)
    if args.words_index:
        return words_index_main(args.words_index)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    stack = NationalStack(args.workdir, args.pg_port, args.heap)
    if args.stage in ("load", "all"):
        loaded = stage_load(args, stack)
        (args.workdir / "load.json").write_text(json.dumps(loaded, indent=2))
        print(table({"load": loaded}))
    if args.stage == "database-load":
        log(f"written {write_result(stage_database_load(args, stack), 'national-database-load')}")
    if args.stage in ("measure", "all"):
        if args.stage == "all":
            # This process holds the loading's Django set-up: measure in a fresh one.
            arguments = [
                {"all": "measure", "--stage=all": "--stage=measure"}.get(a, a) for a in sys.argv[1:]
            ]
            command = [sys.executable, "-u", __file__, *arguments]
            return subprocess.call(command, cwd=ROOT)  # noqa: S603
        result = stage_measure(args, stack)
        path = write_result(result, "national")
        print(table(result))
        log(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
