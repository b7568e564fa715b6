"""The coordinators' overview: the freshness scorecard and the wijk × theme gap
view, on the demo directory, each number checked against a count made another
way (the page tree, the ``in_wijk`` query), and both tables as CSV."""

import csv
import datetime
import io

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Locale

import pytest

from coalition import freshness
from coalition.models import PartnerAccess, Suggestion, SuggestionStatus
from coordination import overview
from directory.models import PartnerPage, ServicePage, Theme, WijkPage
from tests.coalition.helpers import denied, logged_in, make_user, moderator, professional, staff_of

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def dutch_partners() -> list[PartnerPage]:
    return list(
        PartnerPage.objects.live().filter(locale__language_code="nl").order_by("title", "pk")
    )


def services_of(partner: PartnerPage):
    return ServicePage.objects.child_of(partner).live()


@pytest.fixture
def aged(service):
    """Some services of the demo checked long ago, one with open suggestions."""
    partner = service.get_parent()
    first, second, *_rest = services_of(partner).order_by("path")
    for page, days in ((first, 200), (second, 400)):
        ServicePage.objects.filter(translation_key=page.translation_key).update_listed(
            last_verified=days_ago(days)
        )
    for text in ("Het telefoonnummer klopt niet.", "Op vrijdag is het dicht."):
        Suggestion.objects.create(service=first, text=text, language="ar")
    Suggestion.objects.create(
        service=second, text="Al opgelost.", language="nl", status=SuggestionStatus.CLOSED
    )
    return partner


def test_the_scorecard_counts_what_the_page_tree_says(aged):
    today = timezone.localdate()
    scores = {score.partner.pk: score for score in overview.scorecard(today)}
    partners = dutch_partners()
    assert list(scores) == [partner.pk for partner in partners]
    other_locales = Locale.objects.exclude(language_code="nl").count()
    for partner in partners:
        score = scores[partner.pk]
        services = services_of(partner)
        assert score.services == services.count(), partner.title
        assert score.checked_recently == services.filter(last_verified__gte=days_ago(183)).count()
        assert score.checked_this_year == services.filter(last_verified__gte=days_ago(365)).count()
        assert (
            score.open_suggestions
            == Suggestion.objects.filter(service__in=services, status=SuggestionStatus.OPEN).count()
        )
        keys = services.values("translation_key")
        assert score.translations_possible == services.count() * other_locales
        assert score.translations == (
            ServicePage.objects.live()
            .exclude(locale__language_code="nl")
            .filter(translation_key__in=keys)
            .count()
        )
    # The ageing is visible: the aged partner is not fully checked, and its two
    # open suggestions count (the closed one does not).
    aged_score = scores[aged.pk]
    assert aged_score.checked_recently == aged_score.services - 2
    assert aged_score.checked_this_year == aged_score.services - 1
    assert aged_score.open_suggestions == 2
    assert sum(score.translations for score in scores.values()) > 0


def test_the_gap_view_counts_every_wijk_and_theme_as_the_wijk_pages_do():
    gaps = overview.gaps()
    dutch_wijken = WijkPage.objects.live().filter(locale__language_code="nl")
    assert {row.wijk.pk for row in gaps.rows} == set(dutch_wijken.values_list("pk", flat=True))
    assert [theme.pk for theme in gaps.themes] == list(
        Theme.objects.filter(locale__language_code="nl").values_list("pk", flat=True)
    )
    live_dutch = ServicePage.objects.live().filter(locale__language_code="nl")
    for row in gaps.rows:
        for theme, count in zip(gaps.themes, row.counts, strict=True):
            expected = live_dutch.in_wijk(row.wijk).filter(themes=theme).count()
            assert count == expected, (row.wijk.title, theme.name)
    assert gaps.empty_cells == sum(row.counts.count(0) for row in gaps.rows)
    assert gaps.largest > 0


def new_wijk(beside: WijkPage, title: str, code: str) -> WijkPage:
    new = WijkPage(
        title=title,
        slug=title.lower().replace(" ", "-"),
        cbs_code=code,
        municipality=beside.municipality,
        latitude=beside.latitude,
        longitude=beside.longitude,
    )
    beside.get_parent().add_child(instance=new)
    return new


def test_a_new_wijk_without_services_is_a_row_of_gaps_and_a_citywide_service_fills_it(
    wijk,
):
    new = new_wijk(wijk, "Nieuwe Wijk", "WK034499")
    row = next(row for row in overview.gaps().rows if row.wijk.pk == new.pk)
    citywide = ServicePage.objects.live().filter(
        locale__language_code="nl", municipalities=wijk.municipality
    )
    expected_empty = len(overview.gaps().themes) - len(
        set(citywide.values_list("themes", flat=True)) - {None}
    )
    assert row.empty == expected_empty
    assert row.empty > 0


def test_moderators_see_both_tables_with_the_same_numbers(aged, django_user_model):
    response = logged_in(moderator(django_user_model)).get(reverse("coordination:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    for score in overview.scorecard():
        assert f'data-partner="{score.partner.pk}"' in html
    aged_row = html.split(f'data-partner="{aged.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-column="suggestions">2<' in aged_row
    gaps = overview.gaps()
    assert html.count('data-count="0"') == gaps.empty_cells
    assert "<svg" in html and 'role="img"' in html


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode()), "spreadsheets need the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_scorecard_csv_opens_in_a_spreadsheet(aged, django_user_model):
    client = logged_in(moderator(django_user_model))
    header, *rows = read_csv(client.get(reverse("coordination:scorecard_csv")))
    assert header[0] == "Partner"
    assert len(header) == 12
    assert [int(row[1]) for row in rows] == [partner.pk for partner in dutch_partners()]
    aged_row = next(row for row in rows if int(row[1]) == aged.pk)
    services = services_of(aged).count()
    assert int(aged_row[2]) == services
    assert int(aged_row[3]) == services - 2
    assert int(aged_row[7]) == 2


def test_the_gaps_csv_has_a_row_per_wijk_and_a_column_per_theme(django_user_model):
    client = logged_in(moderator(django_user_model))
    header, *rows = read_csv(client.get(reverse("coordination:gaps_csv")))
    gaps = overview.gaps()
    assert header[3:-1] == [theme.name for theme in gaps.themes]
    assert [row[2] for row in rows] == [row.wijk.cbs_code for row in gaps.rows]
    for written, row in zip(rows, gaps.rows, strict=True):
        assert [int(cell) for cell in written[3:-1]] == row.counts
        assert int(written[-1]) == row.empty


def test_a_partner_name_that_looks_like_a_formula_is_text_in_the_csv(service, django_user_model):
    partner = service.get_parent().specific
    partner.title = '=HYPERLINK("http://evil.example","klik")'
    partner.save_revision().publish()
    client = logged_in(moderator(django_user_model))
    _header, *rows = read_csv(client.get(reverse("coordination:scorecard_csv")))
    cells = [row[0] for row in rows if int(row[1]) == partner.pk]
    assert cells == ['\'=HYPERLINK("http://evil.example","klik")']


@pytest.mark.parametrize("name", ["overview", "scorecard_csv", "gaps_csv"])
def test_only_moderators_and_administrators_may_see_the_overview(name, service, django_user_model):
    url = reverse(f"coordination:{name}")
    access = PartnerAccess.objects.get(partner=service.get_parent())
    refused = [
        None,
        professional(django_user_model),
        staff_of(django_user_model, access, "redacteur"),
        staff_of(django_user_model, access, "publicist", publisher=True),
        make_user(django_user_model, "oud-moderator", active=False),
    ]
    for user in refused:
        assert denied(logged_in(user).get(url)), user
    admin = make_user(django_user_model, "beheerder", superuser=True)
    for user in (moderator(django_user_model), admin):
        assert logged_in(user).get(url).status_code == 200


def test_the_overview_asks_the_same_number_of_queries_however_large_the_directory(
    service, wijk, django_user_model
):
    client = logged_in(moderator(django_user_model))
    url = reverse("coordination:overview")
    client.get(url)  # warm Wagtail's per-process caches (site root, locales)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for number in range(3):
        service.copy(
            update_attrs={"title": f"Extra dienst {number}", "slug": f"extra-{number}"},
            keep_live=True,
        )
    new_wijk(wijk, "Extra Wijk", "WK034498")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert "Extra Wijk" in response.content.decode()
    partner_row = response.content.decode().split(f'data-partner="{service.get_parent().pk}"')[1]
    assert f'data-column="services">{services_of(service.get_parent()).count()}<' in partner_row
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_freshness_digest_goes_to_the_partner_when_no_staff_account_has_an_address(
    service, django_user_model
):
    access = PartnerAccess.objects.get(partner=service.get_parent())
    staff_of(django_user_model, access, "zonder-adres")
    access.staff().update(email="")
    partner = access.partner.specific
    partner.email = "info@partner.example"
    partner.save_revision().publish()
    ServicePage.objects.filter(translation_key=service.translation_key).update_listed(
        last_verified=days_ago(200)
    )
    mail.outbox.clear()
    sent = freshness.send_digests()
    to_partner = [m for m in mail.outbox if m.to == ["info@partner.example"]]
    assert len(to_partner) == 1
    assert service.title in to_partner[0].body
    assert [entry["recipients"] for entry in sent if entry["partner"] == partner.title] == [
        ["info@partner.example"]
    ]
