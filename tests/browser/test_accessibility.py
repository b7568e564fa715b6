"""WCAG 2.1 AA in the browser: axe on every kind of page, and keyboard-only use."""

import pytest
from playwright.sync_api import Page, expect

from .axe import axe_violations, blocking, describe
from .conftest import PAGE_KINDS

LANGUAGES = ["nl", "ar", "ti", "so"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_axe_finds_no_serious_or_critical_violation(new_page, device, demo, kind, language):
    # bypass_csp lets axe's script in; the page itself is unchanged.
    page = new_page(locale=language, bypass_csp=True)
    response = page.goto(demo.path(kind, language))
    assert response.status == 200
    if kind == "search results":
        # Judge the filters too, not only the closed summary.
        for summary in page.locator("details > summary").all():
            summary.click()

    violations = blocking(axe_violations(page))

    assert not violations, (
        f"axe found {len(violations)} serious or critical WCAG 2.1 A/AA problem(s) on "
        f"{page.url} ({device.name}):\n{describe(violations)}"
    )


def test_axe_catches_what_it_is_meant_to_catch(new_context):
    """Guards the zero above: axe runs and reports a missing alt text and an unlabelled field."""
    page = new_context().new_page()
    page.set_content('<html lang="nl"><title>t</title><main><img src="x.png"><input></main></html>')

    found = {violation["id"] for violation in blocking(axe_violations(page))}

    assert {"image-alt", "label"} <= found


FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {
    id: element.id,
    tag: element.tagName.toLowerCase(),
    result: Boolean(element.closest("#search-results .ww-card__title")),
    filters: Boolean(element.closest("details.ww-filters > summary")),
    outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth),
    boxShadow: style.boxShadow,
  };
}"""


def tab_until(page: Page, found, limit: int = 60) -> dict:
    """Press Tab until the focused element passes ``found``; its focus must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if found(focused):
            assert focused["outline"] >= 2 or focused["boxShadow"] != "none", (
                f"focus is not visible on {focused}"
            )
            return focused
    raise AssertionError(f"{limit} presses of Tab did not reach it")


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_alone_reaches_search_filters_and_a_result(
    new_page, device, demo, screenshot, language
):
    page = new_page(locale=language)
    page.goto(demo.path("search results", language))

    tab_until(page, lambda focused: focused["id"] == "search-q")
    tab_until(page, lambda focused: focused["filters"])
    page.keyboard.press("Enter")
    expect(page.locator("details.ww-filters")).to_have_attribute("open", "")
    tab_until(page, lambda focused: focused["id"] == "search-wijk")
    tab_until(page, lambda focused: focused["result"], limit=120)

    page.keyboard.press("Enter")
    expect(page.locator(".ww-service h1")).to_be_visible()
    screenshot(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    new_page, device, demo, language
):
    page = new_page(locale=language)
    page.goto(demo.path("service", language))

    page.keyboard.press("Tab")
    skip_link = page.locator("a.utrecht-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert page.evaluate(FOCUSED)["outline"] >= 2

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("Boolean(document.activeElement.closest('main'))")


def test_axe_finds_no_serious_or_critical_violation_in_the_style_guide(new_page, device):
    """Every component in every state, Dutch and Arabic side by side (site/style_guide.py)."""
    page = new_page(bypass_csp=True)
    response = page.goto("/stijlgids/")
    assert response.status == 200
    assert page.locator(".ww-guide__rendering[lang=ar][dir=rtl] .ww-card").count() >= 5

    violations = blocking(axe_violations(page))

    assert not violations, (
        f"axe found {len(violations)} serious or critical WCAG 2.1 A/AA problem(s) in the "
        f"style guide ({device.name}):\n{describe(violations)}"
    )


@pytest.mark.parametrize("language", ["nl", "ar", "ti"])
def test_the_error_page_is_styled_translated_and_passes_axe(new_page, device, settings, language):
    """The 500 page as a failing view gets it (site/errors.py), in the address's language."""
    settings.ROOT_URLCONF = "tests.resident.raising_urls"
    page = new_page(locale=language, bypass_csp=True)
    response = page.goto(f"/{language}/kapot/")
    assert response.status == 500
    assert page.locator("html").get_attribute("lang") == language
    # Styled: the theme's typeface, not the browser's serif default.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans"')
    assert page.locator(f'a[href="/{language}/"]').count() >= 1
    assert page.locator('a[href^="tel:"]').count() == 2

    violations = blocking(axe_violations(page))

    assert not violations, (
        f"axe found {len(violations)} serious or critical WCAG 2.1 A/AA problem(s) on the "
        f"error page ({language}, {device.name}):\n{describe(violations)}"
    )
