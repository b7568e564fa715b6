import os

from django.db import connection

from wagtail.models import Locale

import pytest

from directory.demo.loader import load_demo
from directory.models import PartnerPage, ServicePage, WijkPage

from .redis_server import RedisServer


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Every test runs on the demo directory, loaded once per run through the models.

    With ``--reuse-db`` (local runs on a kept PostgreSQL database) the demo an
    earlier run loaded is used as it is; CI never passes that flag.
    """
    expected = os.environ.get("WIJKWIJZER_EXPECT_DATABASE")
    if expected and connection.vendor != expected:
        pytest.exit(
            f"Tests were meant to run on {expected}, but the database is {connection.vendor}.",
            returncode=3,
        )
    with django_db_blocker.unblock():
        from coalition.models import PartnerAccess

        if not (request.config.getoption("reuse_db") and PartnerAccess.objects.exists()):
            load_demo()


@pytest.fixture
def dutch(db):
    return Locale.objects.get(language_code="nl")


@pytest.fixture
def service(db) -> ServicePage:
    """A live demo service with locations, hours and a phone number."""
    return (
        ServicePage.objects.live()
        .exclude(phone="")
        .filter(locations__isnull=False, opening_hours__isnull=False)
        .order_by("path")
        .first()
    )


@pytest.fixture
def partner(service) -> PartnerPage:
    return service.get_parent().specific


@pytest.fixture
def wijk(db) -> WijkPage:
    return WijkPage.objects.get(cbs_code="WK034403")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The circuit breaker, cached pages and other cached state never leak between tests."""
    from django.core.cache import caches

    from directory import opening, per_request
    from search import analysis

    def forget():
        for cache in caches.all():
            cache.clear()
        per_request.forget_process_memory()
        opening.forget_kept_schedules()
        analysis.forget_directory_words()

    forget()
    yield
    forget()


@pytest.fixture(scope="session")
def opensearch_node():
    """A real OpenSearch node on 127.0.0.1, started once per test run."""
    from tests.engine.node import OpenSearchNode

    node = OpenSearchNode().start()
    yield node
    node.stop()


# The pages that tests wrote to the test node's shared indexes. Each test's
# database changes are rolled back after it; its index writes are not. An
# English translation published by one test kept its Dutch source out of
# another test's English listing (the source counted as translated). Before
# the next test these pages are written again from the database as it is
# then, which removes what no longer exists.
_written_to_shared_index: set[int] = set()


def _record_writes_to(url: str) -> None:
    from search.engine import indexing

    write = indexing.index_pages

    def recorded(engine, page_ids, *args, **kwargs):
        page_ids = set(page_ids)
        if engine.url == url:
            _written_to_shared_index.update(page_ids)
        return write(engine, page_ids, *args, **kwargs)

    recorded.writes_pages = write
    indexing.index_pages = recorded


@pytest.fixture(autouse=True)
def _shared_index_as_the_database(request, django_db_blocker):
    """Undo the previous tests' index writes (see ``_written_to_shared_index``)."""
    if not _written_to_shared_index:
        return
    from search.engine import indexing
    from search.engine.client import Engine

    url = request.getfixturevalue("engine_index")
    with django_db_blocker.unblock():
        indexing.index_pages.writes_pages(
            Engine(url=url, for_indexing=True), set(_written_to_shared_index), refresh=True
        )
    _written_to_shared_index.clear()


@pytest.fixture(scope="session")
def engine_index(opensearch_node, django_db_setup, django_db_blocker):
    """The demo directory indexed in the test node, as ``search_rebuild`` does it."""
    from search.backends.engine import EngineBackend
    from search.engine.client import Engine
    from search.engine.indexing import rebuild
    from search.query import ServiceQuery

    with django_db_blocker.unblock():
        engine = Engine(url=opensearch_node.url, for_indexing=True)
        counts = rebuild(engine)
        _record_writes_to(engine.url)
        live = ServicePage.objects.live().public().filter(locale__language_code="nl").count()
        # A fresh node's first searches (JIT, aggregation structures) can take
        # longer than the one-second search timeout on a busy machine; warm it up
        # with the patient client so the tests measure behaviour, not start-up.
        for code in ("nl", "ar"):
            locale = Locale.objects.get(language_code=code)
            for _round in range(3):
                EngineBackend(engine).search(ServiceQuery(text="schulden"), locale, 1, 20)
                EngineBackend(engine).search(ServiceQuery(), locale, 1, 20)
    assert counts["nl"] == live
    return opensearch_node.url


@pytest.fixture
def use_engine(settings, engine_index):
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": engine_index}
    return engine_index


@pytest.fixture(params=["database", "engine"])
def backend(request, settings):
    """Run a test once against each backend: the contract both must keep."""
    if request.param == "engine":
        request.getfixturevalue("use_engine")
    else:
        settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": ""}
    return request.param


def _browser_tests_missing(stats) -> bool:
    """CI (WIJKWIJZER_REQUIRE_BROWSER_TESTS=1) insists that the browser tests ran and passed."""
    if not os.environ.get("WIJKWIJZER_REQUIRE_BROWSER_TESTS"):
        return False
    passed = [report for report in stats.get("passed", []) if report.when == "call"]
    return not any(report.nodeid.startswith("tests/browser/") for report in passed)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} test(s) were skipped; a skipped suite counts as a failure here.",
            red=True,
        )
    if _browser_tests_missing(terminalreporter.stats):
        terminalreporter.write_line(
            "No browser test passed in this run (tests/browser/), but "
            "WIJKWIJZER_REQUIRE_BROWSER_TESTS is set: that counts as a failure.",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if (
        reporter
        and exitstatus == 0
        and (reporter.stats.get("skipped") or _browser_tests_missing(reporter.stats))
    ):
        session.exitstatus = 1


@pytest.fixture(scope="module")
def redis_server():
    """A redis-server of its own for one test module (tests/redis_server.py)."""
    server = RedisServer().start()
    yield server
    server.stop()
