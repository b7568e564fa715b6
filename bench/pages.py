#!/usr/bin/env python
"""Server time per public page type, uncached and from the page cache, next
to a static file served by the same server.

    .venv/bin/python bench/pages.py [--database-url sqlite:////path/db.sqlite3]
        [--rounds 200] [--workers 1] [--redis]

Two gunicorn servers run the production settings on 127.0.0.1 against the
same database: one with the page cache off (PAGE_CACHE_TIMEOUT=0), one with
it on. Each page type (home, service, partner, wijk, theme, the three
indexes, the search page) is requested in interleaved rounds over a kept-open
connection, each request followed by the same static CSS file, so both see
the same machine. The times are what the client measures from sending the
request to reading the whole answer over the loopback: server time plus a
few tens of microseconds.

The cache is each server's memory, or with ``--redis`` a private
redis-server (tests/redis_server.py) as in production, where a cached page
costs a round trip to it.

Without ``--database-url`` a fresh SQLite database in a temporary folder is
migrated and loaded with the demo (a few minutes). Prints a table; nothing
is written.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
STATIC = "/static/wijkwijzer/wijkwijzer.css"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database_url: str, static_root: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wijkwijzer.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "CACHE_URL": "locmemcache://",
        "LOG_LEVEL": "WARNING",
        # The bench asks for the search page more often than a resident may.
        "RATELIMIT_SEARCH": "1000000/m",
        **extra,
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


class Server:
    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "wijkwijzer.wsgi",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(workers),
                "--log-level", "warning",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def get(connection: http.client.HTTPConnection, path: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    return elapsed * 1000, response.status, response.getheader("X-Page-Cache") or ""


def page_urls(env: dict) -> dict[str, str]:
    """The demo's addresses of each page type, asked from the database."""
    code = (
        "from directory.models import *\n"
        "nl = dict(locale__language_code='nl')\n"
        "s = ServicePage.objects.live().filter(**nl).order_by('path').first()\n"
        "t = ThemeIndexPage.objects.get(**nl)\n"
        "theme = Theme.objects.filter(**nl).order_by('sort_order').first()\n"
        "urls = {'home': '/nl/', 'service': s.url, 'partner': s.get_parent().url,\n"
        " 'wijk': WijkPage.objects.filter(**nl).order_by('path').first().url,\n"
        " 'theme': t.url + theme.slug + '/', 'themes index': t.url,\n"
        " 'wijken index': WijkIndexPage.objects.get(**nl).url,\n"
        " 'partners index': PartnerIndexPage.objects.get(**nl).url, 'search': '/nl/zoeken/'}\n"
        "print(repr(urls))\n"
    )
    out = subprocess.run(  # noqa: S603
        [str(PYTHON), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import ast

    return ast.literal_eval(out.strip().splitlines()[-1])


def measure(server: Server, urls: dict[str, str], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in [*urls, "static file"]}
    states: dict[str, set[str]] = {name: set() for name in urls}
    connection = server.connection()
    for url in urls.values():  # warm up: templates, the cache
        for _ in range(5):
            get(connection, url)
    for _ in range(rounds):
        for name, url in urls.items():
            elapsed, status, state = get(connection, url)
            if status != 200:
                raise RuntimeError(f"{url}: {status}")
            times[name].append(elapsed)
            states[name].add(state)
            times["static file"].append(get(connection, STATIC)[0])
    connection.close()
    for name, seen in states.items():
        times[name + " [" + ",".join(sorted(seen)) + "]"] = times.pop(name)
    return times


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--redis", action="store_true", help="cache in a redis-server")
    args = parser.parse_args()

    redis = None
    if args.redis:
        sys.path.insert(0, str(ROOT))
        from tests.redis_server import RedisServer

        redis = RedisServer().start()

    work = Path(tempfile.mkdtemp(prefix="wijkwijzer-bench-pages-"))
    try:
        database_url = args.database_url or f"sqlite:///{work / 'db.sqlite3'}"
        env = environment(database_url, work / "static")
        if redis:
            env["CACHE_URL"] = redis.url
        if not args.database_url:
            print("Loading the demo into a fresh SQLite database…", file=sys.stderr)
            manage(env, "migrate", "-v0")
            manage(env, "load_demo")
        manage(env, "collectstatic", "--noinput", "-v0")
        urls = page_urls(env)
        results = {}
        for label, timeout in (("uncached", "0"), ("cached", "3600")):
            server = Server({**env, "PAGE_CACHE_TIMEOUT": timeout}, args.workers)
            try:
                results[label] = measure(server, urls, args.rounds)
            finally:
                server.stop()
        print(
            f"\n{args.rounds} rounds, gunicorn --workers {args.workers}, "
            f"{database_url.split(':')[0]}, cache {'redis' if redis else 'in memory'}"
        )
        print(f"{'page':<34} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
        for label, times in results.items():
            print(f"-- {label}")
            for name, values in times.items():
                print(
                    f"{name:<34} {p(values, 0.5):8.2f} {p(values, 0.95):8.2f} "
                    f"{statistics.fmean(values):8.2f}"
                )
    finally:
        if redis:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
