"""The coordinators' view of the whole coalition, computed in a fixed number of
queries whatever the size of the directory (never one per partner or per cell).

- The freshness scorecard: per partner, its live services, the share checked in
  the reminder period (six months) and in the expiry period (twelve), its open
  suggestions from residents and how much of it is translated.
- The gap view: per wijk and theme, how many live services serve it (listing
  the wijk or its whole municipality), so that the empty cells show where the
  coalition offers nothing.

Everything counts the Dutch versions: a service is one service, whatever the
number of its translations.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from coalition.freshness import reminder_date
from coalition.models import Suggestion, SuggestionStatus
from directory.models import Municipality, PartnerPage, ServicePage, Theme, WijkPage
from directory.models.service import expiry_date
from translation_status import status


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a fraction; None when there is nothing to count."""
    return part / whole if whole else None


@dataclass
class PartnerScore:
    partner: PartnerPage
    services: int = 0
    checked_recently: int = 0
    checked_this_year: int = 0
    open_suggestions: int = 0
    translations: int = 0
    translations_possible: int = 0
    translations_outdated: int = 0

    @property
    def recent_share(self) -> float | None:
        return share(self.checked_recently, self.services)

    @property
    def year_share(self) -> float | None:
        return share(self.checked_this_year, self.services)

    @property
    def translated_share(self) -> float | None:
        return share(self.translations, self.translations_possible)


def _dutch_live_services():
    return ServicePage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)


def scorecard(today: datetime.date | None = None) -> list[PartnerScore]:
    """One score per live Dutch partner, by name; partners without services too
    (they are what a coordinator looks for)."""
    today = today or timezone.localdate()
    recent, year = reminder_date(today), expiry_date(today)
    scores = {
        partner.path: PartnerScore(partner)
        for partner in PartnerPage.objects.live()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("title", "pk")
    }
    services = _dutch_live_services()

    def score_of(path: str) -> PartnerScore | None:
        return scores.get(path[: -ServicePage.steplen])

    for path, checked in services.values_list("path", "last_verified"):
        score = score_of(path)
        if score is None:
            continue
        score.services += 1
        score.checked_recently += checked is not None and checked >= recent
        score.checked_this_year += checked is not None and checked >= year

    for path in Suggestion.objects.filter(
        status=SuggestionStatus.OPEN, service__in=services
    ).values_list("service__path", flat=True):
        if score := score_of(path):
            score.open_suggestions += 1

    for row in status.rows(services, status.target_locales()):
        if score := score_of(row.source.path):
            score.translations_possible += 1
            score.translations += row.state != status.NOT_TRANSLATED
            score.translations_outdated += row.state == status.OUTDATED
    return list(scores.values())


@dataclass
class GapRow:
    wijk: WijkPage
    counts: list[int] = field(default_factory=list)

    @property
    def empty(self) -> int:
        return self.counts.count(0)


@dataclass
class Gaps:
    themes: list[Theme]
    rows: list[GapRow]

    @property
    def empty_cells(self) -> int:
        return sum(row.empty for row in self.rows)

    @property
    def largest(self) -> int:
        return max((max(row.counts, default=0) for row in self.rows), default=0)


def gaps() -> Gaps:
    """The wijk × theme matrix of live Dutch services."""
    themes = list(Theme.objects.filter(locale__language_code=settings.LANGUAGE_CODE))
    wijken = list(
        WijkPage.objects.live()
        .filter(locale__language_code=settings.LANGUAGE_CODE)
        .select_related("municipality")
        .order_by("municipality__name", "title", "pk")
    )
    services = _dutch_live_services()
    themes_of: dict[int, set[int]] = defaultdict(set)
    for service_id, theme_id in ServicePage.themes.through.objects.filter(
        servicepage__in=services
    ).values_list("servicepage_id", "theme_id"):
        themes_of[service_id].add(theme_id)
    # Translations of a wijk share its CBS code, so a service that lists any
    # language version of the wijk serves it.
    by_code: dict[str, set[int]] = defaultdict(set)
    for service_id, code in ServicePage.wijken.through.objects.filter(
        servicepage__in=services
    ).values_list("servicepage_id", "wijkpage__cbs_code"):
        by_code[code].add(service_id)
    by_municipality: dict[int, set[int]] = defaultdict(set)
    for service_id, municipality_id in ServicePage.municipalities.through.objects.filter(
        servicepage__in=services, municipality__in=Municipality.objects.all()
    ).values_list("servicepage_id", "municipality_id"):
        by_municipality[municipality_id].add(service_id)

    rows = []
    for wijk in wijken:
        serving = by_code[wijk.cbs_code] | by_municipality[wijk.municipality_id]
        per_theme = Counter(theme for service in serving for theme in themes_of[service])
        rows.append(GapRow(wijk, [per_theme[theme.pk] for theme in themes]))
    return Gaps(themes, rows)
