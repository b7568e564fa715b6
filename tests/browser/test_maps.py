"""A resident sees where a service is on a map, drawn from the site's own data
(no other host is asked for anything), and switches search results between a
list and a map. The map is an extra: without JavaScript the address and the
route links say the same, and nothing of the map shows."""

import re

import pytest
from playwright.sync_api import Page, expect

from directory.models import ServicePage

from .axe import axe_violations, blocking, describe
from .conftest import PHONE, is_local


def watch(page: Page) -> tuple[list[str], list[str]]:
    """Every address the page asks for, and every error the console shows (a
    Content-Security-Policy refusal among them)."""
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return requested, errors


def elsewhere(requested: list[str]) -> list[str]:
    return [url for url in requested if not is_local(url) and not url.startswith("data:")]


@pytest.fixture
def place_of_walk_in(in_database):
    """How the walk-in hours' first location is named (its marker's label)."""

    def read():
        service = ServicePage.objects.get(
            slug="inloopspreekuur-geldzaken", locale__language_code="nl"
        )
        return str(service.locations.first())

    return in_database(read)


def test_a_resident_on_a_phone_sees_the_service_on_a_map_from_the_site_alone(
    new_context, demo, place_of_walk_in, screenshot
):
    page = new_context(PHONE, locale="nl").new_page()
    requested, errors = watch(page)
    page.goto(demo.path("service", "nl"), wait_until="networkidle")
    # Above the map nothing of it is loaded: a resident who reads only the
    # opening hours pays nothing for it.
    assert not [url for url in requested if "leaflet" in url]

    area = page.get_by_role("region", name=f"Kaart van {place_of_walk_in}")
    area.scroll_into_view_if_needed()
    expect(area).to_have_attribute("data-ww-map-ready", "")
    marker = area.get_by_role("button", name=place_of_walk_in)
    expect(marker).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert [url for url in requested if "leaflet" in url], "Leaflet was never fetched"
    assert not elsewhere(requested), "The map asked other hosts:\n" + "\n".join(
        elsewhere(requested)
    )
    assert not errors, errors
    # The route links stay beside it.
    expect(page.locator(".ww-route a[href^='geo:']").first).to_be_visible()
    screenshot(page)


def test_the_map_is_worked_by_keyboard_and_lets_focus_go(new_context, demo, place_of_walk_in):
    page = new_context(locale="nl").new_page()
    page.goto(demo.path("service", "nl"))
    area = page.get_by_role("region", name=f"Kaart van {place_of_walk_in}")
    area.scroll_into_view_if_needed()
    expect(area).to_have_attribute("data-ww-map-ready", "")

    zoom_in = area.get_by_role("button", name="Inzoomen")
    expect(zoom_in).to_be_visible()
    marker = area.get_by_role("button", name=place_of_walk_in)
    marker.focus()
    page.keyboard.press("Enter")
    expect(area.locator(".leaflet-popup")).to_contain_text(place_of_walk_in)
    expect(area.get_by_role("button", name="Sluiten")).to_be_attached()

    # Tabbing on leaves the map: it is no trap.
    for _ in range(8):
        page.keyboard.press("Tab")
        if not page.evaluate("el => el.contains(document.activeElement)", area.element_handle()):
            break
    else:
        pytest.fail("Eight presses of Tab did not leave the map")


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_axe_finds_nothing_serious_on_a_drawn_map(new_context, demo, language):
    page = new_context(PHONE, locale=language, bypass_csp=True).new_page()
    page.goto(demo.path("service", language))
    area = page.locator(".ww-map").first
    area.scroll_into_view_if_needed()
    expect(area).to_have_attribute("data-ww-map-ready", "")
    area.locator(".ww-map__marker").first.click()
    expect(area.locator(".leaflet-popup")).to_be_visible()

    violations = blocking(axe_violations(page))
    assert not violations, describe(violations)

    page.goto(demo.path("search results", language))
    page.locator(".ww-view-switch [data-ww-view=map]").click()
    expect(page.locator("#search-map")).to_have_attribute("data-ww-map-ready", "")
    violations = blocking(axe_violations(page))
    assert not violations, describe(violations)


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_search_results_switch_to_the_map_and_back(new_context, demo, screenshot, language):
    page = new_context(PHONE, locale=language).new_page()
    requested, errors = watch(page)
    page.goto(demo.path("search results", language))
    titles = page.locator("#search-list .ww-card__title a").all_inner_texts()
    assert titles
    search_map, cards = page.locator("#search-map"), page.locator("#search-list")
    expect(search_map).to_be_hidden()

    page.locator(".ww-view-switch [data-ww-view=map]").click()

    expect(search_map).to_have_attribute("data-ww-map-ready", "")
    expect(cards).to_be_hidden()
    expect(page.locator(".ww-view-switch [data-ww-view=map]")).to_have_attribute(
        "aria-pressed", "true"
    )
    markers = search_map.locator(".ww-map__marker")
    expect(markers.first).to_be_visible()
    assert markers.count() > 1

    # Markers are buttons: Enter opens the popup with the services there.
    markers.first.focus()
    page.keyboard.press("Enter")
    links = search_map.locator(".leaflet-popup a.utrecht-link")
    expect(links.first).to_be_visible()
    found = links.all_inner_texts()
    assert set(found) <= set(titles)
    assert all(
        re.match(rf"^/{language}/", href)
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )
    page.wait_for_load_state("networkidle")
    assert not elsewhere(requested), elsewhere(requested)
    assert not errors, errors
    screenshot(page, "map")

    page.locator(".ww-view-switch [data-ww-view=list]").click()
    expect(cards).to_be_visible()
    expect(search_map).to_be_hidden()
    assert page.locator("#search-list .ww-card__title a").all_inner_texts() == titles

    # Back on the map, as she left it: the popup is still open.
    page.locator(".ww-view-switch [data-ww-view=map]").click()
    expect(cards).to_be_hidden()
    links.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(found[0])


def test_without_javascript_there_is_no_map_but_the_address_and_the_route(new_context, demo):
    page = new_context(PHONE, locale="nl", java_script_enabled=False).new_page()
    page.goto(demo.path("service", "nl"))
    expect(page.locator(".ww-map").first).to_be_hidden()
    expect(page.locator("address").first).to_be_visible()
    expect(page.locator(".ww-route a[href^='geo:']").first).to_be_visible()

    page.goto(demo.path("search results", "nl"))
    expect(page.locator(".ww-view-switch")).to_be_hidden()
    expect(page.locator("#search-list .ww-card").first).to_be_visible()
