"""Many searches at once (``search_many``) answer each query as
``search_services`` does: the same first page of hits, in the same order,
with the same highlights and distances, and the same total. Run on both
backends against the demo directory, like tests/search/test_contract.py.
"""

import datetime
import socket

from django.utils import timezone

from wagtail.models import Locale

import pytest

from directory.models import ServicePage, WijkPage
from search.backends import engine
from search.geocoding import Point
from search.query import ServiceQuery, search_many, search_services

pytestmark = pytest.mark.django_db

OVERVECHT = Point(52.1140, 5.1120)  # PC4 3563


def a_mix_of_queries() -> list[ServiceQuery]:
    """Words, every filter, the place, the sorts, odd input; queries whose
    words are not all found (then services with some of them) or misspelt."""
    moment = datetime.datetime(2027, 1, 4, 10, 0, tzinfo=timezone.get_current_timezone())
    return [
        ServiceQuery(),
        ServiceQuery(text="schulden"),
        ServiceQuery(text="geldzaken"),
        ServiceQuery(text="inloopspreekuur geldzaken"),
        ServiceQuery(text="schulden zwembadvergunning"),
        ServiceQuery(text="huur buren zwembadvergunning"),
        ServiceQuery(text="schuldne"),
        ServiceQuery(text="schulden overvecht"),
        ServiceQuery(text='"unclosed AND OR ('),
        ServiceQuery(text="مساعدة في الديون"),
        ServiceQuery(themes=("wonen",)),
        ServiceQuery(audiences=("ouderen", "jongeren")),
        ServiceQuery(languages=("ti",)),
        ServiceQuery(channel="phone", languages=("ti",)),
        ServiceQuery(costs=("contribution",), accesses=("referral",)),
        ServiceQuery(wijk="WK034408"),
        ServiceQuery(municipality="GM0344", themes=("wonen",)),
        ServiceQuery(open_at=moment),
        ServiceQuery(point=OVERVECHT, radius_km=1.5),
        ServiceQuery(point=OVERVECHT, radius_km=5, sort="distance"),
        ServiceQuery(point=OVERVECHT, sort="distance"),
        ServiceQuery(sort="verified"),
        ServiceQuery(text="zwembadvergunning"),
    ]


def answer(results) -> dict:
    """What a caller of either function sees of one query's results."""
    return {
        "hits": [
            (hit.service.pk, str(hit.highlight), hit.distance_km)
            for hit in results.page.object_list
        ],
        "total": results.total,
        "matched_some_words": results.matched_some_words,
        "suggestion": results.suggestion,
        "backend": results.backend,
        "degraded": results.degraded,
        "query": results.query,
    }


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_each_query_is_answered_as_search_services_answers_it(backend, code, settings):
    # The answers are compared, not their speed: on a busy machine a cold
    # search may pass the site's one-second timeout and fall back.
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "TIMEOUT": 10.0}
    locale = Locale.objects.get(language_code=code)
    queries = a_mix_of_queries()
    many = search_many(queries, locale, per_page=7)
    one_by_one = [search_services(query, locale, per_page=7) for query in queries]
    assert [answer(results) for results in many] == [answer(results) for results in one_by_one]
    assert {results.backend for results in many} == {backend}
    # The mix is worth checking: pages cut short, services with some words.
    assert any(results.total > len(results.page.object_list) for results in many)
    assert any(results.matched_some_words for results in many)
    assert all(results.facets == {} for results in many)


def test_batches_keep_every_answer_with_its_query(backend, monkeypatch, settings):
    """Every demo wijk, alone and with a theme, in requests of seven searches."""
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "TIMEOUT": 10.0}
    monkeypatch.setattr(engine, "MSEARCH_BATCH", 7)
    nl = Locale.objects.get(language_code="nl")
    codes = sorted(set(WijkPage.objects.values_list("cbs_code", flat=True)))
    queries = [
        query
        for code in codes
        for query in (ServiceQuery(wijk=code), ServiceQuery(wijk=code, themes=("wonen",)))
    ]
    many = search_many(queries, nl, per_page=200)
    one_by_one = [search_services(query, nl, per_page=200) for query in queries]
    assert len(queries) > 2 * 7
    assert [answer(results) for results in many] == [answer(results) for results in one_by_one]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_when_the_engine_fails_the_database_answers_every_query(settings):
    settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": f"http://127.0.0.1:{closed_port()}"}
    nl = Locale.objects.get(language_code="nl")
    many = search_many([ServiceQuery(), ServiceQuery(text="schulden")], nl)
    assert [(results.backend, results.degraded) for results in many] == [("database", True)] * 2
    assert many[0].total == ServicePage.objects.live().public().filter(locale=nl).count()
    assert many[1].total > 0


def test_no_queries_no_answers(backend):
    assert search_many([], Locale.objects.get(language_code="nl")) == []
