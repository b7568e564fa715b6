"""The coalition's theme (site/tokens/wijkwijzer.tokens.json) meets WCAG 2.1 AA contrast.

The pairs are what the components draw on each other: text on its background
needs 4.5:1 (1.4.3), borders of fields and buttons, focus rings, the dropdown
arrow and map markers 3:1 against what surrounds them (1.4.11). The ratios are
computed from the tokens file itself, references followed, so a changed colour is
judged before any page is drawn.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

TOKENS = Path(__file__).resolve().parent.parent / "site" / "tokens" / "wijkwijzer.tokens.json"
PAGE = "basis.color.default.bg-document"
FOOTER = "utrecht.page-footer.background-color"

# (foreground, background): text, at least 4.5:1.
TEXT = [
    ("utrecht.page-body.color", "utrecht.page-body.background-color"),
    # The site's name in the header, in the brand colour.
    ("basis.color.accent-1.color-default", "utrecht.page-header.background-color"),
    ("utrecht.page-header.color", "utrecht.page-header.background-color"),
    ("utrecht.page-footer.color", FOOTER),
    ("utrecht.link.color", FOOTER),
    ("basis.color.default.color-subtle", PAGE),
    ("utrecht.form-field-description.color", PAGE),
    ("utrecht.textbox.placeholder.color", "utrecht.textbox.background-color"),
    ("utrecht.link.color", PAGE),
    ("basis.color.action-2.color-hover", PAGE),
    ("utrecht.breadcrumb-nav.link.color", PAGE),
    (
        "utrecht.breadcrumb-nav.link.focus.color",
        "utrecht.breadcrumb-nav.link.focus.background-color",
    ),
    ("utrecht.heading-1.color", PAGE),
    ("utrecht.form-label.color", PAGE),
    ("utrecht.form-field-error-message.color", PAGE),
    ("utrecht.textbox.color", "utrecht.textbox.background-color"),
    ("utrecht.textbox.invalid.color", "utrecht.textbox.invalid.background-color"),
    ("utrecht.select.color", "utrecht.select.background-color"),
    ("utrecht.select.hover.color", "utrecht.select.hover.background-color"),
    ("utrecht.button.primary-action.color", "utrecht.button.primary-action.background-color"),
    (
        "utrecht.button.primary-action.hover.color",
        "utrecht.button.primary-action.hover.background-color",
    ),
    (
        "utrecht.button.primary-action.focus.color",
        "utrecht.button.primary-action.focus.background-color",
    ),
    ("utrecht.button.secondary-action.color", PAGE),
    (
        "utrecht.button.secondary-action.hover.color",
        "utrecht.button.secondary-action.hover.background-color",
    ),
    ("utrecht.button.subtle.color", PAGE),
    ("utrecht.button.subtle.hover.color", "utrecht.button.subtle.hover.background-color"),
    ("utrecht.button.color", PAGE),
    ("utrecht.button.hover.color", "utrecht.button.hover.background-color"),
    ("utrecht.button.focus.color", "utrecht.button.focus.background-color"),
    ("utrecht.alert.info.color", "utrecht.alert.info.background-color"),
    ("utrecht.alert.ok.color", "utrecht.alert.ok.background-color"),
    ("utrecht.alert.warning.color", "utrecht.alert.warning.background-color"),
    ("utrecht.alert.error.color", "utrecht.alert.error.background-color"),
    ("utrecht.status-badge.color", "utrecht.status-badge.background-color"),
    ("utrecht.status-badge.warning.color", "utrecht.status-badge.warning.background-color"),
    ("utrecht.skip-link.color", "utrecht.skip-link.background-color"),
    ("wijkwijzer.opening.open.color", PAGE),
    ("wijkwijzer.opening.closed.color", PAGE),
    ("basis.color.default.color-document", "wijkwijzer.mark.background-color"),
    ("utrecht.link.color", "wijkwijzer.mark.background-color"),
]
# Parts of the interface and focus rings against what surrounds them, at least 3:1.
UI = [
    ("utrecht.textbox.border-color", "utrecht.textbox.background-color"),
    ("utrecht.textbox.border-color", PAGE),
    ("utrecht.textbox.invalid.border-color", "utrecht.textbox.invalid.background-color"),
    ("utrecht.select.border-color", PAGE),
    ("utrecht.select.hover.border-color", "utrecht.select.hover.background-color"),
    ("utrecht.button.border-color", PAGE),
    ("utrecht.button.secondary-action.border-color", PAGE),
    ("utrecht.button.primary-action.background-color", PAGE),
    ("utrecht.form-field.invalid.border-inline-start-color", PAGE),
    ("utrecht.focus.outline-color", PAGE),
    ("utrecht.focus.outline-color", FOOTER),
    ("utrecht.focus.outline-color", "basis.focus.background-color"),
    ("utrecht.focus.inverse-outline-color", "utrecht.skip-link.background-color"),
    ("select arrow", "utrecht.select.background-color"),
    ("select arrow", "utrecht.select.hover.background-color"),
    ("wijkwijzer.map.marker.background-color", "wijkwijzer.map.background-color"),
    ("wijkwijzer.map.marker.outline-color", "wijkwijzer.map.background-color"),
]


def read_tokens() -> dict[str, object]:
    """Every token's raw value by its dotted path."""
    found: dict[str, object] = {}

    def walk(group: dict, path: tuple[str, ...]) -> None:
        if "$value" in group:
            found[".".join(path)] = group["$value"]
            return
        for key, child in group.items():
            if not key.startswith("$"):
                walk(child, (*path, key))

    walk(json.loads(TOKENS.read_text(encoding="utf-8")), ())
    return found


TOKEN_VALUES = read_tokens()


def resolved(path: str) -> str:
    value = TOKEN_VALUES[path]
    while isinstance(value, str) and (reference := re.fullmatch(r"\{([^{}]+)\}", value)):
        value = TOKEN_VALUES[reference.group(1)]
    return str(value)


def colour(name: str) -> str:
    if name == "select arrow":
        # The stroke of the arrow's SVG, written in the data: URL.
        return re.search(
            r"stroke='(#[0-9a-fA-F]{6})'", unquote(resolved("utrecht.select.background-image"))
        ).group(1)
    value = resolved(name)
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"{name} is {value}, not an opaque colour"
    return value


def luminance(hex_colour: str) -> float:
    """Relative luminance as WCAG 2.1 defines it."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_ratio_is_computed_as_wcag_defines_it():
    assert round(contrast("#000000", "#ffffff"), 2) == 21
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54
    assert contrast("#123456", "#123456") == 1


@pytest.mark.parametrize(("foreground", "background"), TEXT, ids="{0[0]} on {0[1]}".format)
def test_text_has_at_least_4_5_to_1_against_its_background(foreground, background):
    ratio = contrast(colour(foreground), colour(background))
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("foreground", "background"), UI, ids="{0[0]} on {0[1]}".format)
def test_borders_focus_rings_and_markers_have_at_least_3_to_1(foreground, background):
    ratio = contrast(colour(foreground), colour(background))
    assert ratio >= 3, f"{foreground} against {background}: {ratio:.2f}:1"


def test_every_reference_in_the_theme_names_a_token_of_it():
    missing = {
        path: reference
        for path, value in TOKEN_VALUES.items()
        for reference in re.findall(r"\{([^{}]+)\}", str(value))
        if reference not in TOKEN_VALUES
    }
    assert not missing
