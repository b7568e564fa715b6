"""The coordinators' overview in the admin, and the same tables as CSV."""

import csv
import io

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition.admin_pages import render_admin_page
from coalition.roles import is_moderator
from hsds.tabular import escape

from . import overview

# Bars of the scorecard chart, in SVG user units.
BAR_HEIGHT = 18
BAR_GAP = 10
LABEL_WIDTH = 320
BAR_WIDTH = 300


def _percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{round(fraction * 100)}"


def overview_view(request):
    if not is_moderator(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    scores = overview.scorecard(today)
    gaps = overview.gaps()
    largest = gaps.largest or 1
    title = _("Coalition overview")
    return render_admin_page(
        request,
        "coordination/overview.html",
        title,
        today=today,
        scores=scores,
        bars=[
            {
                "score": score,
                "y": index * (BAR_HEIGHT + BAR_GAP),
                "recent": round((score.recent_share or 0) * BAR_WIDTH),
                "year": round((score.year_share or 0) * BAR_WIDTH),
            }
            for index, score in enumerate(scores)
        ],
        chart={
            "label_width": LABEL_WIDTH,
            "bar_width": BAR_WIDTH,
            "bar_height": BAR_HEIGHT,
            "width": LABEL_WIDTH + BAR_WIDTH + 60,
            "height": max(len(scores) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
        },
        gaps=gaps,
        gap_rows=[
            {
                "row": row,
                # Darker with more services, so the matrix reads as a heat map.
                "cells": [
                    {"count": count, "level": 0 if not count else 1 + (3 * count) // largest}
                    for count in row.counts
                ],
            }
            for row in gaps.rows
        ],
    )


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """UTF-8 with a byte-order mark, which spreadsheets need to read it as
    UTF-8; cells that would run as formulas are escaped as in the HSDS export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape(str(cell)) if isinstance(cell, str) else cell for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def scorecard_csv(request):
    if not is_moderator(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    header = [
        _("Partner"),
        _("Page id"),
        _("Services"),
        _("Checked in the last 6 months"),
        _("Share checked in the last 6 months (%)"),
        _("Checked in the last 12 months"),
        _("Share checked in the last 12 months (%)"),
        _("Open suggestions"),
        _("Translations"),
        _("Translations possible"),
        _("Translated (%)"),
        _("Outdated translations"),
    ]
    rows = (
        [
            score.partner.title,
            score.partner.pk,
            score.services,
            score.checked_recently,
            _percent(score.recent_share),
            score.checked_this_year,
            _percent(score.year_share),
            score.open_suggestions,
            score.translations,
            score.translations_possible,
            _percent(score.translated_share),
            score.translations_outdated,
        ]
        for score in overview.scorecard(today)
    )
    return _csv_response(f"wijkwijzer-scorecard-{today.isoformat()}.csv", header, rows)


def gaps_csv(request):
    if not is_moderator(request.user):
        raise PermissionDenied
    gaps = overview.gaps()
    header = [
        _("Municipality"),
        _("Wijk"),
        _("CBS code"),
        *[theme.name for theme in gaps.themes],
        _("Themes without a service"),
    ]
    rows = (
        [row.wijk.municipality.name, row.wijk.title, row.wijk.cbs_code, *row.counts, row.empty]
        for row in gaps.rows
    )
    return _csv_response(f"wijkwijzer-gaps-{timezone.localdate().isoformat()}.csv", header, rows)
