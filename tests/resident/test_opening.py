"""Open or closed, and until when (directory/opening.py): what a resident reads
on a service page and on every card, in Europe/Amsterdam, in her language."""

import datetime
from zoneinfo import ZoneInfo

from django.test import TestCase
from django.utils import translation

import pytest

from directory import opening
from directory.choices import ServiceStatus
from directory.models import OpeningHours, OpeningHoursException, ServicePage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Wednesday 2 December 2026; Thursday is the 3rd, Saturday the 5th.
WEDNESDAY = datetime.date(2026, 12, 2)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def plus(days: int) -> datetime.date:
    return WEDNESDAY + datetime.timedelta(days=days)


def hours(weekday: int, opens: str, closes: str) -> OpeningHours:
    return OpeningHours(
        weekday=weekday,
        opens=datetime.time.fromisoformat(opens),
        closes=datetime.time.fromisoformat(closes),
    )


def office_week() -> list[OpeningHours]:
    """Monday to Friday, 09:00 to 17:00."""
    return [hours(day, "09:00", "17:00") for day in range(5)]


def service(rows, exceptions=(), status=ServiceStatus.ACTIVE) -> ServicePage:
    return ServicePage(
        title="Spreekuur",
        status=status,
        opening_hours=list(rows),
        opening_hours_exceptions=list(exceptions),
    )


def said(page, moment, language="en") -> str:
    with translation.override(language):
        status = opening.status_at(page, moment)
    if status is None:
        return ""
    return status.text + (f" ({status.note})" if status.note else "")


class OpenOrClosedTest(TestCase):
    def test_open_until_closing_time(self):
        assert said(service(office_week()), at(WEDNESDAY, 10)) == "Open now, until 17:00"

    def test_closing_time_itself_is_closed(self):
        assert said(service(office_week()), at(WEDNESDAY, 17)) == "Closed, opens Thursday 09:00"

    def test_before_opening_says_the_time_today(self):
        assert said(service(office_week()), at(WEDNESDAY, 7, 30)) == "Closed, opens at 09:00"

    def test_after_friday_the_next_opening_is_monday(self):
        assert said(service(office_week()), at(plus(2), 18)) == "Closed, opens Monday 09:00"

    def test_a_lunch_break_opens_again_the_same_day(self):
        page = service([hours(2, "09:00", "12:00"), hours(2, "13:00", "16:00")])
        assert said(page, at(WEDNESDAY, 12, 30)) == "Closed, opens at 13:00"
        assert said(page, at(WEDNESDAY, 11)) == "Open now, until 12:00"

    def test_hours_past_midnight_run_on_into_the_next_day(self):
        # Editors enter Friday night as Friday until 23:59 and Saturday from 00:00.
        page = service([hours(4, "20:00", "23:59"), hours(5, "00:00", "02:00")])
        assert said(page, at(plus(2), 22)) == "Open now, until 02:00"
        assert said(page, at(plus(3), 1)) == "Open now, until 02:00"
        assert said(page, at(plus(3), 3)) == "Closed, opens Friday 20:00"

    def test_an_exception_closes_a_regular_day_and_says_why(self):
        holiday = OpeningHoursException(
            start_date=plus(1), end_date=plus(1), closed=True, note="Studiedag"
        )
        page = service(office_week(), [holiday])
        assert said(page, at(plus(1), 10)) == "Closed today, opens Friday 09:00 (Studiedag)"
        assert said(page, at(WEDNESDAY, 18)) == "Closed, opens Friday 09:00"

    def test_an_exception_opens_a_day_that_is_usually_closed(self):
        saturday = OpeningHoursException(
            start_date=plus(3),
            end_date=plus(3),
            closed=False,
            opens=datetime.time(10),
            closes=datetime.time(14),
        )
        page = service(office_week(), [saturday])
        assert said(page, at(plus(2), 18)) == "Closed, opens Saturday 10:00"
        assert said(page, at(plus(3), 11)) == "Open now, until 14:00"

    def test_an_exception_with_shorter_hours_closes_early(self):
        short = OpeningHoursException(
            start_date=WEDNESDAY,
            end_date=WEDNESDAY,
            closed=False,
            opens=datetime.time(9),
            closes=datetime.time(12),
        )
        page = service(office_week(), [short])
        assert said(page, at(WEDNESDAY, 11)) == "Open now, until 12:00"
        assert said(page, at(WEDNESDAY, 13)) == "Closed, opens Thursday 09:00"

    def test_a_long_closure_names_the_date_it_opens_again(self):
        closure = OpeningHoursException(
            start_date=WEDNESDAY, end_date=plus(20), closed=True, note="Verbouwing"
        )
        page = service(office_week(), [closure])
        assert (
            said(page, at(WEDNESDAY, 10))
            == "Closed today, opens 23 December 2026 09:00 (Verbouwing)"
        )

    def test_no_hours_known_says_nothing(self):
        assert said(service([]), at(WEDNESDAY, 10)) == ""

    def test_a_temporarily_closed_service_says_nothing_here(self):
        # The page and the card say "temporarily closed" instead.
        page = service(office_week(), status=ServiceStatus.TEMPORARILY_CLOSED)
        assert said(page, at(WEDNESDAY, 10)) == ""

    def test_the_spring_dst_change_keeps_wall_clock_times(self):
        # Sunday 29 March 2026: 02:00 becomes 03:00. Open 01:00-04:00 is two real hours.
        sunday = datetime.date(2026, 3, 29)
        page = service([hours(6, "01:00", "04:00"), hours(0, "09:00", "17:00")])
        utc = datetime.UTC
        assert said(page, datetime.datetime(2026, 3, 29, 1, 30, tzinfo=utc)) == (
            "Open now, until 04:00"
        )
        assert said(page, datetime.datetime(2026, 3, 29, 2, 0, tzinfo=utc)) == (
            "Closed, opens Monday 09:00"
        )
        labels = opening.schedule(page, at(sunday - datetime.timedelta(days=1), 20))
        monday_nine = datetime.datetime(2026, 3, 30, 7, 0, tzinfo=utc)  # 09:00 summer time
        assert [label.start for label in labels if label.open] == [
            int(datetime.datetime(2026, 3, 29, 0, 0, tzinfo=utc).timestamp()),  # 01:00 winter
            int(monday_nine.timestamp()),
        ]

    def test_the_autumn_dst_change_counts_the_repeated_hour(self):
        # Sunday 25 October 2026: 03:00 summer time becomes 02:00 winter time.
        page = service([hours(6, "01:00", "04:00")])
        # 03:30 winter time, after the clocks went back: still open.
        moment = datetime.datetime(2026, 10, 25, 2, 30, tzinfo=datetime.UTC)
        assert said(page, moment) == "Open now, until 04:00"

    def test_the_time_zone_is_amsterdam_whatever_the_moment_is_given_in(self):
        # 08:30 UTC in December is 09:30 in Amsterdam.
        moment = datetime.datetime(2026, 12, 2, 8, 30, tzinfo=datetime.UTC)
        assert said(service(office_week()), moment) == "Open now, until 17:00"


class LanguageTest(TestCase):
    def test_weekday_names_and_times_come_from_cldr(self):
        page = service(office_week())
        evening = at(WEDNESDAY, 18)
        assert said(page, evening, "nl") == "Gesloten, gaat open op donderdag om 09:00"
        assert said(page, evening, "ar") == "مغلق، يفتح الخميس الساعة 09:00"
        assert said(page, evening, "ti") == "ዕጹው፣ ሓሙስ ሰዓት 09:00 ይኽፈት"
        assert said(page, at(WEDNESDAY, 10), "uk") == "Зараз відчинено, до 17:00"


class ScheduleTest(TestCase):
    def test_the_labels_of_the_coming_week_change_at_closing_opening_and_midnight(self):
        page = service(office_week())
        with translation.override("en"):
            labels = opening.schedule(page, at(WEDNESDAY, 10))
        first = [(label.text, label.start) for label in labels[:4]]
        assert first == [
            ("Open now, until 17:00", int(at(WEDNESDAY, 10).timestamp())),
            ("Closed, opens Thursday 09:00", int(at(WEDNESDAY, 17).timestamp())),
            ("Closed, opens at 09:00", int(at(plus(1), 0).timestamp())),
            ("Open now, until 17:00", int(at(plus(1), 9).timestamp())),
        ]
        assert labels[-1].start <= int(at(plus(7), 10).timestamp())

    def test_no_hours_no_schedule(self):
        assert opening.schedule(service([]), at(WEDNESDAY, 10)) == []


def worked_out(monkeypatch) -> list:
    """The moments for which a schedule is worked out rather than taken as kept."""
    moments = []
    work_out = opening._schedule

    def counting(hours, moment):
        moments.append(moment)
        return work_out(hours, moment)

    monkeypatch.setattr(opening, "_schedule", counting)
    return moments


def now_is(monkeypatch, moment) -> None:
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.django_db
def test_services_with_the_same_hours_share_the_line_worked_out_now(monkeypatch):
    moments = worked_out(monkeypatch)
    now_is(monkeypatch, at(WEDNESDAY, 10))
    with translation.override("en"):
        first = opening.schedule(service(office_week()))
        assert opening.schedule(service(office_week())) == first
        assert len(moments) == 1
        assert first[0].text == "Open now, until 17:00"
        other = opening.schedule(service([hours(2, "09:00", "12:00")]))
        assert other[0].text == "Open now, until 12:00"
        assert len(moments) == 2
    with translation.override("nl"):
        assert opening.schedule(service(office_week()))[0].text == "Nu open, tot 17:00"
        assert len(moments) == 3


@pytest.mark.django_db
def test_a_kept_line_is_worked_out_again_once_it_changes(monkeypatch):
    """Kept until its next change and at most an hour (so the week it covers
    stays ahead), never for a moment before it was worked out; its first
    moment is always now."""
    moments = worked_out(monkeypatch)
    page = service(office_week())

    def line_at(moment):
        now_is(monkeypatch, moment)
        labels = opening.schedule(page)
        assert labels[0].start == int(moment.timestamp())
        return labels

    with translation.override("en"):
        at_ten = line_at(at(WEDNESDAY, 10))
        assert line_at(at(WEDNESDAY, 10, 59))[1:] == at_ten[1:]
        assert len(moments) == 1
        line_at(at(WEDNESDAY, 11))
        assert len(moments) == 2
        line_at(at(WEDNESDAY, 16, 30))
        assert line_at(at(WEDNESDAY, 17))[0].text == "Closed, opens Thursday 09:00"
        assert line_at(at(WEDNESDAY, 7))[0].text == "Closed, opens at 09:00"
        assert len(moments) == 5
