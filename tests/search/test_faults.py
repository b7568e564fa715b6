"""When the engine is down, silent or wrong, residents still get results: the
database answers, the page says results may be less complete, and publishing
never depends on the engine."""

import logging
import socket
import time

from django.core.cache import cache
from django.core.management import call_command

from wagtail.models import Locale

import pytest

from directory.models import ServicePage
from search.engine.client import Engine
from search.engine.indexing import rebuild
from search.models import IndexChange
from search.query import ServiceQuery, engine_recently_failed, search_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers,
    like an engine behind a firewall that drops packets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def point_engine_at(settings, url, **extra):
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": url, **extra}


def assert_answered_by_database(results, nl):
    assert results.degraded
    assert results.backend == "database"
    assert results.total == ServicePage.objects.live().public().filter(locale=nl).count()


def test_engine_refusing_connections(settings, nl, caplog):
    point_engine_at(settings, f"http://127.0.0.1:{closed_port()}")
    with caplog.at_level(logging.WARNING, logger="search.query"):
        results = search_services(ServiceQuery(), nl)
    assert_answered_by_database(results, nl)
    assert "Search engine failed" in caplog.text


def test_engine_that_never_answers_times_out_within_a_second(settings, nl, silent_server):
    point_engine_at(settings, silent_server)
    started = time.monotonic()
    results = search_services(ServiceQuery(text="schulden"), nl)
    elapsed = time.monotonic() - started
    assert results.degraded
    assert results.total > 0
    assert elapsed < 3


def test_a_node_that_refuses_connections_is_passed_over_for_the_next_one(settings, nl, use_engine):
    """SEARCH_ENGINE_URL lists every node of a cluster: a dead one costs no search."""
    for _round in range(3):
        point_engine_at(settings, f"http://127.0.0.1:{closed_port()},{use_engine}")
        results = search_services(ServiceQuery(), nl)
        assert (results.degraded, results.backend) == (False, "engine")
        assert results.total == ServicePage.objects.live().public().filter(locale=nl).count()


def test_engine_answering_with_an_error(settings, nl, use_engine):
    point_engine_at(settings, use_engine, INDEX_PREFIX="does-not-exist")
    results = search_services(ServiceQuery(), nl)
    assert_answered_by_database(results, nl)


def test_after_a_failure_the_engine_is_left_alone_for_a_while(settings, nl, silent_server):
    point_engine_at(settings, silent_server)
    search_services(ServiceQuery(), nl)
    started = time.monotonic()
    results = search_services(ServiceQuery(text="wonen"), nl)
    assert results.degraded
    assert time.monotonic() - started < 0.5


def test_the_search_page_tells_the_visitor_in_her_language(client, settings, nl):
    point_engine_at(settings, f"http://127.0.0.1:{closed_port()}")
    response = client.get("/nl/zoeken/", {"q": "schulden"})
    assert response.status_code == 200
    assert "Zoeken werkt op dit moment beperkt" in response.content.decode()


@pytest.fixture
def stoppable_node(tmp_path_factory):
    from tests.engine.node import OpenSearchNode

    node = OpenSearchNode(home=tmp_path_factory.mktemp("stoppable-node")).start()
    yield node
    node.stop()


def test_publishing_while_the_engine_is_down_is_indexed_when_it_is_back(
    settings, nl, service, stoppable_node, django_capture_on_commit_callbacks
):
    point_engine_at(settings, stoppable_node.url)
    rebuild(Engine(url=stoppable_node.url, for_indexing=True))
    stoppable_node.stop(remove=False)

    service.title = "Nieuwe titel terwijl de zoekmachine uit staat"
    with django_capture_on_commit_callbacks(execute=True):
        service.save_revision().publish()
    service.refresh_from_db()
    assert service.title.startswith("Nieuwe titel")
    assert IndexChange.objects.filter(page_id=service.pk, attempts__gte=1).exists()

    while_down = search_services(ServiceQuery(text="zoekmachine"), nl)
    assert while_down.degraded
    assert service.pk in {hit.service.pk for hit in while_down.page}

    stoppable_node.start()
    cache.clear()  # forget the failure, as the breaker does after RETRY_AFTER seconds
    call_command("search_sync")
    assert not IndexChange.objects.exists()
    # A node just started answers its first search slowly (cold caches); on a
    # busy machine that passed the site's one-second read timeout, and the
    # search was answered from the database. Warm it as a load balancer's
    # health check would before sending visitors.
    warm = Engine(url=stoppable_node.url, for_indexing=True)
    warm.call("search", index=warm.alias("nl"), body={"query": {"match_all": {}}})
    cache.clear()
    back = search_services(ServiceQuery(text="zoekmachine"), nl)
    assert not back.degraded
    # Other services may match the word's parts (zoek, machine); the point is
    # that the engine now has the new title.
    assert service.pk in {hit.service.pk for hit in back.page}


# A resident's list of needs: each word with its forms, parts and thesaurus
# terms, looked for in every text field.
LIST_OF_NEEDS = "schulden huur werk taalles eten dokter advocaat school kinderen"


@pytest.fixture
def clause_limit(use_engine):
    """Sets the test node's clause limit (a dynamic cluster setting) for one
    test, and puts the default back after it."""
    engine = Engine(url=use_engine, for_indexing=True)

    def set_limit(count):
        settings = {"transient": {"indices.query.bool.max_clause_count": count}}
        engine.call("cluster.put_settings", body=settings)

    yield set_limit
    set_limit(None)


def test_a_query_the_engine_refuses_is_answered_by_the_database_alone(
    settings, nl, use_engine, clause_limit, caplog
):
    """The engine refusing one resident's query is not the engine being
    down: her search is answered by the database, every other search still
    by the engine."""
    clause_limit(64)
    with caplog.at_level(logging.WARNING, logger="search.query"):
        refused = search_services(ServiceQuery(text=LIST_OF_NEEDS), nl)
    assert (refused.degraded, refused.backend) == (True, "database")
    assert refused.total > 0
    assert "too many nested clauses" in caplog.text.lower()
    clause_limit(None)
    assert not engine_recently_failed()
    after = search_services(ServiceQuery(text="schulden"), nl)
    assert (after.degraded, after.backend) == (False, "engine")


def test_a_long_list_of_needs_over_the_limit_is_sent_smaller_at_once(
    settings, nl, use_engine, clause_limit, caplog
):
    # The list comes to 784 clauses before any word start is expanded.
    clause_limit(512)
    # Told a limit far above the node's, the site sends the query whole, and
    # its smaller copy is still too big: the database answers.
    point_engine_at(settings, use_engine, MAX_CLAUSES=100_000)
    assert search_services(ServiceQuery(text=LIST_OF_NEEDS), nl).backend == "database"
    # Told the node's limit, it fits the query into it before sending it.
    point_engine_at(settings, use_engine, MAX_CLAUSES=512)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        fitted = search_services(ServiceQuery(text=LIST_OF_NEEDS), nl)
    assert "[status:500" not in caplog.text
    assert (fitted.degraded, fitted.backend) == (False, "engine")
    assert fitted.total > 0


def test_a_query_the_engine_refuses_for_its_size_is_sent_again_smaller(
    settings, nl, use_engine, clause_limit, caplog
):
    # Under the limit before expanding, over it once the engine has expanded
    # its word starts and added the synonyms.
    clause_limit(800)
    point_engine_at(settings, use_engine, MAX_CLAUSES=800)
    with caplog.at_level(logging.WARNING):
        results = search_services(ServiceQuery(text=LIST_OF_NEEDS), nl)
    # One search refused, sent again, and answered: no fall back.
    assert caplog.text.count("[status:500") == 1
    assert "Search engine failed" not in caplog.text
    assert (results.degraded, results.backend) == (False, "engine")
    assert results.total > 0
    assert not engine_recently_failed()


def test_a_search_that_one_index_fails_is_answered_whole_by_the_database(
    settings, use_engine, caplog
):
    """A search in English also reads the Dutch index, for the services not
    translated yet. When one index fails it, the engine answers with the
    other's services, and says so only inside its answer: the database
    answers the whole search instead."""
    en = Locale.objects.get(language_code="en")
    engine = Engine(url=use_engine, for_indexing=True)
    # An index under the English alias without the mapping: the sort fails
    # on it, as on a shard whose index lost its data.
    broken = f"{engine.alias('en')}-broken"
    engine.call("indices.create", index=broken, body={"aliases": {engine.alias("en"): {}}})
    try:
        engine.call("index", index=broken, body={"pk": 0}, refresh=True)
        with caplog.at_level(logging.WARNING, logger="search.query"):
            results = search_services(ServiceQuery(), en)
    finally:
        engine.call("indices.delete", index=broken)
    assert (results.degraded, results.backend) == (True, "database")
    assert "in order to sort on" in caplog.text
    assert not engine_recently_failed()
