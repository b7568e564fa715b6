"""The style guide (/stijlgids/, site/style_guide.py): every public component in
every state, Dutch and Arabic side by side, drawn with the real includes."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from wagtail.models import Page

import pytest
from bs4 import BeautifulSoup

from directory.models import ServiceLocation, ServicePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide(client, service):
    response = client.get("/stijlgids/")
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def renderings(soup, language):
    return soup.select(f".ww-guide__rendering[lang={language}]")


def test_each_part_is_shown_in_dutch_left_to_right_and_in_arabic_right_to_left(guide):
    _response, soup = guide
    parts = soup.select(".ww-guide__part")
    assert len(parts) >= 9
    for part in parts:
        pair = part.select(".ww-guide__rendering")
        assert [(r["lang"], r["dir"]) for r in pair] == [("nl", "ltr"), ("ar", "rtl")]


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_the_cards_show_open_closed_closed_today_temporarily_closed_and_only_dutch(guide, language):
    _response, soup = guide
    cards = [card for part in renderings(soup, language) for card in part.select(".ww-card")]
    assert len(cards) == 5
    assert cards[0].select_one(".ww-opening--open") is not None
    assert cards[1].select_one(".ww-opening:not(.ww-opening--open)") is not None
    assert not cards[2].select_one(".ww-opening__reason").has_attr("hidden")
    assert cards[3].select_one(".utrecht-status-badge--warning") is not None
    # The Dutch sample page is "only in Dutch" on the Arabic side.
    assert (cards[4].select_one(".ww-only-dutch") is not None) == (language == "ar")


def test_the_real_includes_draw_address_route_breadcrumbs_pagination_and_notice(guide):
    _response, soup = guide
    arabic = " ".join(str(part) for part in renderings(soup, "ar"))
    part = BeautifulSoup(arabic, "html.parser")
    assert part.select_one(".ww-address__place").get_text() == "3521 BM Utrecht"
    assert part.select_one('.ww-route a[href^="geo:"]') is not None
    assert part.select_one(".ww-breadcrumbs__list") is not None
    assert part.select_one(".ww-pagination a[rel=next]") is not None
    assert part.select_one(".ww-machine-translation") is not None
    assert part.select_one(".ww-overview__table") is not None
    assert part.select_one("select.utrecht-select") is not None
    assert part.select_one("[aria-invalid=true]") is not None


def test_the_guide_is_kept_out_of_search_engines(guide):
    response, soup = guide
    assert response["X-Robots-Tag"] == "noindex"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_the_guide_writes_nothing_to_the_database(client, service):
    counts = (Page.objects.count(), ServiceLocation.objects.count())
    client.get("/stijlgids/")
    assert (Page.objects.count(), ServiceLocation.objects.count()) == counts
    assert not ServicePage.objects.filter(slug="stijlgids").exists()


def test_editors_find_the_guide_in_the_admin_help_menu(client):
    editor = get_user_model().objects.create_user("redacteur-stijlgids", password="x")  # noqa: S106
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "/stijlgids/" in response.content.decode()
