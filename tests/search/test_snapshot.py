"""Each process holds the search rows in memory (search/snapshot.py). A change
to a service reaches the next search of every process, a change that is rolled
back is forgotten with it, and nothing is read again while nothing changed."""

import datetime
import random

from django.db import transaction

from wagtail.models import Locale

import numpy as np
import pytest

from directory.choices import Cost
from directory.models import ServiceLocation
from search import snapshot
from search.backends.database import DatabaseBackend
from search.geocoding import Point
from search.models import RowsVersion, ServiceRow
from search.query import ServiceQuery

pytestmark = pytest.mark.django_db


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


def found(locale, **query) -> list[int]:
    results = DatabaseBackend().search(ServiceQuery(**query), locale, 1, 200)
    assert results.total <= 200
    return [hit.service.pk for hit in results.page]


class RolledBack(Exception):
    pass


def test_the_rows_are_read_again_only_after_a_change(service):
    first = snapshot.current()
    assert snapshot.current() is first

    service.save_revision().publish()
    changed = snapshot.current()
    assert changed is not first
    assert changed.token == RowsVersion.current() != first.token


def test_unpublishing_and_publishing_reach_the_next_search(service, nl):
    assert service.pk in found(nl)
    service.unpublish()
    assert service.pk not in found(nl)
    service.get_latest_revision().publish()
    assert service.pk in found(nl)


def test_a_deleted_service_is_gone_from_the_next_search(service, nl):
    assert service.pk in found(nl)
    title = service.title
    service.delete()
    assert service.pk not in found(nl)
    assert service.pk not in found(nl, text=title)


def test_a_moved_location_reorders_the_next_search_by_distance(service, nl):
    far_away = Point(53.2194, 6.5665)  # Groningen, far from every demo service
    assert found(nl, point=far_away, radius_km=5) == []

    # As the editor's form does: the page's locations, changed, in a revision.
    locations = list(service.locations.all())
    locations[0].latitude, locations[0].longitude = far_away.latitude + 0.001, far_away.longitude
    service.locations = locations
    service.save_revision().publish()
    assert found(nl, point=far_away, radius_km=5) == [service.pk]
    assert found(nl, point=far_away)[0] == service.pk


def test_a_rolled_back_change_is_forgotten(service, nl):
    assert service.pk in found(nl)
    with pytest.raises(RolledBack), transaction.atomic():
        service.unpublish()
        assert service.pk not in found(nl)
        raise RolledBack
    assert service.pk in found(nl)


def test_facet_values_filter_and_count_any_number_of_values():
    rng = random.Random(7)  # noqa: S311 - test data
    rows, values = 2000, [f"WK{n:06}" for n in range(3000)]
    has = [set(rng.sample(range(len(values)), rng.randrange(4))) for _ in range(rows)]
    entries = [(row, code) for row, codes in enumerate(has) for code in sorted(codes)]
    facet = snapshot.FacetValues(
        values, np.array([r for r, _c in entries]), np.array([c for _r, c in entries])
    )
    counted = np.array([rng.random() < 0.5 for _ in range(rows)])

    counts = facet.counts(counted).tolist()
    assert counts == [
        sum(code in has[r] for r in range(rows) if counted[r]) for code in range(3000)
    ]
    chosen = facet.codes(["WK002999", "WK000063", "not a wijk"])
    assert facet.rows_with(chosen, rows).tolist() == [
        bool(has[r] & {2999, 63}) for r in range(rows)
    ]
    some_rows = np.arange(rows)
    assert facet.has(some_rows, np.full(rows, 64)).tolist() == [64 in has[r] for r in range(rows)]
    assert not facet.has(some_rows, np.full(rows, -1)).any()


def test_patched_facet_values_are_those_of_the_rows_as_they_are_now():
    rng = random.Random(5)  # noqa: S311 - test data
    pool = [f"WK{n:06}" for n in range(40)]
    has = [set(rng.sample(pool, rng.randrange(3))) for _ in range(30)]

    def read_whole():
        entries = [(row, value) for row, values in enumerate(has) for value in sorted(values)]
        values = sorted({value for _row, value in entries})
        return snapshot.FacetValues(
            values,
            np.array([row for row, _v in entries], np.int64),
            np.array([values.index(value) for _r, value in entries], np.int64),
        )

    def as_read(facet):
        pairs = {(int(r), facet.values[c]) for r, c in zip(facet.row, facet.code, strict=True)}
        uses = dict(zip(facet.values, facet.uses.tolist(), strict=True))
        return pairs, sorted(facet.values), uses

    facet = read_whole()
    for _ in range(50):
        changed = set(rng.sample(range(len(has)), rng.randrange(1, 5)))
        for row in changed:
            # Now and then values new to the facet, and values no row keeps.
            has[row] = set(rng.sample(pool, rng.randrange(3))) | (
                {f"NEW{rng.randrange(5)}"} if rng.random() < 0.2 else set()
            )
        keep = np.array([row not in changed for row in range(len(has))])
        added = [(row, value) for row in sorted(changed) for value in sorted(has[row])]
        facet = facet.patched(keep, np.arange(len(has)), added)
        assert as_read(facet) == as_read(read_whole())


def test_an_empty_directory_has_nothing_to_show_or_count():
    empty = snapshot.Snapshot.from_rows(None, [], [])
    assert len(empty) == 0
    assert not empty.shown(locale_id=1, default_id=1, since=None).any()
    assert empty.nearest_km(Point(52.09, 5.12)).size == 0
    assert empty.counts(empty.none(), "cost") == dict.fromkeys(Cost.values, 0)
    assert empty.positions([1, 2, 3]).size == 0
    assert empty.value_counts(empty.none(), "wijken") == {}
    assert not empty.having("themes", ["wonen"]).any()


def test_a_database_without_rows_is_read_as_no_rows(service):
    # Read from the database a chunk at a time: no chunk at all is no rows.
    ServiceLocation.objects.all().delete()
    ServiceRow.objects.all().delete()
    empty = snapshot.Snapshot.load()
    assert len(empty) == 0
    assert empty.location_row.size == 0
    assert all(len(values.row) == 0 for values in empty.facets.values())
    assert not empty.shown(locale_id=1, default_id=1, since=None).any()


@pytest.mark.parametrize("spread", [1, 10_000_000], ids=["dense ids", "sparse ids"])
def test_services_are_found_by_id_however_sparse_the_ids(spread):
    """Positions come from a table by id or, where ids are sparse, a search:
    the same either way, in the order asked, unknown ids left out."""
    rng = np.random.default_rng(3)
    ids = rng.permutation(np.arange(1, 5001) * spread)
    rows = [
        (int(pk), 1, int(pk), *([0] * len(snapshot.CODED)), datetime.date(2026, 1, 1)) for pk in ids
    ]
    rows_of = snapshot.Snapshot.from_rows(None, rows, [])
    asked = np.concatenate([rng.choice(ids, 300), [0, -5, 5001 * spread + 1, 10**12]])
    known = set(ids.tolist())
    assert rows_of.pk[rows_of.positions(asked)].tolist() == [pk for pk in asked if pk in known]
    assert rows_of.among(ids[:10]).sum() == 10
