"""Readable on a small phone and at 200% zoom: no sideways scrolling (WCAG 1.4.10)."""

import pytest

from .conftest import PAGE_KINDS, Device

NARROW = Device("320px", 320, 640)
# A 1280 px wide window at 200% zoom lays pages out 640 CSS pixels wide.
ZOOMED = Device("zoom-200", 640, 400, scale=2)

SCROLL_WIDTH = "[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"


@pytest.mark.parametrize("language", ["nl", "ar"])
@pytest.mark.parametrize("size", [NARROW, ZOOMED], ids=lambda size: size.name)
def test_pages_read_without_horizontal_scrolling(new_context, demo, screenshot, size, language):
    page = new_context(size, locale=language).new_page()
    too_wide = []
    for kind in PAGE_KINDS:
        page.goto(demo.path(kind, language))
        if kind == "search results":
            for summary in page.locator("details > summary").all():
                summary.click()
        scroll_width, client_width = page.evaluate(SCROLL_WIDTH)
        if scroll_width > client_width:
            too_wide.append(f"{page.url}: {scroll_width} px of content in {client_width} px")
            screenshot(page, kind)
    assert not too_wide, "Pages scroll sideways:\n" + "\n".join(too_wide)
    screenshot(page)


COLUMN_EDGES = """() => {
  const start = (selector) => {
    const box = document.querySelector(selector);
    const rect = box.getBoundingClientRect();
    const style = getComputedStyle(box);
    return Math.round(rect.left + parseFloat(style.paddingLeft));
  };
  return {
    header: start(".ww-header__inner"),
    main: start("main"),
    footer: start(".ww-footer .ww-container"),
  };
}"""


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_one_column_lines_up_with_header_and_footer_on_every_page_type(new_context, demo, language):
    page = new_context(Device("desktop", 1280, 800), locale=language).new_page()
    misaligned = []
    for kind in [kind for kind in PAGE_KINDS if kind != "login"]:
        page.goto(demo.path(kind, language))
        edges = page.evaluate(COLUMN_EDGES)
        if len(set(edges.values())) != 1:
            misaligned.append(f"{kind}: {edges}")
    assert not misaligned, "Main column off the header's and footer's:\n" + "\n".join(misaligned)


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_every_dropdown_shows_an_arrow(new_context, demo, language):
    page = new_context(Device("desktop", 1280, 800), locale=language).new_page()
    page.goto(demo.path("search results", language))
    images = page.eval_on_selector_all(
        "select", "selects => selects.map(s => getComputedStyle(s).backgroundImage)"
    )
    assert images
    assert all(image.startswith('url("data:image/svg+xml') for image in images), images


def test_the_breadcrumb_separator_points_the_way_the_text_runs(new_context, demo):
    turns = {}
    for language in ("nl", "ar"):
        page = new_context(Device("desktop", 1280, 800), locale=language).new_page()
        page.goto(demo.path("service", language))
        turns[language] = page.evaluate(
            "getComputedStyle(document.querySelector('.ww-breadcrumbs__list li'), '::after')"
            ".transform"
        )
    # rotate(45deg) and rotate(-45deg): the same chevron, mirrored.
    assert turns["nl"].startswith("matrix(0.7071")
    assert turns["ar"].startswith("matrix(0.7071")
    assert turns["nl"] != turns["ar"]
