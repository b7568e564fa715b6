"""Residents find help in a real browser, on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import Page, expect


def results_on(page: Page) -> list[str]:
    return page.locator("#search-results .ww-card__title a").all_inner_texts()


def search_and_narrow(page: Page, words: str, wijk_code: str, *, javascript: bool) -> None:
    """Type words in the search box of the home page, then keep the results of one wijk."""
    page.get_by_role("searchbox").fill(words)
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(re.compile(r"/zoeken/\?q="))
    page.locator("details.ww-filters > summary").click()
    page.locator("#search-wijk").select_option(wijk_code)
    if javascript:
        # The results follow the filter without a reload and the address keeps it.
        page.wait_for_url(re.compile(rf"wijk={wijk_code}"))
        expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true")
    else:
        page.locator("details.ww-filters button[type=submit]").click()
        page.wait_for_url(re.compile(rf"wijk={wijk_code}"))


def expect_contact_and_hours(page: Page) -> None:
    """A phone link a phone can dial, showing the same number, and the opening hours."""
    phone = page.locator(".ww-contact a[href^='tel:']").first
    expect(phone).to_be_visible()
    href = phone.get_attribute("href")
    assert re.fullmatch(r"tel:\+31\d{9}", href), href
    shown = re.sub(r"\D", "", phone.inner_text())
    assert "31" + shown.removeprefix("0") == href.removeprefix("tel:+"), (shown, href)
    expect(page.locator("#hours-title")).to_be_visible()
    expect(page.locator("table.ww-hours tr").first).to_be_visible()


def test_a_resident_finds_debt_help_in_her_wijk_in_arabic(new_page, device, demo, screenshot):
    page = new_page(locale="ar")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/ar/$"))
    search_and_narrow(page, "ديون", demo.wijk_code, javascript=True)

    titles = results_on(page)
    assert titles == demo.debt_help_in_wijk["ar"]
    walk_in = demo.service_titles["ar"]
    assert walk_in in titles

    page.get_by_role("link", name=walk_in, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/ar{re.escape(demo.service)}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(walk_in)
    expect_contact_and_hours(page)

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    screenshot(page)


def test_a_resident_without_javascript_gets_the_same_results(new_page, device, demo, screenshot):
    with_script = new_page()
    with_script.goto("/nl/")
    search_and_narrow(with_script, "schulden", demo.wijk_code, javascript=True)

    page = new_page(java_script_enabled=False)
    page.goto("/nl/")
    search_and_narrow(page, "schulden", demo.wijk_code, javascript=False)

    titles = results_on(page)
    assert titles == demo.debt_help_in_wijk["nl"]
    assert len(titles) > 1
    assert titles == results_on(with_script)
    expect(page.locator("#results-title")).to_have_text(
        with_script.locator("#results-title").inner_text()
    )

    page.get_by_role("link", name=titles[0], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(titles[0])
    expect_contact_and_hours(page)
    screenshot(page)


@pytest.mark.parametrize("language", ["ar", "en", "uk"])
def test_switching_language_on_a_service_page_stays_on_that_service(
    new_page, device, demo, screenshot, language
):
    page = new_page()
    page.goto(f"/nl{demo.service}")
    dutch_phone = page.locator(".ww-contact a[href^='tel:']").first.get_attribute("href")

    page.locator(f"nav.ww-languages a[hreflang={language}]").click()

    expect(page).to_have_url(re.compile(rf"/{language}{re.escape(demo.service)}$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.service_titles[language])
    expect(page.locator(".ww-contact a[href^='tel:']").first).to_have_attribute("href", dutch_phone)
    expect(page.locator(f"nav.ww-languages a[hreflang={language}]")).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(page)
