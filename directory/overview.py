"""The printable overview of a wijk (``WijkPage.overview``): a table per theme
with each service once, under the first of its themes in the coalition's
order, and numbers that point to a legend for the other themes it serves.

A wijk meeting works from paper: what a professional needs to refer a
resident is the partner, the phone number, the address, the days and hours
and the languages, not the summaries, so the demo's Overvecht fits on three
A4 sheets instead of nine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wagtail.models import Locale

from . import localized
from .models import ServicePage, Theme
from .opening import scopes


@dataclass
class Row:
    service: ServicePage
    hours: list[tuple[str, str]]
    # Legend numbers of the themes the service serves, its section's first.
    themes: list[int]


@dataclass
class Section:
    number: int | None
    theme: Theme | None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Overview:
    legend: list[tuple[int, Theme]]
    sections: list[Section]

    @property
    def service_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)


def weekly_hours(service: ServicePage) -> list[tuple[str, str]]:
    """The week in as few words as it takes: days in a row with the same hours
    are joined (("ma–vr", "09:00–17:00")); hours past midnight stay two rows, as
    editors enter them. With hours per location, each location's week, its
    days led by the location's name (("Wijkcentrum De Voorbeeldhof: di", ...))."""
    places = scopes(service)
    if places[0][0] is None:
        return _week(places[0][1])
    return [
        (f"{where.name or where.address}: {days}", times)
        for where, rows, _exceptions in places
        for days, times in _week(rows)
    ]


def _week(rows) -> list[tuple[str, str]]:
    by_day: dict[int, tuple] = {}
    for row in rows:
        by_day.setdefault(row.weekday, ())
        by_day[row.weekday] += ((row.opens, row.closes),)
    lines: list[tuple[str, str]] = []
    days = sorted(by_day)
    start = 0
    while start < len(days):
        end = start
        ranges = sorted(by_day[days[start]])
        while (
            end + 1 < len(days)
            and days[end + 1] == days[end] + 1
            and sorted(by_day[days[end + 1]]) == ranges
        ):
            end += 1
        first, last = days[start], days[end]
        names = localized.weekday_short(first)
        if last != first:
            names += "–" + localized.weekday_short(last)
        times = ", ".join(f"{localized.clock(o)}–{localized.clock(c)}" for o, c in ranges)
        lines.append((names, times))
        start = end + 1
    return lines


def wijk_overview(services: list[ServicePage], locale) -> Overview:
    """``services`` (ready for cards, in the listing's order) grouped for print."""
    # The page's themes (Dutch where the wijk is not translated), named in
    # the reader's language where the coalition translated them.
    named = {theme.slug: theme for theme in Theme.listed(Locale.get_active())}
    themes = [named.get(theme.slug, theme) for theme in Theme.listed(locale)]
    # By slug: a translated service may still link the Dutch theme.
    numbers = {theme.slug: number for number, theme in enumerate(themes, start=1)}
    sections = {number: Section(number, theme) for number, theme in enumerate(themes, start=1)}
    other = Section(None, None)
    for service in services:
        served = sorted({numbers[t.slug] for t in service.themes.all() if t.slug in numbers})
        row = Row(service=service, hours=weekly_hours(service), themes=served)
        (sections[served[0]] if served else other).rows.append(row)
    kept = [section for section in sections.values() if section.rows]
    if other.rows:
        kept.append(other)
    return Overview(legend=[(n, t) for n, t in enumerate(themes, start=1)], sections=kept)
