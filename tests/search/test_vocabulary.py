"""The vocabulary (typo correction, compound splitting) learns the words of
new and edited services within a minute, in every process, without any
process reading every service again: at 100,000 services that read took 80
seconds, and the searches and tasks behind it waited."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from search import analysis

pytestmark = pytest.mark.django_db


def reads_of_every_service(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if '"directory_servicepage"."body"' in q["sql"] and " WHERE " not in q["sql"]
    ]


@pytest.fixture
def known(monkeypatch):
    """The vocabulary as one process knows it, read once from every service."""
    analysis.forget()
    first = analysis.vocabulary()
    monkeypatch.setattr(analysis, "VOCABULARY_CHECK", 0)
    return first


def test_words_of_an_edited_service_are_learnt_without_reading_every_service(known, service):
    assert "dakterrasvrijwilliger" not in analysis.vocabulary()
    service.summary = "Help ons als dakterrasvrijwilliger."
    service.save_revision().publish()

    with CaptureQueriesContext(connection) as queries:
        grown = analysis.vocabulary()

    assert "dakterrasvrijwilliger" in grown
    assert grown is known
    assert reads_of_every_service(queries.captured_queries) == []


def test_words_of_a_new_service_are_learnt(known, service):
    copy = service.copy(
        update_attrs={"title": "Kookclub voor zonnebloemtelers", "slug": "kookclub-zonnebloem"}
    )
    assert copy.pk > service.pk

    assert "zonnebloemtelers" in analysis.vocabulary()


def test_another_process_takes_the_words_from_the_shared_cache(known, service):
    service.summary = "Help ons als dakterrasvrijwilliger."
    service.save_revision().publish()
    # Another process: nothing of this one's in memory, the shared cache alike.
    analysis._cache.clear()

    with CaptureQueriesContext(connection) as queries:
        other = analysis.vocabulary()

    assert other is not known
    assert reads_of_every_service(queries.captured_queries) == []
    # What the first process read, and what was published since.
    assert set(known.words) <= set(other.words)
    assert "dakterrasvrijwilliger" in other


def test_without_the_shared_words_every_service_is_read_once(service):
    analysis.forget()

    with CaptureQueriesContext(connection) as queries:
        analysis.vocabulary()
        analysis.vocabulary()

    assert len(reads_of_every_service(queries.captured_queries)) == 1
    assert service.title.split()[0].lower() in analysis.vocabulary()
