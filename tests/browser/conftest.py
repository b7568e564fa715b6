"""Shared fixtures of the browser suite: the site served on 127.0.0.1 from the test
database (with the demo directory that ``tests/conftest.py`` loads), Debian's
Chromium driven by Playwright, phone and desktop contexts, and screenshots.

A journey test asks for ``device`` (parametrised: phone and desktop) and
``new_page``; it gets a page in a fresh browser context of that size, and can save
its last step with ``screenshot``. Other contexts (another language, no
JavaScript, a logged-in professional later) come from
``new_context(device, **options)``, with Playwright's context options.
"""

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django.test.testcases import LiveServerThread

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

# Debian's package `chromium` (scripts/ensure-system-packages installs it); the
# suite never downloads a browser. Another Chromium can be named for a local run.
CHROMIUM = os.environ.get("WIJKWIJZER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots of each journey's last step, one folder per database run.
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
# Generous: the machine has two cores, often shared with other heavy jobs.
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Device:
    name: str
    width: int
    height: int
    scale: float = 1
    mobile: bool = False

    def context_options(self) -> dict:
        return {
            "viewport": {"width": self.width, "height": self.height},
            "device_scale_factor": self.scale,
            "is_mobile": self.mobile,
            "has_touch": self.mobile,
        }


PHONE = Device("phone", 360, 740, scale=2, mobile=True)
DESKTOP = Device("desktop", 1280, 800)
DEVICES = [PHONE, DESKTOP]


# An in-memory SQLite database is one connection, which the live server's
# request threads and ``in_database`` share. Two requests at once on it (an
# admin page and its background fetch) interleave their transactions: "no such
# savepoint", then every later query refused. So work on the shared connection
# goes one at a time; on PostgreSQL each thread has its own and nothing waits.
_SHARED_CONNECTION = threading.RLock()


def _one_at_a_time(application, overrides: dict):
    """``application``, answering one request at a time while ``overrides``
    shares a connection; the body is read inside the lock, as a streamed
    response may query while it is read."""
    if not overrides:
        return application

    def serve(environ, start_response):
        with _SHARED_CONNECTION:
            result = application(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()

    return serve


def _static_files_from_whitenoise(application):
    """No extra static handler: WhiteNoise's middleware serves them, as in production."""
    return application


@pytest.fixture(scope="package")
def server_connections(django_db_setup) -> dict:
    """In-memory SQLite connections, which other threads must share to see the
    test database (the live server, ``in_database``); none on PostgreSQL."""
    return {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }


@pytest.fixture(scope="package")
def live_site(django_db_setup, django_db_blocker, server_connections):
    """The site served by Django's live-server thread on a free port of 127.0.0.1.

    It reads the session's test database: the demo directory loaded once by
    ``django_db_setup``, committed, so the server sees it on PostgreSQL through its
    own connections and on in-memory SQLite through the shared connection (as
    Django's LiveServerTestCase does). The browser tests change no demo data (the
    editor journey deletes the service it makes), so no test transaction or flush
    is needed (pytest-django's ``live_server`` would flush the database after each
    test and take the demo with it).
    """
    with serving(
        _static_files_from_whitenoise, server_connections, django_db_blocker, "The live server"
    ) as url:
        yield url


@contextlib.contextmanager
def serving(handler, overrides: dict, django_db_blocker, name: str):
    """``handler`` served by a live-server thread on a free port of 127.0.0.1,
    on the connections ``overrides`` shares with the test database."""
    with django_db_blocker.unblock():
        for conn in overrides.values():
            conn.inc_thread_sharing()
        thread = LiveServerThread(
            "127.0.0.1",
            lambda application: _one_at_a_time(handler(application), overrides),
            connections_override=overrides,
        )
        thread.daemon = True
        thread.start()
        if not thread.is_ready.wait(timeout=60):
            pytest.fail(f"{name} did not start within 60 s.", pytrace=False)
        if thread.error:
            raise thread.error
        try:
            yield f"http://127.0.0.1:{thread.port}"
        finally:
            thread.terminate()
            for conn in overrides.values():
                conn.dec_thread_sharing()


@pytest.fixture
def db(django_db_setup):
    """The test database with the demo directory, without a test transaction.

    Named ``db`` so that pytest-django creates the test database even when only
    the browser tests run. Unlike pytest-django's ``db`` it opens no transaction:
    the server thread serves committed data, and the browser tests leave the demo
    as they found it.
    """


@pytest.fixture(autouse=True)
def _database_open_to_the_server(db, django_db_blocker):
    """pytest-django blocks database access process-wide; the server thread needs it."""
    with django_db_blocker.unblock():
        yield


@dataclass(frozen=True)
class Accounts:
    """People who log in during the browser journeys, made before the browser starts."""

    professional: str
    password: str
    # Contact persons a professional should see on the demo wijk page.
    wijk_contacts: list[str]


@pytest.fixture(scope="package")
def accounts(django_db_setup, django_db_blocker, demo) -> Accounts:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from coalition.models import ContactPerson
    from coalition.roles import PROFESSIONALS
    from directory.models import WijkPage

    password = "browser-journey-password-7"  # noqa: S105 - a test account
    with django_db_blocker.unblock():
        user, _created = get_user_model().objects.get_or_create(username="e2e-professional")
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=PROFESSIONALS))
        wijk = WijkPage.objects.get(cbs_code=demo.wijk_code, locale__language_code="nl")
        contacts = ContactPerson.objects.in_wijk(wijk, wijk.partners_active_here())
        return Accounts(user.username, password, sorted(c.name for c in contacts))


@dataclass(frozen=True)
class Editors:
    """The demo's coalition accounts (as ``ensure_admin`` makes them) and what their
    journey needs from the database, made and read before the browser starts.

    Team Inburgering's editor writes, its publisher does the partner review, the
    moderator the coalition moderation; the police editor belongs to another partner.
    """

    editor: str
    publisher: str
    moderator: str
    other_editor: str
    password: str
    partner_id: int
    # Form values (primary keys) for a service in the demo wijk.
    theme: str
    second_theme: str
    audience: str
    language: str
    wijk: str


@pytest.fixture(scope="package")
def editors(django_db_setup, django_db_blocker, demo) -> Editors:
    from django.contrib.auth import get_user_model

    from coalition.demo import ensure_demo_users
    from directory.models import Audience, Language, PartnerPage, Theme, WijkPage

    password = "browser-editor-password-8"  # noqa: S105 - test accounts
    with django_db_blocker.unblock():
        names = dict(ensure_demo_users(password))
        for user in get_user_model().objects.filter(username__in=names):
            user.set_password(password)  # also with --reuse-db, where they existed
            user.save()
        partner = PartnerPage.objects.get(
            slug="gemeente-team-inburgering", locale__language_code="nl"
        )
        # Language lessons, not money matters: the debt searches other tests
        # count never see the new service, even while it exists.
        return Editors(
            editor="redactie-inburgering",
            publisher="publicatie-inburgering",
            moderator="moderator",
            other_editor="redactie-politie-noord",
            password=password,
            partner_id=partner.pk,
            theme=str(Theme.objects.get(slug="taal-en-inburgering", locale=partner.locale).pk),
            second_theme=str(
                Theme.objects.get(slug="meedoen-en-ontmoeten", locale=partner.locale).pk
            ),
            audience=str(Audience.objects.get(slug="iedereen", locale=partner.locale).pk),
            language=str(Language.objects.get(code="nl").pk),
            wijk=str(WijkPage.objects.get(cbs_code=demo.wijk_code, locale=partner.locale).pk),
        )


@pytest.fixture
def in_database(live_site, server_connections) -> Callable:
    """Run ORM code while the browser is open (to clean up what a journey made).

    The test thread cannot use the database then (see ``browser``), so the code
    runs in a thread of its own, on the connections the live server uses.
    """
    overrides = server_connections

    def run(function: Callable):
        outcome: dict = {}

        def target():
            for alias, conn in overrides.items():
                connections[alias] = conn
            try:
                with _SHARED_CONNECTION if overrides else contextlib.nullcontext():
                    outcome["value"] = function()
            except BaseException as error:  # handed to the test thread below
                outcome["error"] = error
            finally:
                if not overrides:
                    connections.close_all()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    return run


@pytest.fixture(scope="package")
def browser(live_site, demo, accounts, editors) -> Browser:
    """Debian's Chromium, headless, started once for the browser tests.

    Playwright's synchronous API keeps an asyncio loop in the test thread. While it
    runs, Django treats the thread as asynchronous and hands it other database
    connections (on in-memory SQLite: an empty database), so everything the tests
    need from the database is read before it starts (``live_site``, ``demo``).
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(scripts/ensure-system-packages does it), or set WIJKWIJZER_CHROMIUM.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        # launch() gives Chromium a fresh temporary --user-data-dir of its own
        # (playwright_chromiumdev_profile-*) and removes it when it closes.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=120_000
        )
        yield browser
        browser.close()


@pytest.fixture(params=DEVICES, ids=lambda device: device.name)
def device(request) -> Device:
    """Run a test once on a phone (360×740) and once on a desktop (1280×800)."""
    return request.param


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture
def new_context(request, browser, live_site, _screenshot_folder):
    """Make browser contexts (own cookies, size, language, JavaScript on or off) on the
    live site; they are closed after the test, and their pages photographed first
    when the test failed (``failed-*.png`` beside the other screenshots)."""
    contexts: list[BrowserContext] = []

    def make(device: Device = DESKTOP, **options) -> BrowserContext:
        context = browser.new_context(
            base_url=live_site, **{**device.context_options(), "locale": "nl-NL", **options}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "browser_test_failed", False)
    for number, page in enumerate(page for context in contexts for page in context.pages):
        if failed:
            name = re.sub(r"[^\w.]+", "-", request.node.name).strip("-")
            with contextlib.suppress(PlaywrightError):
                page.screenshot(path=_screenshot_folder / f"failed-{name}-{number}.png")
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context, device):
    """A page in a fresh context of the test's device."""

    def make(**options) -> Page:
        return new_context(device, **options).new_page()

    return make


@pytest.fixture(scope="session")
def _screenshot_folder():
    folder = SCREENSHOTS / connections["default"].vendor
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def screenshot(request, _screenshot_folder):
    """Save a full-page screenshot under var/screenshots/, named after the test."""

    def save(page: Page, step: str = "last") -> Path:
        name = re.sub(r"[^\w.]+", "-", f"{request.node.name}-{step}").strip("-")
        path = _screenshot_folder / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save


def is_local(url: str) -> bool:
    return urlsplit(url).hostname in {"127.0.0.1", "localhost"}


DEBT_WORDS = {"nl": "schulden", "ar": "ديون", "ti": "ዕዳ", "so": "deyn"}


@dataclass(frozen=True)
class DemoPages:
    """What the browser tests know of the demo directory, read before the browser starts.

    The service is the Buurtteam Overvecht's walk-in hours for money matters: it is
    translated into every language and has a phone number and opening hours.
    Slugs are the same in every language, so its address differs only in the prefix.
    """

    service: str
    partner: str
    wijk: str
    wijk_code: str
    service_titles: dict[str, str]
    # What the query API answers for the debt words in that wijk, per language:
    # the oracle the search pages are held to.
    debt_help_in_wijk: dict[str, list[str]]

    def path(self, kind: str, language: str) -> str:
        if kind == "login":
            return "/admin/login/"
        if kind == "search results":
            return f"/{language}/zoeken/?q={DEBT_WORDS[language]}"
        paths = {
            "home": "/",
            "wijk": self.wijk,
            "wijk overview": f"{self.wijk}overzicht/",
            "partner": self.partner,
            "service": self.service,
        }
        return f"/{language}{paths[kind]}"


PAGE_KINDS = ["home", "search results", "wijk", "wijk overview", "partner", "service", "login"]


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker) -> DemoPages:
    from wagtail.models import Locale

    from directory.models import ServicePage, WijkPage
    from search.query import ServiceQuery, search_services

    with django_db_blocker.unblock():
        service = ServicePage.objects.get(
            slug="inloopspreekuur-geldzaken", locale__language_code="nl"
        )
        wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
        titles = {
            page.locale.language_code: page.title
            for page in ServicePage.objects.filter(translation_key=service.translation_key)
        }
        answers = {
            language: [
                hit.service.title
                for hit in search_services(
                    ServiceQuery(text=words, wijk=wijk.cbs_code),
                    Locale.objects.get(language_code=language),
                ).page
            ]
            for language, words in DEBT_WORDS.items()
        }

        return DemoPages(
            service=unprefixed(service.url),
            partner=unprefixed(service.get_parent().url),
            wijk=unprefixed(wijk.url),
            wijk_code=wijk.cbs_code,
            service_titles=titles,
            debt_help_in_wijk=answers,
        )


def unprefixed(url: str) -> str:
    """/nl/partners/x/ → /partners/x/"""
    return "/" + url.strip("/").split("/", 1)[1] + "/"


# Transferred bytes per page, reported at the end of the run (see test_performance).
MEASUREMENTS: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter):
    if MEASUREMENTS:
        terminalreporter.section("browser measurements")
        for name, value in MEASUREMENTS.items():
            terminalreporter.write_line(f"{name}: {value}")
