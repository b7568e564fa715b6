"""After a change, each process patches the rows of the services changed into
a copy of its arrays rather than reading every row again (search/snapshot.py).
Whatever the change, the patched copy holds what a copy read whole holds; and
where the log of changes cannot be trusted to lead from the copy to the
current rows, every row is read again."""

import random

from django.db import transaction

from wagtail.models import Locale

import numpy as np
import pytest

from directory.models import ServiceLocation, ServicePage, Theme
from search import snapshot
from search.backends.database import DatabaseBackend
from search.models import RowsChange, RowsVersion
from search.query import ServiceQuery
from search.rows import sync_rows

pytestmark = pytest.mark.django_db


def assert_same_rows(patched: snapshot.Snapshot, whole: snapshot.Snapshot):
    """The same rows in the same order with the same columns, translations,
    facet values and locations: codes are compared by what they stand for."""
    assert patched.pk.tolist() == whole.pk.tolist()
    assert (patched.token, patched.last_change) == (whole.token, whole.last_change)
    assert patched.locale.tolist() == whole.locale.tolist()
    assert patched.verified.tolist() == whole.verified.tolist()
    for name in snapshot.CODED:
        assert patched.codes[name].tolist() == whole.codes[name].tolist(), name
    assert translations(patched) == translations(whole)
    for facet in whole.facets:
        assert entries(patched, facet) == entries(whole, facet), facet
        # Only values some row has: none kept for rows gone, in whatever order.
        assert sorted(patched.facets[facet].values) == sorted(whole.facets[facet].values), facet
    assert locations(patched) == locations(whole)
    some = np.arange(len(whole)) % 2 == 0
    for facet in whole.facets:
        assert counts(patched, some, facet) == counts(whole, some, facet), facet


def counts(rows, chosen, facet) -> dict[str, int]:
    return rows.value_counts(chosen, facet)


def translations(rows) -> set[frozenset[int]]:
    """The services grouped by translation: the numbers themselves differ."""
    groups: dict[int, set[int]] = {}
    for pk, number in zip(rows.pk.tolist(), rows.translation.tolist(), strict=True):
        groups.setdefault(number, set()).add(pk)
    return {frozenset(group) for group in groups.values()}


def entries(rows, facet) -> set[tuple[int, str]]:
    values = rows.facets[facet]
    return {
        (pk, values.values[code])
        for pk, code in zip(rows.pk[values.row].tolist(), values.code.tolist(), strict=True)
    }


def locations(rows) -> list[tuple]:
    return sorted(
        (pk, round(latitude, 9), round(longitude, 9))
        for pk, latitude, longitude in zip(
            rows.pk[rows.location_row].tolist(),
            rows.latitude.tolist(),
            rows.longitude.tolist(),
            strict=True,
        )
    )


def patched_as_read_whole() -> snapshot.Snapshot:
    patched = snapshot.current()
    assert patched.patched, "every row was read again"
    assert_same_rows(patched, snapshot.Snapshot.load())
    return patched


@pytest.fixture
def rows(db) -> snapshot.Snapshot:
    return snapshot.current()


def shown_services():
    return ServicePage.objects.live().public().order_by("pk")


def test_retitled_services_take_their_new_place_in_title_order(rows):
    rng = random.Random(11)  # noqa: S311 - test data
    services = list(shown_services())
    titles = ["Aaa eerst", "Zzz laatst", services[5].title, "ß straat", "Émile", "10 tips", "a"]
    for title in titles:
        service = rng.choice(services)
        service.title = title
        service.save_revision().publish()
        rows = patched_as_read_whole()
        assert service.pk in rows.pk.tolist()


def test_unpublished_republished_and_deleted_services_are_patched(rows, service):
    service.unpublish()
    assert service.pk not in patched_as_read_whole().pk.tolist()

    service.get_latest_revision().publish()
    assert service.pk in patched_as_read_whole().pk.tolist()

    service.delete()
    assert service.pk not in patched_as_read_whole().pk.tolist()


def test_a_deleted_partner_takes_its_services_rows_along(rows, partner):
    services = set(ServicePage.objects.descendant_of(partner).values_list("pk", flat=True))
    assert services & set(rows.pk.tolist())
    partner.delete()
    assert not services & set(patched_as_read_whole().pk.tolist())


def test_new_services_and_translations_join_their_own_translations(rows, service):
    copy = service.copy(update_attrs={"title": "Kookclub voor iedereen", "slug": "kookclub-alle"})
    copy.save_revision().publish()
    rows = patched_as_read_whole()
    assert {copy.pk} in translations(rows)

    english = copy.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "Cooking club for everyone"
    english.save_revision().publish()
    assert {copy.pk, english.pk} in translations(patched_as_read_whole())


def test_new_facet_values_and_moved_locations_are_patched(rows, service):
    theme = Theme.objects.create(
        name="Dakterrassen", slug="dakterrassen", locale=Locale.get_default()
    )
    service.themes.add(theme)
    moved = list(service.locations.all())
    moved[0].latitude, moved[0].longitude = 53.2194, 6.5665
    service.locations = moved
    service.save_revision().publish()

    rows = patched_as_read_whole()
    assert (service.pk, "dakterrassen") in entries(rows, "themes")
    point = ServiceLocation.objects.get(pk=moved[0].pk)
    assert (service.pk, round(np.radians(float(point.latitude)), 9)) in {
        (pk, latitude) for pk, latitude, _longitude in locations(rows)
    }
    results = DatabaseBackend().search(
        ServiceQuery(themes=("dakterrassen",)), Locale.get_default(), 1, 10
    )
    assert [hit.service.pk for hit in results.page] == [service.pk]
    assert results.facets["themes"]["dakterrassen"] == 1


def test_a_value_no_row_has_any_more_is_dropped_from_the_patched_rows(rows, service):
    theme = Theme.objects.create(
        name="Dakterrassen", slug="dakterrassen", locale=Locale.get_default()
    )
    service.themes.add(theme)
    service.save_revision().publish()
    assert "dakterrassen" in patched_as_read_whole().facets["themes"].values

    service.themes.remove(theme)
    service.save_revision().publish()
    rows = patched_as_read_whole()
    assert "dakterrassen" not in rows.facets["themes"].values
    assert rows.facets["themes"].code_of("dakterrassen") == -1
    assert "dakterrassen" not in rows.value_counts(np.ones(len(rows), bool), "themes")


def test_a_change_to_more_services_than_are_named_reads_every_row(rows, monkeypatch):
    monkeypatch.setattr(RowsVersion, "NAMED_SERVICES", 2)
    sync_rows(shown_services().values_list("pk", flat=True)[:3])
    assert RowsChange.objects.latest("pk").services is None
    assert not snapshot.current().patched


def test_many_small_changes_add_up_to_reading_every_row(rows, monkeypatch):
    monkeypatch.setattr(RowsVersion, "NAMED_SERVICES", 2)
    for pk in shown_services().values_list("pk", flat=True)[:3]:
        sync_rows([pk])
    assert not snapshot.current().patched


def test_a_token_changed_around_the_log_reads_every_row(rows):
    RowsVersion.bump()
    assert_same_rows(read := snapshot.current(), snapshot.Snapshot.load())
    assert not read.patched


def test_a_process_further_behind_than_the_log_reads_every_row(rows, service, monkeypatch):
    monkeypatch.setattr(RowsVersion, "KEPT_CHANGES", 2)
    for _ in range(3):
        service.save_revision().publish()
    assert RowsChange.objects.count() == 2
    assert not snapshot.current().patched


def test_rows_read_within_a_rolled_back_change_are_never_patched(service):
    class RolledBack(Exception):
        pass

    with pytest.raises(RolledBack), transaction.atomic():
        service.unpublish()
        assert service.pk not in snapshot.current().pk.tolist()
        raise RolledBack
    # The log goes on from before the change (and on SQLite with the same ids).
    service.title = "Na het terugdraaien"
    service.save_revision().publish()
    rows = snapshot.current()
    assert not rows.patched
    assert_same_rows(rows, snapshot.Snapshot.load())
    assert service.pk in rows.pk.tolist()
