"""The search contract at national scale (issue #17): 3,000 wijken in 400
municipalities and 2,000 services. Every wijk filters and counts exactly, on
the database backend (SQLite and PostgreSQL, CI's two runs) and on the engine,
and no public page grows with the number of wijken.

Expected answers come from the relation tables, never from a backend. The
directory is written once for the module, in bulk (``add_child`` costs some
50 ms a page: minutes for 5,000 pages), inside a transaction that is rolled
back afterwards, so the other tests see the demo unchanged.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from wagtail.models import Locale

import pytest

from directory import changes
from directory.models import Municipality, PartnerPage, ServicePage, WijkIndexPage, WijkPage
from directory.national import MUNICIPALITIES, WIJKEN, write_municipalities, write_wijken
from hsds import bulk
from search import analysis
from search.query import ServiceQuery, search_many, search_services

pytestmark = pytest.mark.django_db

SERVICES = 2000
MAX_HTML = 60 * 1024


@dataclass
class Nation:
    municipalities: list[Municipality]
    wijken: list[WijkPage]
    services: list[ServicePage]
    seconds: float
    engine: object = None  # the test node's client, once the nation is indexed there
    engine_seconds: float = 0.0
    steps: dict = None


def new_services(
    partners: list[PartnerPage],
    wijken: list[WijkPage],
    municipalities: list[Municipality],
    rng: random.Random,
) -> list[bulk.NewService]:
    """Services for a few wijken anywhere, for whole municipalities, or for
    both (sometimes a wijk of the municipality it also serves whole, which
    must count once)."""
    services = []
    for number in range(SERVICES):
        page = ServicePage(
            title=f"Dienst {number:04d}",
            slug=f"dienst-{number:04d}",
            summary="Hulp in de wijk.",
            locale_id=partners[0].locale_id,
        )
        kind = rng.random()
        chosen_wijken = rng.sample(wijken, rng.randint(1, 3)) if kind < 0.75 else []
        chosen_municipalities = rng.sample(municipalities, rng.randint(1, 2)) if kind > 0.6 else []
        if kind > 0.9 and chosen_wijken:
            chosen_municipalities.append(chosen_wijken[0].municipality)
        page.wijken.set(chosen_wijken)
        page.municipalities.set(set(chosen_municipalities))
        services.append(bulk.NewService(page, partners[number % len(partners)]))
    return services


@pytest.fixture(scope="module")
def nation(django_db_setup, django_db_blocker) -> Nation:
    """The directory of a national coalition, for this module only."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            started = time.monotonic()
            dutch = Locale.objects.get(language_code="nl")
            municipalities = write_municipalities()
            index = WijkIndexPage.objects.get(locale=dutch)
            wijken = write_wijken(index, municipalities)
            wijken_written = time.monotonic() - started
            partners = list(PartnerPage.objects.live().filter(locale=dutch).order_by("path"))
            rng = random.Random(17)  # noqa: S311 - test data, not secrets
            services = bulk.write(new_services(partners, wijken, municipalities, rng))
            services_written = time.monotonic() - started
            # What every writer of services announces: the search rows follow.
            changes.send([service.pk for service in services])
            analysis.forget()
            nation = Nation(municipalities, wijken, services, time.monotonic() - started)
            nation.steps = {"wijken": wijken_written, "services": services_written}
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield nation
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
        analysis.forget()
        if nation.engine is not None:
            from search.engine.indexing import rebuild

            # The demo is back in the database; the engine's indexes follow.
            rebuild(nation.engine)


@pytest.fixture(scope="module")
def nation_in_engine(nation, engine_index, django_db_blocker):
    """The national directory in the test node's indexes, as ``search_rebuild``
    puts it there (``nation`` rebuilds the demo's when it is rolled back)."""
    from search.engine.client import Engine
    from search.engine.indexing import rebuild

    engine = Engine(url=engine_index, for_indexing=True)
    with django_db_blocker.unblock():
        started = time.monotonic()
        nation.engine = engine
        rebuild(engine)
        nation.engine_seconds = time.monotonic() - started
    print(f"national directory indexed in {nation.engine_seconds:.1f} s")
    return engine_index


@pytest.fixture(params=["database", "engine"])
def national_backend(request, settings, nation):
    if request.param == "engine":
        url = request.getfixturevalue("nation_in_engine")
        settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": url}
    else:
        settings.SEARCH_ENGINE = {**settings.SEARCH_ENGINE, "URL": ""}
    return request.param


def shown(locale: Locale):
    return ServicePage.objects.live().public().filter(locale=locale)


def expected_per_wijk(locale: Locale) -> dict[str, set[int]]:
    """The services serving each wijk, from the relation tables: those that
    list it and those for its whole municipality."""
    services = set(shown(locale).values_list("pk", flat=True))
    listing = defaultdict(set)
    for service, code in ServicePage.wijken.through.objects.values_list(
        "servicepage_id", "wijkpage__cbs_code"
    ):
        if service in services:
            listing[code].add(service)
    whole = defaultdict(set)
    for service, municipality in ServicePage.municipalities.through.objects.values_list(
        "servicepage_id", "municipality_id"
    ):
        if service in services:
            whole[municipality].add(service)
    return {
        code: listing[code] | whole[municipality]
        for code, municipality in WijkPage.objects.values_list("cbs_code", "municipality_id")
    }


def found(query: ServiceQuery, locale: Locale) -> tuple[set[int], int]:
    results = search_services(query, locale, per_page=200)
    assert not results.degraded
    return {hit.service.pk for hit in results.page}, results.total


def test_the_nation_has_its_size(nation):
    print(f"national directory written in {nation.seconds:.1f} s {nation.steps}")
    assert Municipality.objects.filter(cbs_code__startswith="GM9").count() == MUNICIPALITIES
    assert WijkPage.objects.filter(cbs_code__startswith="WK9").live().count() == WIJKEN
    assert len(nation.services) == SERVICES


def test_each_wijk_filters_exactly(national_backend, nation):
    """A wijk selects the services that list it and those for its whole
    municipality, each once: every wijk of the nation and of the demo, in
    one ``search_many`` (a hundred searches a request on the engine)."""
    nl = Locale.objects.get(language_code="nl")
    expected = expected_per_wijk(nl)
    codes = sorted(expected)
    started = time.monotonic()
    many = search_many([ServiceQuery(wijk=code) for code in codes], nl, per_page=200)
    print(f"{len(codes)} wijken filtered in {time.monotonic() - started:.1f} s")
    assert len(codes) > WIJKEN
    assert not any(results.degraded for results in many)
    assert max(results.total for results in many) <= 200  # each page holds every hit
    wrong = {
        code: (len(expected[code]), results.total)
        for code, results in zip(codes, many, strict=True)
        if {hit.service.pk for hit in results.page} != expected[code]
        or results.total != len(expected[code])
    }
    assert not wrong


def test_every_wijk_counts_exactly(national_backend, nation):
    nl = Locale.objects.get(language_code="nl")
    expected = expected_per_wijk(nl)
    facets = search_services(ServiceQuery(), nl).facets["wijk"]
    assert facets == {code: len(services) for code, services in expected.items() if services}
    assert len(facets) > WIJKEN * 0.9


def test_municipalities_filter_exactly(national_backend, nation):
    nl = Locale.objects.get(language_code="nl")
    expected = expected_per_wijk(nl)
    of = defaultdict(set)
    for code, municipality in WijkPage.objects.values_list("cbs_code", "municipality__cbs_code"):
        of[municipality] |= expected[code]
    sample = ["GM0344", *(m.cbs_code for m in nation.municipalities[::10])]
    for code in sample:
        assert found(ServiceQuery(municipality=code), nl) == (of[code], len(of[code])), code


@pytest.mark.parametrize(
    "path",
    [
        "/nl/",
        "/nl/zoeken/",
        "/nl/zoeken/?q=dienst+0001",
        "/nl/zoeken/?gemeente=GM9001",
        "/nl/zoeken/?gemeente=GM9000&wijk=WK900000",
    ],
)
def test_pages_stay_small_at_national_scale(client, nation, path):
    """The home page and the search page, with 20 result cards or a
    municipality or wijk chosen, whatever the size of the country."""
    response = client.get(path)
    assert response.status_code == 200
    if path == "/nl/zoeken/":
        assert response.content.count(b'class="ww-card"') == 20
    print(path, len(response.content))
    assert len(response.content) < MAX_HTML, len(response.content)
