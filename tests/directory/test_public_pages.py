"""Every public page renders the demo directory, with what residents need on it."""

import datetime
import json
import re

from django.utils.html import escape

from wagtail.models import Locale, Page

import pytest
from bs4 import BeautifulSoup

from directory.models import OpeningHoursException, ServicePage, Theme, ThemeIndexPage
from directory.models import wijk as wijk_model
from directory.models.wijk import SERVICES_PER_THEME

pytestmark = pytest.mark.django_db


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, BeautifulSoup(response.content, "html.parser")


def json_ld(soup):
    return [json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")]


def test_every_live_page_renders_with_its_title(client):
    pages = Page.objects.live().public().filter(depth__gt=1).specific()
    assert pages.count() > 100
    failures = []
    for page in pages:
        response = client.get(page.url)
        if response.status_code != 200 or escape(page.title).encode() not in response.content:
            failures.append((page.url, response.status_code))
    assert failures == []


def test_the_home_page_offers_search_themes_and_wijken(client):
    _, soup = get(client, "/nl/")
    assert soup.find("form", role="search").find("input", attrs={"name": "q"})
    themes = {tile.get_text(strip=True) for tile in soup.select(".ww-tile__title")}
    assert {"Geldzaken en schulden", "Crisis en noodhulp"} <= themes
    links = {a.get_text(strip=True) for a in soup.find_all("a")}
    assert {"Overvecht", "Leidsche Rijn"} <= links


def test_a_service_page_has_working_contact_links(client, service):
    _, soup = get(client, service.url)
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert f"tel:{service.phone.as_e164}" in hrefs
    if service.email:
        assert f"mailto:{service.email}" in hrefs
    if service.whatsapp:
        assert f"https://wa.me/{service.whatsapp.as_e164[1:]}" in hrefs


def test_a_service_page_shows_hours_location_and_last_check(client, service):
    response, soup = get(client, service.url)
    table = soup.find("table", class_="ww-hours")
    assert table is not None
    assert len(table.find_all("tr")) == len({row.weekday for row in service.opening_hours.all()})
    location = service.locations.first()
    assert location.postcode in soup.find("address").get_text()
    assert service.last_verified.strftime("%Y") in soup.find(class_="ww-verified").get_text()


def test_a_service_page_describes_itself_in_schema_org(client, service):
    _, soup = get(client, service.url)
    (data,) = json_ld(soup)
    assert data["@type"] == "Service"
    assert data["name"] == service.title
    assert data["provider"]["@type"] == "Organization"
    assert data["provider"]["name"] == service.get_parent().title
    assert data["availableChannel"]["servicePhone"]["telephone"] == service.phone.as_e164
    assert {h["dayOfWeek"] for h in data["hoursAvailable"]} <= {
        f"https://schema.org/{day}"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    }


def test_structured_data_cannot_break_out_of_its_script_element(client, service):
    service.summary = "</script><script>alert(1)</script>"
    service.save_revision().publish()
    response, soup = get(client, service.url)
    assert b"<script>alert(1)" not in response.content
    assert json_ld(soup)[0]["description"] == service.summary


def test_a_partner_page_lists_its_services_and_organisation_data(client, partner):
    _, soup = get(client, partner.url)
    titles = {h.get_text(strip=True) for h in soup.select(".ww-card__title")}
    expected = set(ServicePage.objects.child_of(partner).live().values_list("title", flat=True))
    assert expected
    assert titles == expected
    assert json_ld(soup)[0]["@type"] == "Organization"


def test_a_wijk_page_shows_who_does_what_grouped_by_theme(client, wijk):
    response, soup = get(client, wijk.url)
    services = response.context["services_by_theme"]
    assert [theme.slug for theme, _, _ in services] == list(
        Theme.objects.filter(locale=wijk.locale).values_list("slug", flat=True)
    )
    dutch = ServicePage.objects.live().filter(locale=wijk.locale)
    direct = set(dutch.filter(wijken=wijk).values_list("pk", flat=True))
    citywide = set(dutch.filter(municipalities=wijk.municipality).values_list("pk", flat=True))
    assert direct and citywide
    for theme, group, total in services:
        serving = dutch.filter(pk__in=direct | citywide, themes__slug=theme.slug)
        assert total == serving.count()
        assert [service.pk for service in group] == list(
            serving.order_by("title_key", "pk").values_list("pk", flat=True)[:SERVICES_PER_THEME]
        )
    assert response.context["service_count"] == len(direct | citywide)
    partner_names = {a.get_text(strip=True) for a in soup.select("#partners-title ~ ul a")}
    assert len(partner_names) >= 3


def test_a_wijk_page_names_a_few_services_per_theme_and_links_to_all(client, wijk, monkeypatch):
    # A wijk of a large municipality is served by hundreds of services.
    monkeypatch.setattr(wijk_model, "SERVICES_PER_THEME", 1)
    response, soup = get(client, wijk.url)
    crowded = [(theme, total) for theme, group, total in response.context["services_by_theme"]
               if total > 1]  # fmt: skip
    assert crowded
    for theme, total in crowded:
        link = soup.find("a", href=f"/nl/zoeken/?wijk={wijk.cbs_code}&theme={theme.slug}")
        assert link is not None, theme.slug
        assert f"({total})" in link.get_text()
        found = client.get(link["href"]).context["results"]
        assert found.total == total


def test_a_theme_page_lists_only_services_with_that_theme(client):
    index = ThemeIndexPage.objects.live().get(locale__language_code="nl")
    response, _ = get(client, index.url + "geldzaken-en-schulden/")
    services = list(response.context["services"])
    assert services
    assert all(
        "geldzaken-en-schulden" in {t.slug for t in service.themes.all()} for service in services
    )


def test_an_unknown_theme_is_a_404(client):
    index = ThemeIndexPage.objects.live().get(locale__language_code="nl")
    assert client.get(index.url + "bestaat-niet/").status_code == 404


def test_public_pages_enforce_a_strict_content_security_policy(client):
    response = client.get("/nl/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_admin_only_reports_policy_violations(client):
    response = client.get("/admin/login/")
    assert "Content-Security-Policy" not in response
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_pages_load_nothing_from_other_hosts(client, service):
    response = client.get(service.url)
    page = BeautifulSoup(response.content, "html.parser")
    assets = [tag["src"] for tag in page.find_all(["script", "img", "iframe"]) if tag.get("src")]
    # Alternate-language links are addresses, not something the browser loads.
    assets += [
        link["href"] for link in page.find_all("link", href=True) if "alternate" not in link["rel"]
    ]
    assert assets
    assert [a for a in assets if a.startswith(("http:", "https:", "//"))] == []


def test_the_service_page_has_print_styles(client):
    css = client.get("/static/wijkwijzer/wijkwijzer.css")
    assert b"@media print" in b"".join(css.streaming_content)


def test_a_missing_page_is_a_friendly_404(client):
    response = client.get("/nl/bestaat-niet/")
    assert response.status_code == 404
    assert b"Wijkwijzer" in response.content


@pytest.fixture
def walk_in_hours(db):
    """The demo's walk-in hours for money matters, translated into every language,
    with a closing day ahead whose reason an editor wrote in Dutch."""
    dutch = ServicePage.objects.get(slug="inloopspreekuur-geldzaken", locale__language_code="nl")
    for version in ServicePage.objects.filter(translation_key=dutch.translation_key):
        OpeningHoursException.objects.create(
            page=version,
            start_date=datetime.date.today() + datetime.timedelta(days=7),
            closed=True,
            note="Studiedag van het team",
        )
    return dutch


def dutch_parts(soup) -> dict[str, dict]:
    """The location's name and the note on the hours, with their lang and dir."""
    name = soup.find("address").find("strong")
    note = soup.find(string=re.compile("Studiedag van het team")).parent
    return {
        "location": {key: name.get(key) for key in ("lang", "dir")},
        "note": {key: note.get(key) for key in ("lang", "dir")},
    }


def test_dutch_names_and_notes_on_a_right_to_left_page_are_marked_dutch_and_left_to_right(
    client, walk_in_hours
):
    arabic = walk_in_hours.get_translation(Locale.objects.get(language_code="ar"))
    _, soup = get(client, arabic.url)
    assert soup.html["lang"] == "ar"
    assert dutch_parts(soup) == {
        "location": {"lang": "nl", "dir": "ltr"},
        "note": {"lang": "nl", "dir": "ltr"},
    }


def test_dutch_names_and_notes_on_a_left_to_right_translation_are_marked_dutch(
    client, walk_in_hours
):
    english = walk_in_hours.get_translation(Locale.objects.get(language_code="en"))
    _, soup = get(client, english.url)
    assert dutch_parts(soup) == {
        "location": {"lang": "nl", "dir": None},
        "note": {"lang": "nl", "dir": None},
    }


def test_on_the_dutch_page_the_same_parts_need_no_language_of_their_own(client, walk_in_hours):
    _, soup = get(client, walk_in_hours.url)
    assert dutch_parts(soup) == {
        "location": {"lang": None, "dir": None},
        "note": {"lang": None, "dir": None},
    }


def _listed_pages(client, url):
    """The services on each page of a listing, following its "next page" links."""
    pages = []
    while url:
        response, soup = get(client, url)
        pages.append([service.pk for service in response.context["services"]])
        following = soup.find("a", rel="next")
        url = following and response.request["PATH_INFO"] + following["href"]
    return pages


@pytest.mark.parametrize("listing", ["partner", "theme"])
def test_a_partner_or_theme_lists_its_services_a_page_at_a_time(client, monkeypatch, listing):
    """A national partner offers thousands of services, a theme tens of thousands."""
    from directory import pagination

    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    nl = Locale.objects.get(language_code="nl")
    if listing == "partner":
        partner = max(
            (s.get_parent() for s in ServicePage.objects.live().filter(locale=nl)),
            key=lambda p: p.get_children().live().count(),
        )
        url, expected = partner.url, ServicePage.objects.child_of(partner)
    else:
        index = ThemeIndexPage.objects.live().get(locale=nl)
        url = index.url + "geldzaken-en-schulden/"
        expected = ServicePage.objects.filter(themes__slug="geldzaken-en-schulden", locale=nl)
    expected = set(expected.live().values_list("pk", flat=True))
    assert len(expected) > 2
    pages = _listed_pages(client, url)
    assert len(pages) == -(-len(expected) // 2)
    assert all(len(page) == 2 for page in pages[:-1])
    listed = [pk for page in pages for pk in page]
    assert len(listed) == len(set(listed))
    assert set(listed) == expected
