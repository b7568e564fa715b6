"""Readable on a small phone and at 200% zoom (no sideways scrolling, WCAG 1.4.10), one
column, dropdowns with arrows, mirrored breadcrumbs, and screenshots of the main pages."""

import pytest
from PIL import Image

from .conftest import DEVICES, PAGE_KINDS, Device

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


# Screenshots for designers and reviewers: the four page types residents see most,
# in a left-to-right, a right-to-left and an Ethiopic-script language, on both
# devices, under stable names (var/screenshots/<database>/pages/<kind>-<lang>-<device>.png).
SHOT_KINDS = {"home": "home", "search": "search results", "service": "service", "wijk": "wijk"}
SHOT_LANGUAGES = ["nl", "ar", "ti"]
SEARCH_WORDS = {"nl": "schulden", "ar": "ديون", "ti": "ዕዳ"}


def shot_path(demo, kind: str, language: str) -> str:
    if kind == "search":
        return f"/{language}/zoeken/?q={SEARCH_WORDS[language]}"
    return demo.path(SHOT_KINDS[kind], language)


def test_screenshots_of_home_search_service_and_wijk_in_nl_ar_ti_on_phone_and_desktop(
    new_context, demo, _screenshot_folder
):
    folder = _screenshot_folder / "pages"
    folder.mkdir(exist_ok=True)
    written = []
    for device in DEVICES:
        page = new_context(device).new_page()
        for language in SHOT_LANGUAGES:
            for kind in SHOT_KINDS:
                response = page.goto(shot_path(demo, kind, language))
                assert response.status == 200, page.url
                page.evaluate("document.fonts.ready.then(() => true)")
                path = folder / f"{kind}-{language}-{device.name}.png"
                page.screenshot(path=path, full_page=True)
                written.append((path, device))

    assert len(written) == len(DEVICES) * len(SHOT_LANGUAGES) * len(SHOT_KINDS) == 24
    for path, device in written:
        assert path.is_file(), path
        with Image.open(path) as image:
            width, height = image.size
            # Full page: the viewport's width, at least its height (device pixels).
            assert width == device.width * device.scale, (path.name, image.size)
            assert height >= device.height * device.scale, (path.name, image.size)
            # Not blank: text, borders and buttons draw in many shades.
            colours = image.convert("RGB").getcolors(maxcolors=width * height)
            assert len(colours) > 16, f"{path.name} has {len(colours)} colours"
