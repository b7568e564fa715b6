"""Open or closed, and until when: the line a resident reads on a service page
and on every result card ("Open now, until 17:00", "Closed, opens Thursday
09:00", "Closed today (Koningsdag)").

Computed from the weekly hours and the exceptions in Europe/Amsterdam (the
``TIME_ZONE`` setting), whatever the server's or the visitor's clock says, and
written in the visitor's language with CLDR's weekday names and times
(``directory/localized.py``).

A cached page must not say "open" after closing time, so next to the line the
page carries the labels of the coming week, each with the moment it starts
(``schedule``); ``static/wijkwijzer/wijkwijzer.js`` shows the one that applies
now. A page lists every distinct label once (``LabelTable``: twenty result
cards share most of theirs, "Closed, opens Monday 09:00") and each line only
its moments and the numbers of its labels in that list. Every word and time stays formatted here, by Babel and gettext: the
script only compares the device's clock with those moments. Without the
script the line rendered by the server stays as it was.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from babel.dates import format_date

from . import localized

UTC = datetime.UTC
# How far to look for the next opening: past a summer closure of some weeks.
HORIZON_DAYS = 70
# How far ahead the page carries its labels: a page served from a cache for
# up to a week still tells the truth.
SCHEDULE_DAYS = 7
# A row closing at 23:59 and the next day's row opening at 00:00 are one
# stretch: editors enter hours past midnight that way.
JOIN_GAP = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Status:
    open: bool
    text: str
    # The editor's reason for an exception that closes the day (in Dutch).
    note: str = ""


@dataclass(frozen=True)
class Label(Status):
    # From this moment on (seconds since the epoch) the label applies.
    start: int = 0


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def scopes(service) -> list[tuple]:
    """(location, weekly rows, exceptions) for each place with hours of its
    own: every location of the service once a row of hours or an exception
    is for one location only (rows left empty hold for all), otherwise the
    service as a whole, location None. From the rows read once (prefetched
    for result cards), so a card costs no query more."""
    rows = list(service.opening_hours.all())
    exceptions = list(service.opening_hours_exceptions.all())
    locations = list(service.locations.all())
    if locations and any(row.location_key for row in (*rows, *exceptions)):
        return [
            (
                location,
                [row for row in rows if row.holds_for(location.hsds_id)],
                [row for row in exceptions if row.holds_for(location.hsds_id)],
            )
            for location in locations
        ]
    return [
        (
            None,
            [row for row in rows if row.location_key is None],
            [row for row in exceptions if row.location_key is None],
        )
    ]


class Hours:
    """The hours of a service, or of one of its locations, as stretches of
    real time (UTC), exceptions applied."""

    def __init__(self, rows, exceptions):
        self.by_weekday: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for row in rows:
            self.by_weekday.setdefault(row.weekday, []).append((row.opens, row.closes))
        # An exception for this location wins over one for all locations.
        self.exceptions = sorted(
            exceptions,
            key=lambda e: (getattr(e, "location_key", None) is None, e.start_date),
        )

    @classmethod
    def of(cls, service) -> Hours | AnyOf | None:
        """None when saying anything would be a guess: no weekly hours known,
        or the service is closed until further notice (said elsewhere). With
        hours per location: open when any location is."""
        if service.is_temporarily_closed:
            return None
        parts = [cls(rows, exceptions) for _where, rows, exceptions in scopes(service) if rows]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else AnyOf(parts)

    @classmethod
    def at(cls, service, location) -> Hours | None:
        """The hours of one ``location`` of the service (None as for ``of``)."""
        if service.is_temporarily_closed:
            return None
        for where, rows, exceptions in scopes(service):
            if where is not None and where.hsds_id == location.hsds_id and rows:
                return cls(rows, exceptions)
        return None

    def exception_on(self, day: datetime.date):
        for exception in self.exceptions:
            if exception.start_date <= day <= (exception.end_date or exception.start_date):
                return exception
        return None

    def on(self, day: datetime.date) -> list[tuple[datetime.time, datetime.time]]:
        exception = self.exception_on(day)
        if exception is not None:
            if exception.closed or exception.opens is None or exception.closes is None:
                return []
            return [(exception.opens, exception.closes)]
        return sorted(self.by_weekday.get(day.weekday(), []))

    def stretches(self, first: datetime.date, days: int) -> list[tuple[datetime.datetime, ...]]:
        """Open stretches from ``first`` on, for ``days`` days, as UTC instants;
        adjoining ones joined. Wall-clock times become instants through the
        time zone, so a DST change day has its real length."""
        tz = zone()
        found = []
        for offset in range(days):
            day = first + datetime.timedelta(days=offset)
            for opens, closes in self.on(day):
                start = datetime.datetime.combine(day, opens, tzinfo=tz).astimezone(UTC)
                end = datetime.datetime.combine(day, closes, tzinfo=tz).astimezone(UTC)
                if found and start - found[-1][1] <= JOIN_GAP:
                    found[-1] = (found[-1][0], max(found[-1][1], end))
                else:
                    found.append((start, end))
        return found


class AnyOf:
    """A service with hours per location: open while any location is open,
    "closed today" with a reason only when every location is closed by an
    exception that day."""

    def __init__(self, parts: list[Hours]):
        self.parts = parts

    def exception_on(self, day: datetime.date):
        found = [part.exception_on(day) for part in self.parts]
        if all(exception is not None and exception.closed for exception in found):
            return found[0]
        return None

    def stretches(self, first: datetime.date, days: int) -> list[tuple[datetime.datetime, ...]]:
        every = sorted(stretch for part in self.parts for stretch in part.stretches(first, days))
        joined: list[tuple[datetime.datetime, ...]] = []
        for start, end in every:
            if joined and start - joined[-1][1] <= JOIN_GAP:
                joined[-1] = (joined[-1][0], max(joined[-1][1], end))
            else:
                joined.append((start, end))
        return joined


@cache
def _weekday_name(weekday: int, language_code: str) -> str:
    """The full name of a weekday (Monday being 0), as CLDR writes it standing alone."""
    # 5 January 1970 was a Monday.
    day = datetime.date(1970, 1, 5) + datetime.timedelta(days=weekday)
    return format_date(day, "EEEE", locale=localized.babel_locale(language_code or None))


def _weekday_and_time(moment: datetime.datetime, today: datetime.date) -> tuple[str, str]:
    local = moment.astimezone(zone())
    day = local.date()
    if (day - today).days < 7:
        name = _weekday_name(day.weekday(), get_language() or "")
    else:
        name = localized.day(day)
    return name, localized.clock(local.replace(tzinfo=None))


def _status(hours: Hours | AnyOf, stretches, moment: datetime.datetime) -> Status:
    local = moment.astimezone(zone())
    today = local.date()
    following = None
    for start, end in stretches:
        if start <= moment < end:
            return _open_until(end, get_language() or "", settings.TIME_ZONE)
        if start > moment:
            following = start
            break
    exception = hours.exception_on(today)
    closed_today = exception is not None and exception.closed
    note = exception.note if closed_today else ""
    return _closed(following, today, closed_today, note, get_language() or "", settings.TIME_ZONE)


# The words of a status depend only on these arguments; a page's forty lines
# of a week each share most of theirs ("Closed, opens Monday 09:00").
@lru_cache(maxsize=4096)
def _open_until(end: datetime.datetime, language: str, time_zone: str) -> Status:
    until = localized.clock(end.astimezone(zone()).replace(tzinfo=None))
    return Status(True, _("Open now, until %(time)s") % {"time": until})


@lru_cache(maxsize=4096)
def _closed(following, today, closed_today: bool, note: str, language: str, time_zone: str):
    if following is None:
        return Status(False, _("Closed today") if closed_today else _("Closed"), note)
    day, time = _weekday_and_time(following, today)
    if following.astimezone(zone()).date() == today:
        return Status(False, _("Closed, opens at %(time)s") % {"time": time})
    if closed_today:
        text = _("Closed today, opens %(day)s %(time)s") % {"day": day, "time": time}
    else:
        text = _("Closed, opens %(day)s %(time)s") % {"day": day, "time": time}
    return Status(False, text, note)


def _stretches_around(hours: Hours | AnyOf, moment: datetime.datetime, days: int):
    # From the day before: a stretch that started yesterday evening may run on.
    first = moment.astimezone(zone()).date() - datetime.timedelta(days=1)
    return hours.stretches(first, days + 2)


def _hours(service, location) -> Hours | AnyOf | None:
    return Hours.of(service) if location is None else Hours.at(service, location)


def status_at(service, moment: datetime.datetime | None = None, location=None) -> Status | None:
    """What to say about ``service`` (or one ``location`` of it) at
    ``moment`` (now by default); None when no hours are known."""
    hours = _hours(service, location)
    if hours is None:
        return None
    moment = (moment or timezone.now()).astimezone(UTC)
    return _status(hours, _stretches_around(hours, moment, HORIZON_DAYS), moment)


# Services with the same hours have the same opening line (many open Monday
# to Friday 9 to 5): a line worked out for the present moment is kept per
# process by what it is worked out from, until its next change, and at most
# an hour, so that the week it covers stays ahead of the visitor.
_KEPT_SCHEDULES: dict[tuple, tuple[datetime.datetime, datetime.datetime, list[Label]]] = {}
KEPT_SCHEDULES = 10_000
KEPT_SCHEDULE_FOR = datetime.timedelta(hours=1)


def forget_kept_schedules() -> None:
    """Drop the kept schedules (tests that count what is worked out)."""
    _KEPT_SCHEDULES.clear()


def _worked_out_from(hours: Hours | AnyOf) -> tuple:
    """Everything a schedule of ``hours`` depends on, besides the moment."""
    parts = hours.parts if isinstance(hours, AnyOf) else [hours]
    return (
        isinstance(hours, AnyOf),
        get_language(),
        settings.TIME_ZONE,
        tuple(
            (
                tuple(
                    sorted((day, tuple(sorted(times))) for day, times in part.by_weekday.items())
                ),
                tuple(
                    (
                        e.start_date,
                        e.end_date,
                        e.closed,
                        e.opens,
                        e.closes,
                        e.note,
                        getattr(e, "location_key", None) is None,
                    )
                    for e in part.exceptions
                ),
            )  # fmt: skip
            for part in parts
        ),
    )


def schedule(service, moment: datetime.datetime | None = None, location=None) -> list[Label]:
    """The label now and each change of it in the coming ``SCHEDULE_DAYS``:
    at every opening, closing and midnight (when "opens at 09:00" becomes
    "opens Thursday 09:00"). Empty when no hours are known. Of one
    ``location`` of the service, or of the service (open where any is)."""
    hours = _hours(service, location)
    if hours is None:
        return []
    if moment is not None:
        return _schedule(hours, moment.astimezone(UTC))
    now = timezone.now().astimezone(UTC)
    key = _worked_out_from(hours)
    kept = _KEPT_SCHEDULES.get(key)
    if kept is not None and kept[0] <= now < kept[1]:
        first, *rest = kept[2]
        # As worked out now: the line's first moment is now.
        return [replace(first, start=int(now.timestamp())), *rest]
    labels = _schedule(hours, now)
    until = now + KEPT_SCHEDULE_FOR
    if len(labels) > 1:
        until = min(until, datetime.datetime.fromtimestamp(labels[1].start, UTC))
    if len(_KEPT_SCHEDULES) >= KEPT_SCHEDULES:
        _KEPT_SCHEDULES.clear()
    _KEPT_SCHEDULES[key] = (now, until, labels)
    return labels


def _schedule(hours: Hours | AnyOf, moment: datetime.datetime) -> list[Label]:
    last = moment + datetime.timedelta(days=SCHEDULE_DAYS)
    # Most services open again within the week: then the stretches of the
    # week (and a day either side) say everything, in a tenth of the work of
    # the whole horizon (a page lists some forty of these).
    stretches = _stretches_around(hours, moment, SCHEDULE_DAYS + 1)
    if not any(start > last for start, _end in stretches):
        stretches = _stretches_around(hours, moment, HORIZON_DAYS + SCHEDULE_DAYS)
    changes = {edge for stretch in stretches for edge in stretch if moment < edge <= last}
    today = moment.astimezone(zone()).date()
    for offset in range(1, SCHEDULE_DAYS + 1):
        midnight = datetime.datetime.combine(
            today + datetime.timedelta(days=offset), datetime.time(), tzinfo=zone()
        ).astimezone(UTC)
        if midnight <= last:
            changes.add(midnight)
    labels: list[Label] = []
    for when in [moment, *sorted(changes)]:
        status = _status(hours, stretches, when)
        if labels and Status(labels[-1].open, labels[-1].text, labels[-1].note) == status:
            continue
        labels.append(Label(status.open, status.text, status.note, int(when.timestamp())))
    return labels


class LabelTable:
    """The distinct labels of the opening lines on one page, in the order
    first used. Each line carries only its moments (``moments``); the table
    goes out once, after the last line (``json``)."""

    def __init__(self):
        self.numbers: dict[Status, int] = {}

    def moments(self, labels: list[Label]) -> str:
        """``labels`` as pairs of numbers separated by spaces: seconds since
        the previous label's start (the first: since the epoch), and the
        label's number in the table. A week of some twenty changes fits in
        about 150 characters instead of 2,000 with every text repeated."""
        numbers, previous = [], 0
        for label in labels:
            status = Status(label.open, label.text, label.note)
            number = self.numbers.setdefault(status, len(self.numbers))
            numbers += [label.start - previous, number]
            previous = label.start
        return " ".join(map(str, numbers))

    def json(self) -> str:
        """[open (1 or 0), text, note] for each label, by number."""
        rows = [[int(status.open), status.text, status.note] for status in self.numbers]
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
