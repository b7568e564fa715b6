"""Opening hours and exceptions of one location: a service in two buildings
with different days says for each building when it is open, and is open
when any of them is (directory/opening.py, directory/forms.py)."""

import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation

from wagtail.test.utils.form_data import inline_formset

import pytest

from directory import opening, structured_data
from directory.models import (
    OpeningHours,
    OpeningHoursException,
    ServiceLocation,
    ServicePage,
    WijkPage,
)
from directory.overview import weekly_hours
from hsds.mapping import exception_schedule, weekly_schedule
from search.backends.database import open_at
from tests.directory.test_page_tree import service_form_data

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Tuesday 1 and Thursday 3 December 2026.
TUESDAY, THURSDAY = datetime.date(2026, 12, 1), datetime.date(2026, 12, 3)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def hours(weekday, opens, closes, location=None) -> OpeningHours:
    return OpeningHours(
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
        location_key=None if location is None else location.hsds_id,
    )


def closed_on(day, location=None, note="") -> OpeningHoursException:
    return OpeningHoursException(
        start_date=day,
        end_date=day,
        closed=True,
        note=note,
        location_key=None if location is None else location.hsds_id,
    )


def two_buildings(rows=None, exceptions=()):
    """Overvecht on Tuesday morning, Kanaleneiland on Thursday afternoon, as
    the demo's "Spreekuur inburgeringsplan"; both on Wednesday morning."""
    overvecht = ServiceLocation(name="Overvecht", address="Zamenhofdreef 20", city="Utrecht")
    kanaleneiland = ServiceLocation(
        name="Kanaleneiland", address="Marco Pololaan 100", city="Utrecht"
    )
    if rows is None:
        rows = [
            hours(1, "09:30", "12:00", overvecht),
            hours(3, "13:00", "15:30", kanaleneiland),
            hours(2, "09:00", "12:00"),
        ]
    page = ServicePage(
        title="Spreekuur",
        locations=[overvecht, kanaleneiland],
        opening_hours=rows,
        opening_hours_exceptions=list(exceptions(overvecht, kanaleneiland))
        if callable(exceptions)
        else list(exceptions),
    )
    return page, overvecht, kanaleneiland


def said(page, moment, location=None) -> str:
    with translation.override("en"):
        status = opening.status_at(page, moment, location=location)
    if status is None:
        return ""
    return status.text + (f" ({status.note})" if status.note else "")


class TestStatusPerLocation:
    def test_each_location_says_its_own_hours(self):
        page, overvecht, kanaleneiland = two_buildings()
        assert said(page, at(TUESDAY, 10), overvecht) == "Open now, until 12:00"
        assert said(page, at(TUESDAY, 10), kanaleneiland) == "Closed, opens Wednesday 09:00"
        assert said(page, at(THURSDAY, 14), kanaleneiland) == "Open now, until 15:30"
        assert said(page, at(THURSDAY, 14), overvecht) == "Closed, opens Tuesday 09:30"

    def test_the_service_is_open_when_any_location_is(self):
        page, _overvecht, _kanaleneiland = two_buildings()
        assert said(page, at(TUESDAY, 10)) == "Open now, until 12:00"
        assert said(page, at(THURSDAY, 14)) == "Open now, until 15:30"
        assert said(page, at(THURSDAY, 10)) == "Closed, opens at 13:00"
        assert page.is_open_at(at(TUESDAY, 10)) and page.is_open_at(at(THURSDAY, 14))
        assert not page.is_open_at(at(THURSDAY, 10))

    def test_hours_left_empty_hold_for_every_location(self):
        page, overvecht, kanaleneiland = two_buildings()
        wednesday = TUESDAY + datetime.timedelta(days=1)
        assert said(page, at(wednesday, 10), overvecht) == "Open now, until 12:00"
        assert said(page, at(wednesday, 10), kanaleneiland) == "Open now, until 12:00"

    def test_an_exception_of_one_location_leaves_the_other_open(self):
        wednesday = TUESDAY + datetime.timedelta(days=1)
        page, overvecht, kanaleneiland = two_buildings(
            exceptions=lambda o, k: [closed_on(wednesday, o, "Verbouwing")]
        )
        assert (
            said(page, at(wednesday, 10), overvecht)
            == "Closed today, opens Tuesday 09:30 (Verbouwing)"
        )
        assert said(page, at(wednesday, 10), kanaleneiland) == "Open now, until 12:00"
        assert said(page, at(wednesday, 10)) == "Open now, until 12:00"
        assert page.is_open_at(at(wednesday, 10))

    def test_an_exception_for_all_closes_every_location_with_its_reason(self):
        wednesday = TUESDAY + datetime.timedelta(days=1)
        page, _o, _k = two_buildings(exceptions=[closed_on(wednesday, note="Studiedag")])
        assert said(page, at(wednesday, 10)) == "Closed today, opens Thursday 13:00 (Studiedag)"
        assert not page.is_open_at(at(wednesday, 10))

    def test_an_exception_of_the_location_wins_over_one_for_all(self):
        wednesday = TUESDAY + datetime.timedelta(days=1)

        def exceptions(overvecht, _kanaleneiland):
            open_late = OpeningHoursException(
                start_date=wednesday,
                end_date=wednesday,
                closed=False,
                opens=datetime.time(18),
                closes=datetime.time(20),
                location_key=overvecht.hsds_id,
            )
            return [closed_on(wednesday, note="Studiedag"), open_late]

        page, overvecht, kanaleneiland = two_buildings(exceptions=exceptions)
        assert said(page, at(wednesday, 19), overvecht) == "Open now, until 20:00"
        assert said(page, at(wednesday, 19), kanaleneiland).startswith("Closed today")
        assert page.is_open_at(at(wednesday, 19))

    def test_without_hours_of_one_location_the_simple_form_stays(self):
        page, _o, _k = two_buildings(rows=[hours(1, "09:00", "12:00")])
        assert not page.hours_per_location
        assert page.location_hours() == []
        with translation.override("en"):
            assert [str(day) for day, _rows in page.weekly_hours()] == ["Tuesday"]

    def test_the_printed_overview_names_the_location_of_each_week(self):
        page, _o, _k = two_buildings(rows=[])
        page.opening_hours = [hours(1, "09:30", "12:00", page.locations.all()[0])]
        with translation.override("nl"):
            assert weekly_hours(page) == [("Overvecht: di", "09:30–12:00")]


@pytest.mark.django_db
def test_each_place_of_the_json_ld_carries_its_own_opening_hours(rf):
    data = structured_data.service(demo_spreekuur(), rf.get("/"))
    places = data["availableChannel"]["serviceLocation"]
    days = {
        place["name"]: [spec["dayOfWeek"] for spec in place["openingHoursSpecification"]]
        for place in places
    }
    assert days == {
        "Wijkcentrum De Voorbeeldhof": ["https://schema.org/Tuesday"],
        "Wijkcentrum De Kanaalbocht": ["https://schema.org/Thursday"],
    }
    assert "hoursAvailable" not in data


def demo_spreekuur() -> ServicePage:
    return ServicePage.objects.get(slug="spreekuur-inburgeringsplan", locale__language_code="nl")


@pytest.mark.django_db
def test_the_demo_spreekuur_has_hours_per_building():
    with translation.override("en"):
        per_location = {
            where.name: [str(day) for day, _rows in week]
            for where, week, _exceptions in demo_spreekuur().location_hours()
        }
    assert per_location == {
        "Wijkcentrum De Voorbeeldhof": ["Tuesday"],
        "Wijkcentrum De Kanaalbocht": ["Thursday"],
    }


@pytest.mark.django_db
def test_translations_keep_the_link_to_their_location():
    dutch = demo_spreekuur()
    keys = {row.weekday: row.location_key for row in dutch.opening_hours.all()}
    names = {loc.hsds_id: loc.name for loc in dutch.locations.all()}
    for translated in ServicePage.objects.filter(translation_key=dutch.translation_key).exclude(
        pk=dutch.pk
    ):
        assert {row.weekday: row.location_key for row in translated.opening_hours.all()} == keys
        assert {loc.hsds_id: loc.name for loc in translated.locations.all()} == names


@pytest.mark.django_db
def test_the_service_page_shows_the_status_and_hours_of_each_building(client):
    page = demo_spreekuur()
    html = client.get(page.url).content.decode()
    for location in page.locations.all():
        assert f'data-ww-location="{location.hsds_id}"' in html
    # The service's own line, and one line per building for the script to keep right.
    assert html.count("data-ww-opening=") == 3


@pytest.mark.django_db
def test_the_hsds_schedule_names_the_service_at_location():
    page = demo_spreekuur()
    for row in page.opening_hours.all():
        assert weekly_schedule(row, "s")["service_at_location_id"] == str(row.location_key)
    general = OpeningHoursException(start_date=TUESDAY, end_date=TUESDAY, closed=True)
    assert "service_at_location_id" not in exception_schedule(general, "s")


@pytest.mark.django_db
class TestDatabaseOpenNow:
    """The database search's "open now" agrees with ``is_open_at`` for hours
    and exceptions of one location and of all."""

    def build(self, exceptions):
        page = demo_spreekuur()
        overvecht, kanaleneiland = page.locations.order_by("sort_order", "pk")
        wednesday = TUESDAY + datetime.timedelta(days=1)
        OpeningHours.objects.create(
            page=page, weekday=2, opens=datetime.time(9), closes=datetime.time(12)
        )
        for location, closed in exceptions:
            OpeningHoursException.objects.create(
                page=page,
                start_date=wednesday,
                end_date=wednesday,
                closed=closed,
                opens=None if closed else datetime.time(18),
                closes=None if closed else datetime.time(20),
                location_key=None
                if location is None
                else (overvecht, kanaleneiland)[location].hsds_id,
            )
        return ServicePage.objects.prefetch_related(
            "locations", "opening_hours", "opening_hours_exceptions"
        ).get(pk=page.pk), wednesday

    @pytest.mark.parametrize(
        "exceptions",
        [
            [],
            [(0, True)],
            [(0, True), (1, True)],
            [(None, True)],
            [(None, True), (0, False)],
            [(1, False)],
        ],
    )
    @pytest.mark.parametrize("hour", [10, 19])
    def test_open_now_per_location(self, exceptions, hour):
        page, wednesday = self.build(exceptions)
        moment = at(wednesday, hour)
        assert (page.pk in open_at(moment)) == page.is_open_at(moment)

    @pytest.mark.parametrize(
        "day, hour, expected", [(TUESDAY, 10, True), (THURSDAY, 10, False), (THURSDAY, 14, True)]
    )
    def test_the_demo_spreekuur_is_open_at_either_building(self, day, hour, expected):
        assert (demo_spreekuur().pk in open_at(at(day, hour))) is expected


@pytest.mark.django_db
class TestEditorForm:
    def post(self, admin_client, page, keys):
        wijk = WijkPage.objects.get(cbs_code="WK034403", locale=page.locale)
        locations = list(page.locations.all())
        rows = [
            {
                "id": row.pk,
                "weekday": str(row.weekday),
                "opens": "09:30",
                "closes": "12:00",
                "location_key": key,
            }
            for row, key in zip(page.opening_hours.order_by("weekday"), keys, strict=True)
        ]
        data = service_form_data(
            wijk,
            title=page.title,
            slug=page.slug,
            locations=inline_formset(
                [
                    {
                        "id": location.pk,
                        "name": location.name,
                        "address": location.address,
                        "postcode": location.postcode,
                        "city": location.city,
                        "latitude": str(location.latitude),
                        "longitude": str(location.longitude),
                    }
                    for location in locations
                ],
                initial=len(locations),
            ),
            opening_hours=inline_formset(rows, initial=len(rows)),
        )
        return admin_client.post(reverse("wagtailadmin_pages:edit", args=(page.pk,)), data)

    def test_the_form_offers_the_services_own_locations(self, admin_client):
        page = demo_spreekuur()
        html = admin_client.get(
            reverse("wagtailadmin_pages:edit", args=(page.pk,))
        ).content.decode()
        for location in page.locations.all():
            assert f'<option value="{location.hsds_id}"' in html
        assert "All locations" in html or "Alle locaties" in html

    def test_a_location_of_another_page_is_refused(self, admin_client):
        page = demo_spreekuur()
        other = ServiceLocation.objects.exclude(page__translation_key=page.translation_key).first()
        before = ServicePage.objects.get(pk=page.pk).latest_revision_id
        response = self.post(admin_client, page, [str(other.hsds_id), ""])
        assert response.status_code == 200
        formset = response.context["form"].formsets["opening_hours"]
        assert "location_key" in formset.forms[0].errors
        assert ServicePage.objects.get(pk=page.pk).latest_revision_id == before

    def test_empty_means_all_locations_and_a_chosen_one_is_kept(self, admin_client):
        page = demo_spreekuur()
        second = page.locations.order_by("sort_order", "pk")[1]
        response = self.post(admin_client, page, ["", str(second.hsds_id)])
        assert response.status_code == 302
        saved = ServicePage.objects.get(pk=page.pk).get_latest_revision_as_object()
        assert [row.location_key for row in saved.opening_hours.all()] == [None, second.hsds_id]
