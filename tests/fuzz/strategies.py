"""What the fuzz suite sends: text that breaks naive code, values of the wrong
type, rich text that is not the editor's format, and the budget of examples
each test draws.

HTTP cannot carry lone surrogates, so the text strategies leave them out
(category Cs); everything else in Unicode can arrive in a form field.
"""

import json
import os

from hypothesis import settings
from hypothesis import strategies as st

# How many more examples each test draws in the long profile (tests/fuzz/conftest.py).
LONG_FACTOR = 20


def examples(count: int) -> settings:
    """``@examples(n)``: n inputs in the ci profile, ``LONG_FACTOR`` times as many in ``long``."""
    long = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "long"
    return settings(max_examples=count * (LONG_FACTOR if long else 1))


BIDI_CONTROLS = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
DIRECTION_MARKS = ["\u200e", "\u200f", "\u061c"]
ASTRAL = ["😀", "🏳️‍🌈", "👩🏽‍⚕️", "𝕎𝕚𝕛𝕜", "𐐷", "𠜎", "\U0001f1f3\U0001f1f1", "\U000e0041"]
COMBINING = ["e\u0301", "\u0301", "a\u0308\u0308\u0308\u0308", "Z\u0336\u0335\u0334" * 3, "\u20dd"]
RTL = ["مرحبا", "خدمة المساعدة", "שלום", "کمک به زنان", "ሰላም", "Привіт", "İıŞşĞğ"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x1b", "\x7f", "\x85", "\r", "\n", "\t", "\r\n"]
WHITESPACE = [" ", "\u00a0", "\u2028", "\u2029", "\u3000", "\u2003", "\x0b", "\x0c"]
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'; DROP TABLE wagtailcore_page; --",
    "%00",
    "%s%s%n",
    "{{ 7*7 }}",
    "{% debug %}",
    "../../etc/passwd",
    "\\",
    "null",
    "NaN",
    "-1",
    "1e309",
    "ÿ",
    "\ufffd",
    "\uffff",
    "\U0010ffff",
]
PIECES = BIDI_CONTROLS + ZERO_WIDTH + DIRECTION_MARKS + ASTRAL + COMBINING + RTL
PIECES += CONTROL + WHITESPACE + HOSTILE

any_character = st.characters(exclude_categories=("Cs",))


def nasty_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Short text mixing Unicode's awkward corners with ordinary words."""
    piece = st.one_of(
        st.sampled_from(PIECES),
        st.text(any_character, min_size=1, max_size=12),
        st.sampled_from(["Buurthuis", "hulp", "schulden", "taal", "3563 AB", "Utrecht"]),
    )
    return st.lists(piece, max_size=12).map("".join).map(lambda text: text[:max_size])


def huge_text(max_size: int = 20_000) -> st.SearchStrategy[str]:
    """Long text (up to ``max_size``) made by repeating an awkward piece: far
    beyond every field's limit without making Hypothesis draw 20k characters."""
    return st.builds(
        lambda piece, length: (piece * (length // len(piece) + 1))[:length],
        st.one_of(st.sampled_from(PIECES), st.text(any_character, min_size=1, max_size=8)),
        st.integers(min_value=100, max_value=max_size),
    )


def text_input(max_size: int = 300) -> st.SearchStrategy[str]:
    """What an editor or visitor might type or paste into a text box."""
    return st.one_of(
        nasty_text(max_size),
        st.text(any_character, max_size=max_size),
        huge_text(),
        st.sampled_from(["", " ", "\x00", *HOSTILE]),
    )


def wrong_number() -> st.SearchStrategy[str]:
    """Where an id, a count or a coordinate is expected."""
    return st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(
            [
                "",
                "0",
                "-0",
                "1.5",
                "1,5",
                "١٢",
                "１２",
                "0x10",
                "1e400",
                "inf",
                "nan",
                "9" * 40,
                "[]",
                "{}",
                "true",
                "None",
                "\x00",
            ]
        ),
        nasty_text(30),
    )


def wrong_date() -> st.SearchStrategy[str]:
    """Dates and times that do not exist or are not written as the admin writes them."""
    return st.one_of(
        st.sampled_from(
            [
                "",
                "2026-02-29",
                "2025-02-30",
                "2026-13-01",
                "2026-00-10",
                "0000-01-01",
                "0001-01-01",
                "9999-12-31",
                "10000-01-01",
                "-2026-01-01",
                "31-12-2026",
                "12/31/2026",
                "2026-1-1",
                "2026-12-25T10:00",
                "24:00",
                "25:61",
                "12:60",
                "-1:00",
                "9:5",
                "12:00:60",
                "23:59:59.9999999",
                "noon",
                "٢٠٢٦-١٢-٢٥",
            ]
        ),
        st.dates().map(str),
        st.times().map(str),
        st.tuples(st.integers(-10, 99999), st.integers(-1, 14), st.integers(-1, 40)).map(
            lambda t: f"{t[0]}-{t[1]:02}-{t[2]:02}"
        ),
        nasty_text(20),
    )


# --- Rich text -------------------------------------------------------------


def _block(text: str, key: str, style: str = "unstyled", **extra) -> dict:
    return {
        "key": key,
        "type": style,
        "depth": 0,
        "text": text,
        "inlineStyleRanges": [],
        "entityRanges": [],
        "data": {},
        **extra,
    }


block_text = nasty_text(120).filter(lambda text: "\x00" not in text)


@st.composite
def draftail_document(draw) -> dict:
    """A content state as Draftail posts it: paragraphs, headings and list items."""
    texts = draw(st.lists(block_text, min_size=1, max_size=4))
    styles = st.sampled_from(["unstyled", "header-two", "unordered-list-item", "ordered-list-item"])
    return {
        "blocks": [_block(text, f"k{n}", draw(styles)) for n, text in enumerate(texts)],
        "entityMap": {},
    }


@st.composite
def draftail_shaped(draw) -> dict:
    """Looks like Draftail's JSON but is not: wrong types, missing keys,
    ranges beyond the text, entities that do not exist."""
    document = draw(draftail_document())
    block = document["blocks"][0]
    damage = draw(
        st.sampled_from(
            [
                "blocks-not-list",
                "entitymap-list",
                "no-blocks",
                "no-entitymap",
                "block-not-dict",
                "text-not-string",
                "style-range-outside",
                "entity-missing",
                "entity-wrong-shape",
                "unknown-type",
                "depth-huge",
                "key-missing",
                "type-missing",
                "ranges-not-list",
            ]
        )
    )
    if damage == "blocks-not-list":
        document["blocks"] = draw(st.sampled_from(["nope", 1, None, {}, True]))
    elif damage == "entitymap-list":
        document["entityMap"] = []
    elif damage == "no-blocks":
        del document["blocks"]
    elif damage == "no-entitymap":
        del document["entityMap"]
    elif damage == "block-not-dict":
        document["blocks"][0] = draw(st.sampled_from(["p", 1, None, [], True]))
    elif damage == "text-not-string":
        block["text"] = draw(st.sampled_from([1, None, [], {}, 2.5, True]))
    elif damage == "style-range-outside":
        block["inlineStyleRanges"] = [
            {
                "offset": draw(st.integers(-5, 10**6)),
                "length": draw(st.integers(-5, 10**6)),
                "style": draw(st.sampled_from(["BOLD", "ITALIC", "NOPE", ""])),
            }
        ]
    elif damage == "entity-missing":
        block["entityRanges"] = [{"offset": 0, "length": 1, "key": draw(st.integers(0, 10))}]
    elif damage == "entity-wrong-shape":
        document["entityMap"] = {
            "0": draw(
                st.sampled_from(
                    [
                        {"type": "LINK", "mutability": "MUTABLE", "data": {}},
                        {"type": "LINK", "data": {"url": "javascript:alert(1)"}},
                        {"type": "IMAGE", "data": {"id": "x"}},
                        {"type": "DOCUMENT", "data": {"id": 10**12}},
                        {"type": "EMBED", "data": {"url": 1}},
                        {"type": "NOPE"},
                        "LINK",
                        None,
                    ]
                )
            )
        }
        block["entityRanges"] = [{"offset": 0, "length": max(1, len(str(block["text"]))), "key": 0}]
    elif damage == "unknown-type":
        block["type"] = draw(st.sampled_from(["atomic", "code-block", "", "header-nine", None]))
    elif damage == "depth-huge":
        block["depth"] = draw(st.sampled_from([10**6, -1, "deep", None]))
    elif damage == "key-missing":
        del block["key"]
    elif damage == "type-missing":
        del block["type"]
    elif damage == "ranges-not-list":
        block["inlineStyleRanges"] = draw(st.sampled_from(["BOLD", 1, None, {}]))
    return document


def malformed_json() -> st.SearchStrategy[str]:
    """JSON that is not an object, JSON cut short, and deep nesting."""
    return st.one_of(
        st.sampled_from(
            [
                "null",
                "true",
                "1",
                "-1e400",
                '"tekst"',
                "[]",
                "{}",
                "[1, 2, 3]",
                '{"blocks": [',
                '{"blocks": [], "entityMap": {}',
                "{'blocks': []}",
                '{"blocks": [], "entityMap": {}} trailing',
                "[" * 5000 + "]" * 5000,
                '{"a":' * 3000 + "1" + "}" * 3000,
                "NaN",
                "Infinity",
            ]
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | nasty_text(20),
            lambda children: (
                st.lists(children, max_size=3)
                | st.dictionaries(st.sampled_from(["blocks", "entityMap", "text", "x"]), children)
            ),
            max_leaves=8,
        ).map(json.dumps),
    )


def rich_text_input() -> st.SearchStrategy[str]:
    return st.one_of(
        draftail_document().map(json.dumps),
        draftail_shaped().map(json.dumps),
        malformed_json(),
        text_input(2000),
    )
