"""The page cache holds across app processes that share a Redis server.

Two real app servers (gunicorn, one process each) share a private Redis
server and one database: a page the first one rendered is served by the
second from the cache, and a page published by a third process (an editor's
request may land on any process) is purged for both.
"""

import os
import subprocess
import sys
import urllib.request

import pytest

from tests.redis_server import RedisServer, free_port
from tests.test_shared_limits import ROOT, App
from tests.test_shared_limits import request as fetch

MAKE_PAGES = """
from wagtail.models import Locale, Page, Site
from directory.models import ContentPage, HomePage
root = Page.get_first_root_node()
home = root.add_child(instance=HomePage(title="Wijkwijzer", slug="start", locale=Locale.get_default()))
Site.objects.update(root_page=home)
home.add_child(instance=ContentPage(title="Over ons", slug="over", body="<p>Eerste versie</p>"))
"""

PUBLISH = """
from directory.models import ContentPage
page = ContentPage.objects.get(slug="over")
page.body = "<p>Tweede versie</p>"
page.save_revision().publish()
"""


def request(opener, url):
    """Both processes sit behind one address, as behind a proxy: the same host name."""
    # Our own test servers, over http.
    return fetch(opener, urllib.request.Request(url, headers={"Host": "localhost"}))  # noqa: S310


def manage(env, *args):
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    redis = RedisServer().start()
    tmp = tmp_path_factory.mktemp("shared-pages")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.shared_cache_settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "CACHE_URL": redis.url,
        "SEARCH_ENGINE_URL": "",
    }
    manage(env, "migrate", "--verbosity=0")
    manage(env, "shell", "-c", MAKE_PAGES)
    servers = [App(free_port(), tmp / f"app-{n}.log", env) for n in (1, 2)]
    try:
        opener = urllib.request.build_opener()
        for server in servers:
            server.wait(opener)
        yield servers, env
    finally:
        for server in servers:
            server.stop()
        redis.stop()


def test_a_page_rendered_by_one_process_is_served_by_the_other_and_purged_for_both(apps):
    servers, env = apps
    opener = urllib.request.build_opener()
    first, second = servers

    status, headers, body = request(opener, first.url("/nl/over/"))
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    status, headers, cached = request(opener, second.url("/nl/over/"))
    assert (status, headers["X-Page-Cache"]) == (200, "hit")
    assert cached == body and "Eerste versie" in body

    manage(env, "shell", "-c", PUBLISH)

    for server in (second, first):
        _status, headers, body = request(opener, server.url("/nl/over/"))
        assert "Tweede versie" in body
    assert headers["X-Page-Cache"] == "hit"
