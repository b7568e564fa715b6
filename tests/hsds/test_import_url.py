"""``manage.py import_hsds https://...``: an HSDS API followed page by page,
or a zipped package, from a real HTTP server in a thread (serving what this
directory's own API and export give), with the size limit, timeout and
errors a resident coalition would meet."""

import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from django.test import Client

import pytest

from directory.models import ServicePage

from .test_export import export, table
from .test_import import empty_directory, refused, run_import

pytestmark = pytest.mark.django_db


class Site:
    """A real HTTP server on a free local port; ``answers`` maps a path and
    its query (a sorted tuple of pairs) to (status, content type, body)."""

    def __init__(self):
        self.answers: dict[tuple[str, tuple], tuple[int, str, bytes]] = {}
        self.delay = 0.0
        self.asked: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                site.asked.append(self.path)
                key = (parts.path, tuple(sorted(parse_qsl(parts.query))))
                status, kind, body = site.answers.get(key, (404, "text/plain", b"not here"))
                time.sleep(site.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what the timeout test wants

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    served = Site()
    yield served
    served.close()


def test_an_api_is_followed_page_by_page(site, partner, settings, tmp_path):
    """Our own API's pages of two services each, served over HTTP, give the
    same services as the partner's tabular package."""
    settings.RATELIMIT_API = "100000/m"
    before = export(tmp_path / "before", "--partner", partner.slug)
    client = Client()
    query = {"full": "true", "per_page": "2", "organization_id": str(partner.translation_key)}
    first = client.get("/api/hsds/services", query)
    pages = first.json()["total_pages"]
    assert pages > 1
    for page in range(1, pages + 1):
        answer = client.get("/api/hsds/services", {**query, "page": page})
        key = tuple(sorted({**query, "page": str(page)}.items()))
        site.answers[("/api/hsds/services", key)] = (200, "application/json", answer.content)
        if page == 1:
            site.answers[("/api/hsds/services", tuple(sorted(query.items())))] = (
                200,
                "application/json",
                answer.content,
            )
    address = f"{site.url}/api/hsds/services?" + "&".join(f"{k}={v}" for k, v in query.items())
    empty_directory()
    report = run_import(address, "--publish")
    assert "refused:" not in report
    assert len(site.asked) == pages
    after = export(tmp_path / "after", "--partner", partner.slug)
    for name in ["services.csv", "schedules.csv", "service_at_location.csv", "addresses.csv"]:
        assert table(after, name) == table(before, name), name


def test_a_zipped_package_at_an_address_imports_like_the_file(site, partner, tmp_path):
    package = export(tmp_path / "package", "--partner", partner.slug)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package.iterdir():
            archive.write(path, path.name)
    site.answers[("/export.zip", ())] = (200, "application/zip", data.getvalue())
    empty_directory()
    run_import(f"{site.url}/export.zip", "--publish")
    assert {r["id"] for r in table(package, "services.csv")} == {
        str(key) for key in ServicePage.objects.values_list("translation_key", flat=True)
    }


def test_an_address_the_server_does_not_know_is_refused(site):
    message = refused(f"{site.url}/nothing.zip")
    assert message.endswith("/nothing.zip: the server answered 404 Not Found.")


def test_an_answer_over_the_size_limit_is_refused(site):
    site.answers[("/big.zip", ())] = (200, "application/zip", b"x" * 1_100_000)
    assert "larger than the limit of 1 MB" in refused(f"{site.url}/big.zip", "--max-size", "1")


def test_a_server_that_does_not_answer_in_time_is_given_up(site):
    site.answers[("/slow.zip", ())] = (200, "application/zip", b"PK")
    site.delay = 2
    assert "no answer within 0.5 s" in refused(f"{site.url}/slow.zip", "--timeout", "0.5")


def test_a_server_that_is_not_there_is_refused(site):
    address = site.url
    site.close()
    site.close = lambda: None
    assert "could not be reached" in refused(f"{address}/export.zip")


def test_only_web_addresses_are_fetched():
    assert "no such file" in refused("ftp://example.org/export.zip")
