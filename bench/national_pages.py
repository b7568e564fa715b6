#!/usr/bin/env python
"""Every public page type, uncached, on the national data that
``bench/national.py --stage load`` kept.

    .venv/bin/python bench/national_pages.py --workdir /work/bench-national-300k
        [--rounds 40] [--output results.json]

Starts the kept PostgreSQL only (no engine: the pages do not search) and
calls the production settings' WSGI application in this process with the
page cache off: a service, partner and wijk page of the generated data and
of the demo, the generated partner's page 400 in Dutch and Arabic, a theme
page, the three indexes and the home page. For each:
the p50 over ``--rounds`` views after five warm-up views, the size of the
HTML, the number of queries and their SQL time in one more view. Where
``national.py`` measures one service page under gunicorn next to a static
file, this shows which page types grow with the data.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import national  # noqa: E402


def wsgi_get(app, url: str) -> tuple[str, bytes]:
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    status = {}
    body = app(environ, lambda line, headers, exc_info=None: status.setdefault("line", line))
    data = b"".join(body)
    body.close()
    return status["line"], data


def page_urls() -> dict[str, str]:
    from wagtail.models import Locale

    from directory.models import ServicePage, Theme, ThemeIndexPage, WijkPage

    nl = {"locale__language_code": "nl"}
    generated = (
        ServicePage.objects.live().filter(slug__startswith="bench-", **nl).order_by("slug")[0]
    )
    demo = (
        ServicePage.objects.live().filter(**nl).exclude(slug__startswith="bench-").order_by("path")
    )[0]
    themes = ThemeIndexPage.objects.get(**nl)
    theme = Theme.objects.filter(**nl).order_by("sort_order")[0]
    demo_wijk = WijkPage.objects.live().filter(**nl).order_by("path")[0]
    generated_wijk = generated.wijken.first() or WijkPage.objects.live().filter(**nl).latest("path")
    partner, arabic = generated.get_parent(), Locale.objects.get(language_code="ar")
    return {
        "service (generated)": generated.url,
        "service (demo)": demo.url,
        "partner (generated)": partner.url,
        # 20 services after 8,000: what PostgreSQL reads on the way to an offset.
        "partner, page 400": partner.url + "?page=400",
        "partner in Arabic, page 400": partner.get_translation(arabic).url + "?page=400",
        "partner (demo)": demo.get_parent().url,
        "wijk (demo)": demo_wijk.url,
        "wijk (generated)": generated_wijk.url,
        "theme": themes.url + theme.slug + "/",
        "themes index": themes.url,
        "wijken index": WijkPage.objects.live().filter(**nl)[0].get_parent().url,
        "partners index": generated.get_parent().get_parent().url,
        "home": "/nl/",
    }


def measure(rounds: int) -> dict:
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    call_command("collectstatic", "--noinput", "-v0")
    app = get_wsgi_application()
    pages = {}
    for name, url in page_urls().items():
        for _ in range(5):
            status, html = wsgi_get(app, url)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            wsgi_get(app, url)
            times.append((time.perf_counter() - start) * 1000)
        sql = []

        def timed(execute, query, params, many, context, sql=sql):
            start = time.perf_counter()
            try:
                return execute(query, params, many, context)
            finally:
                sql.append((time.perf_counter() - start) * 1000)

        with connection.execute_wrapper(timed):
            wsgi_get(app, url)
        pages[name] = {
            "url": url,
            "status": status,
            "html_bytes": len(html),
            "p50_ms": round(statistics.median(times), 2),
            "queries": len(sql),
            "sql_ms": round(sum(sql), 2),
        }
        print(
            f"{name:20} {len(html):>10,} B  p50 {pages[name]['p50_ms']:9.2f} ms"
            f"  {len(sql):2} queries, SQL {sum(sql):8.2f} ms",
            flush=True,
        )
    return pages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--pg-port", type=int, default=54362)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    settings = {"SEARCH_ENGINE_URL": "", "CACHE_URL": "locmemcache://", "PAGE_CACHE_TIMEOUT": "0"}
    with national.kept_database(args.workdir, args.pg_port, settings):
        pages = measure(args.rounds)
    result = {"commit": national.short_commit(), "rounds": args.rounds, "pages": pages}
    if args.output:
        args.output.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
