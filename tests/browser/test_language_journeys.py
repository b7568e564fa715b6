"""A resident reading in Tigrinya or Arabic stays in her language on every
step of a walk through the site, also where a page exists only in Dutch."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from .axe import axe_violations, blocking, describe
from .conftest import DESKTOP, PHONE

ONLY_IN_DUTCH = {"ti": "ብሆላንድኛ ጥራይ", "ar": "بالهولندية فقط"}


def expect_dutch(locator, code: str) -> None:
    """Dutch text on her page is marked Dutch, and left to right on a right-to-left page."""
    expect(locator).to_have_attribute("lang", "nl")
    if code == "ar":
        expect(locator).to_have_attribute("dir", "ltr")


def expect_accessible(page: Page) -> None:
    violations = blocking(axe_violations(page))
    assert not violations, describe(violations)


def follow(page: Page, link) -> None:
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(re.compile(re.escape(href.split("?")[0])))


@pytest.mark.parametrize(
    ("code", "device"), [("ti", DESKTOP), ("ar", PHONE)], ids=["tigrinya-desktop", "arabic-phone"]
)
def test_a_resident_walks_through_the_site_and_stays_in_her_language(
    new_context, code, device, demo, screenshot
):
    # bypass_csp lets axe's script in; the pages themselves are unchanged.
    page = new_context(device, locale=code, bypass_csp=True).new_page()
    visited: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: (
            visited.append(urlsplit(frame.url).path) if frame == page.main_frame else None
        ),
    )

    page.goto(f"/{code}/")
    expect(page.locator("html")).to_have_attribute("lang", code)

    # A theme, from the home page's tiles.
    follow(page, page.locator(".ww-tile__link").first)
    expect(page).to_have_url(re.compile(rf"/{code}/[\w-]+/[\w-]+/$"))
    dutch_card = page.locator(".ww-card", has=page.locator(".ww-only-dutch")).first
    expect(dutch_card.locator(".ww-only-dutch")).to_have_text(ONLY_IN_DUTCH[code])
    title = dutch_card.locator(".ww-card__title a")
    expect_dutch(title, code)
    expect_accessible(page)

    # A service that exists only in Dutch: the Dutch text with a notice in her language.
    follow(page, title)
    expect(page.locator(".ww-untranslated .ww-only-dutch")).to_have_text(ONLY_IN_DUTCH[code])
    expect_dutch(page.get_by_role("heading", level=1), code)
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect_accessible(page)
    screenshot(page, "dutch-only-service")

    # Back to the theme, then home by the site's name.
    page.go_back()
    expect(page.locator(".ww-tile__link, .ww-card").first).to_be_visible()
    follow(page, page.locator(".ww-brand"))

    # A wijk from the home page: not translated, so its name is marked Dutch.
    wijk = page.locator(f"main a[href$='{demo.wijk}']").first
    expect_dutch(wijk, code)
    follow(page, wijk)
    expect_dutch(page.get_by_role("heading", level=1), code)

    # Its services in the search, and a result.
    follow(page, page.locator(f"main a[href*='wijk={demo.wijk_code}']").first)
    result = page.locator("#search-results .ww-card__title a").first
    follow(page, result)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.go_back()
    expect(page.locator("#search-results")).to_be_visible()

    assert len(visited) >= 8, visited
    assert all(path.startswith(f"/{code}/") for path in visited), visited
    cookie = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookie["django_language"] == code
    screenshot(page)
