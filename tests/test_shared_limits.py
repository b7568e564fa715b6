"""Rate limits and login lockouts hold across app processes.

Production runs several app processes; a client must not get the limit once per
process. Two real app servers (gunicorn, one process each, on their own ports)
share a private Redis server as their cache (``CACHE_URL``) and one database
file; a client alternating between them reaches the search limit and the login
lockout on its combined count.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .processes import stop
from .redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SEARCH_LIMIT = 4
LOGIN_LIMIT = 3


class App:
    def __init__(self, port: int, log: Path, env: dict):
        self.port = port
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable, "-m", "gunicorn", "wijkwijzer.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--error-logfile", str(log),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, opener, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            try:
                opener.open(self.url("/admin/login/"), timeout=2).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(f"no answer on port {self.port}:\n{self.log.read_text()}")

    def stop(self) -> None:
        stop(self.process, timeout=10)


@pytest.fixture(scope="module")
def apps(redis_server, tmp_path_factory):
    """Two app servers sharing one Redis and one database; the limits made small."""
    tmp = tmp_path_factory.mktemp("shared-limits")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.shared_cache_settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "CACHE_URL": redis_server.url,
        # A day's window: the test never straddles two.
        "RATELIMIT_SEARCH": f"{SEARCH_LIMIT}/1d",
        "LOGIN_FAILURE_LIMIT": str(LOGIN_LIMIT),
        "SEARCH_ENGINE_URL": "",
    }
    subprocess.run(  # noqa: S603
        [
            sys.executable, "manage.py", "migrate", "--verbosity=0",
        ],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    servers = [App(free_port(), tmp / f"app-{n}.log", env) for n in (1, 2)]
    try:
        opener = urllib.request.build_opener()
        for server in servers:
            server.wait(opener)
        yield servers
    finally:
        for server in servers:
            server.stop()


def request(opener, url, data=None):
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_the_search_limit_counts_the_requests_to_every_process(apps):
    opener = urllib.request.build_opener()
    answers = [
        request(opener, apps[n % 2].url("/nl/zoeken/?q=huur")) for n in range(SEARCH_LIMIT + 2)
    ]
    statuses = [status for status, _headers, _body in answers]
    # Each process saw only half of them: a limit per process would serve all.
    assert statuses == [200] * SEARCH_LIMIT + [429, 429]
    assert int(answers[-1][1]["Retry-After"]) >= 1


def test_a_login_lockout_holds_on_every_process(apps):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    _status, _headers, form = request(opener, apps[0].url("/admin/login/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    def wrong_password(app, n):
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "gedeeld", "password": f"fout-{n}"}
        ).encode()
        return request(opener, app.url("/admin/login/"), data)

    answers = [wrong_password(apps[n % 2], n) for n in range(LOGIN_LIMIT + 2)]
    statuses = [status for status, _headers, _body in answers]
    assert 429 not in statuses[: LOGIN_LIMIT - 1]
    assert statuses[LOGIN_LIMIT:] == [429, 429]
    assert int(answers[-1][1]["Retry-After"]) >= 60
