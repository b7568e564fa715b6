"""What only the engine does: language analysis, synonyms, suggestions, and an
index that follows the editors' changes and can be rebuilt without downtime."""

from django.core.management import call_command

from wagtail.models import Locale

import pytest

from directory.models import PartnerPage, ServicePage
from search.engine import indexing
from search.engine.client import Engine
from search.engine.mapping import MAPPING_VERSION
from search.models import IndexChange
from search.query import ServiceQuery, search_services, suggest_services
from search.signals import index_updated

pytestmark = pytest.mark.django_db


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


@pytest.fixture
def engine(use_engine):
    return Engine(url=use_engine, for_indexing=True)


def engine_ids(engine, language, **query):
    body = {
        "query": {"match": query} if query else {"match_all": {}},
        "size": 1000,
        "_source": False,
    }
    engine.call("indices.refresh", index=engine.alias(language))
    response = engine.call("search", index=engine.alias(language), body=body)
    return {int(hit["_id"]) for hit in response["hits"]["hits"]}


def test_dutch_stemming_finds_other_forms_of_a_word(use_engine, nl):
    singular = {
        h.service.pk for h in search_services(ServiceQuery(text="schuld"), nl, per_page=200).page
    }
    plural = {
        h.service.pk for h in search_services(ServiceQuery(text="schulden"), nl, per_page=200).page
    }
    assert singular == plural
    assert singular


def test_social_domain_synonyms_find_the_same_help(use_engine, nl):
    worries = search_services(ServiceQuery(text="geldzorgen"), nl, per_page=200)
    debts = search_services(ServiceQuery(text="schulden"), nl, per_page=200)
    # Geldzorgen also finds services saying "geld" and "zorgen" apart (a compound).
    assert debts.total > 0
    assert {h.service.pk for h in debts.page} <= {h.service.pk for h in worries.page}
    nt2 = {h.service.pk for h in search_services(ServiceQuery(text="nt2"), nl, per_page=200).page}
    language_lessons = {
        s.pk
        for s in ServicePage.objects.live().filter(locale=nl)
        if "taalles" in f"{s.title} {s.summary} {s.body}".lower()
    }
    assert language_lessons
    assert language_lessons <= nt2


def test_a_misspelt_word_gets_a_suggestion_and_finds_the_word(use_engine, nl):
    results = search_services(ServiceQuery(text="schuldn"), nl)
    assert results.total > 0
    assert results.suggestion == "schulden"


def test_titles_are_suggested_while_typing(use_engine, nl):
    suggestions = suggest_services("schuldh", nl)
    assert suggestions
    assert all("schuldh" in service.title.lower() for service in suggestions)


def test_the_mapping_is_versioned_behind_an_alias(engine):
    aliases = engine.call("indices.get_alias", name=engine.alias("nl"))
    (index,) = aliases
    assert f"-v{MAPPING_VERSION}-" in index
    mapping = engine.call("indices.get_mapping", index=index)[index]["mappings"]
    assert mapping["_meta"]["mapping_version"] == MAPPING_VERSION


def test_search_keeps_working_during_a_full_rebuild(engine, nl, monkeypatch):
    live = ServicePage.objects.live().public().filter(locale=nl).count()
    seen = []

    def search_meanwhile(language, done, total):
        results = search_services(ServiceQuery(), nl)
        seen.append((results.backend, results.total))

    # The pages listed from the search (the theme pages) are purged once
    # every alias is on its new index (page_cache/signals.py).
    swapped = []

    def note_update(sender, page_ids, **kwargs):
        swapped.append((page_ids, set(engine.call("indices.get_alias", name=engine.alias("nl")))))

    monkeypatch.setattr(indexing, "BATCH_SIZE", 25)
    before = set(engine.call("indices.get_alias", name=engine.alias("nl")))
    index_updated.connect(note_update, dispatch_uid="test_rebuild")
    try:
        indexing.rebuild(engine, progress=search_meanwhile)
    finally:
        index_updated.disconnect(dispatch_uid="test_rebuild")
    after = set(engine.call("indices.get_alias", name=engine.alias("nl")))

    assert swapped == [(None, after)]
    assert len(seen) >= 4
    assert all(answer == ("engine", live) for answer in seen)
    assert before != after
    assert not engine.call("indices.exists", index=",".join(before))
    # Merged into one segment before the swap, so searches read one set of doc values.
    (index,) = after
    shards = engine.call("indices.segments", index=index)["indices"][index]["shards"]
    assert [copy["num_search_segments"] for copy in shards["0"]] == [1]


def test_publishing_unpublishing_and_deleting_reach_the_index(
    engine, nl, service, django_capture_on_commit_callbacks
):
    service.title = "Gloednieuwe titel voor de indextest"
    with django_capture_on_commit_callbacks(execute=True):
        service.save_revision().publish()
    assert service.pk in engine_ids(engine, "nl", title="gloednieuwe")

    with django_capture_on_commit_callbacks(execute=True):
        service.unpublish()
    assert service.pk not in engine_ids(engine, "nl")

    other = ServicePage.objects.live().exclude(pk=service.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
    assert other.pk not in engine_ids(engine, "nl")
    assert not IndexChange.objects.exists()


def test_a_theme_page_cached_before_the_index_had_a_change_goes_once_it_has(
    engine, nl, service, monkeypatch
):
    """A theme page lists what the engine finds, and the engine gets a
    change after the publish (from the worker): a theme page rendered in
    between, from the index as it was, is purged once the change is sent."""
    from django.test import Client

    from directory import pagination
    from directory.models import Theme, ThemeIndexPage

    monkeypatch.setattr(pagination, "PER_PAGE", 1000)
    theme = Theme.for_locale(nl).exclude(services=service).first()
    url = f"{ThemeIndexPage.objects.get(locale=nl).url}{theme.slug}/"
    service.themes.add(theme)
    # Not committed in this test: the index update waits, as for the worker.
    service.save_revision().publish()
    assert IndexChange.objects.exists()
    assert service.title not in Client().get(url).content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"

    indexing.drain_queue(patient=True)
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert service.title in response.content.decode()


def test_moving_a_service_to_another_partner_updates_its_partner_type(
    engine, nl, service, django_capture_on_commit_callbacks
):
    police = PartnerPage.objects.filter(partner_type="politie").first()
    assert service.get_parent().specific.partner_type != "politie"
    with django_capture_on_commit_callbacks(execute=True):
        service.move(police, pos="last-child")
    engine.call("indices.refresh", index=engine.alias("nl"))
    found = search_services(ServiceQuery(partner_types=("politie",)), nl, per_page=200)
    assert service.pk in {hit.service.pk for hit in found.page}


def test_a_published_translation_is_indexed_in_its_own_language(
    engine, django_capture_on_commit_callbacks
):
    from directory.demo.translations import TRANSLATED_SERVICES, translate

    translated = {path.split("/")[1] for path in TRANSLATED_SERVICES}
    source = (
        ServicePage.objects.filter(locale__language_code="nl").exclude(slug__in=translated).first()
    )
    english = Locale.objects.get(language_code="en")
    assert source.get_translation_or_none(english) is None
    with django_capture_on_commit_callbacks(execute=True):
        translate(source, english, {source.title: "Money advice walk-in hour"})
    target = source.get_translation(english)
    assert target.pk in engine_ids(engine, "en", title="money")
    found = search_services(ServiceQuery(text="money advice walk"), english)
    assert target.pk in [hit.service.pk for hit in found.page]
    # Searching in English no longer shows the Dutch page in its place.
    in_english = search_services(ServiceQuery(), english, per_page=500)
    shown = {hit.service.pk for hit in in_english.page}
    assert target.pk in shown and source.pk not in shown


def test_search_sync_command_reports_the_queue(engine, capsys):
    call_command("search_sync")
    assert "0 still queued" in capsys.readouterr().out


@pytest.mark.parametrize("radius_km", [5, None])
def test_sorting_by_distance_looks_close_by_first_without_changing_the_order(
    engine, nl, monkeypatch, radius_km
):
    from search.backends import engine as backend
    from search.geocoding import Point

    # Writes of earlier tests become searchable at the next refresh; not in between.
    engine.call("indices.refresh", index=engine.alias("nl"))

    centre = Point(52.1140, 5.1120)  # PC4 3563, Overvecht
    query = ServiceQuery(point=centre, radius_km=radius_km, sort="distance")

    def pages(per_page):
        return [
            [
                (hit.service.pk, hit.distance_km)
                for hit in search_services(query, nl, n, per_page).page
            ]
            for n in (1, 2)
        ]

    answered_close_by = []
    nearest = backend.EngineBackend._nearest

    def spy(self, index, body, near):
        hits = nearest(self, index, body, near)
        answered_close_by.append(hits is not None)
        return hits

    monkeypatch.setattr(backend.EngineBackend, "_nearest", spy)
    close_by = pages(per_page=2)
    # Two services within 1 km fill a first page of two.
    assert answered_close_by[0]
    answered_close_by.clear()
    too_few = pages(per_page=100)
    # Pages of 100 need the whole radius.
    assert answered_close_by and not any(answered_close_by)
    monkeypatch.setattr(backend, "_nearby", lambda query, wanted: None)

    assert close_by == pages(per_page=2)
    assert too_few == pages(per_page=100)
    assert close_by[0] and too_few[0]
