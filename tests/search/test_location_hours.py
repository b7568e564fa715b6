"""The "open now" filter of both backends for a service in two buildings: open while
either building is, an exception closing only the building it names."""

import datetime

from django.utils import timezone

from wagtail.models import Locale

import pytest

from directory.models import OpeningHours, OpeningHoursException, ServicePage
from search.engine.documents import open_scopes
from search.query import ServiceQuery
from tests.search.test_contract import engine_caught_up, every_hit

# Wednesday 2 December 2026, mid-morning.
WEDNESDAY = datetime.date(2026, 12, 2)


def spreekuur() -> ServicePage:
    return ServicePage.objects.get(slug="spreekuur-inburgeringsplan", locale__language_code="nl")


def publish(page, django_capture_on_commit_callbacks, *closed_at: int) -> None:
    """Both buildings open on Wednesday morning; closed that Wednesday at the
    buildings numbered in ``closed_at``."""
    buildings = list(page.locations.all())
    page.opening_hours = [
        *page.opening_hours.all(),
        OpeningHours(weekday=2, opens=datetime.time(9), closes=datetime.time(12)),
    ]
    page.opening_hours_exceptions = [
        OpeningHoursException(
            start_date=WEDNESDAY,
            end_date=WEDNESDAY,
            closed=True,
            location_key=buildings[number].hsds_id,
        )
        for number in closed_at
    ]
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()


@pytest.mark.parametrize(
    "closed_at, open_now", [((), True), ((0,), True), ((1,), True), ((0, 1), False)]
)
def test_open_now_follows_each_building(
    backend, closed_at, open_now, django_capture_on_commit_callbacks
):
    nl = Locale.objects.get(language_code="nl")
    page = spreekuur()
    before = page.get_latest_revision()
    moment = datetime.datetime.combine(
        WEDNESDAY, datetime.time(10), tzinfo=timezone.get_current_timezone()
    )
    try:
        publish(page, django_capture_on_commit_callbacks, *closed_at)
        engine_caught_up(backend)
        found = {s.pk for s in every_hit(ServiceQuery(open_at=moment), nl)}
        assert (page.pk in found) is open_now
        assert spreekuur().is_open_at(moment) is open_now
    finally:
        # The engine's index outlives the test's transaction: leave it as it was.
        with django_capture_on_commit_callbacks(execute=True):
            before.publish()


def test_the_engine_document_holds_the_hours_of_each_building():
    overvecht, kanaleneiland = "a", "b"
    nine, noon = datetime.time(9), datetime.time(12)
    scopes = open_scopes(
        [overvecht, kanaleneiland],
        [(1, nine, noon, overvecht), (2, nine, noon, None)],
        [(WEDNESDAY, WEDNESDAY, True, None, None, kanaleneiland)],
    )
    tuesday, wednesday = 1 * 24 * 60 + 9 * 60, 2 * 24 * 60 + 9 * 60
    assert [[r["gte"] for r in scope["open_ranges"]] for scope in scopes] == [
        [tuesday, wednesday],
        [wednesday],
    ]
    assert [scope["exception_dates"] for scope in scopes] == [[], ["2026-12-02"]]


def test_a_service_without_hours_of_one_building_has_one_set_of_hours():
    scopes = open_scopes(["a", "b"], [(1, datetime.time(9), datetime.time(12), None)], [])
    assert len(scopes) == 1
