"""What a thesaurus concept may hold, checked the same way in the admin and
when the data files are loaded. Moderators type the terms one per line, so
each message says which line is wrong and what to do about it."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from directory.forms import BIDI_CONTROLS

MAX_TERM_LENGTH = 100

validate_concept_key = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    _(
        "Enter a key of lower-case letters and digits, with hyphens between words, "
        "for example food-bank."
    ),
    code="concept_key",
)


def split_terms(text: str) -> list[str]:
    """The terms of a field: one a line, without the spaces around them."""
    return [line.strip() for line in (text or "").strip().splitlines()]


def _has_letter_or_digit(term: str) -> bool:
    return any(unicodedata.category(char)[0] in "LN" for char in term)


def term_errors(text: str) -> list[ValidationError]:
    """Every problem in a field of terms, each naming its line."""
    errors = []
    seen: dict[str, int] = {}
    for number, term in enumerate(split_terms(text), start=1):
        params = {"line": number, "term": term[:40]}
        if not term:
            errors.append(
                ValidationError(
                    _("Line %(line)s is empty. Put one term on each line, without empty lines."),
                    code="empty_term",
                    params=params,
                )
            )
            continue
        if BIDI_CONTROLS.search(term):
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)s contains invisible characters that change the reading "
                        "direction (U+202A–U+202E or U+2066–U+2069). Remove them, for example "
                        "by typing the term again."
                    ),
                    code="bidi_term",
                    params=params,
                )
            )
            continue
        if not _has_letter_or_digit(term):
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)s (“%(term)s”) has no letters or digits. A term is a word "
                        "residents type, for example debt."
                    ),
                    code="no_word",
                    params=params,
                )
            )
            continue
        if len(term) > MAX_TERM_LENGTH:
            errors.append(
                ValidationError(
                    _(
                        "Line %(line)s has %(length)s characters; a term may have at most "
                        "%(max)s. Put each term on its own line."
                    ),
                    code="long_term",
                    params={**params, "length": len(term), "max": MAX_TERM_LENGTH},
                )
            )
            continue
        folded = unicodedata.normalize("NFKC", term).casefold()
        if folded in seen:
            errors.append(
                ValidationError(
                    _("Line %(line)s (“%(term)s”) repeats line %(first)s. Keep each term once."),
                    code="duplicate_term",
                    params={**params, "first": seen[folded]},
                )
            )
            continue
        seen[folded] = number
    return errors


def validate_terms(text: str) -> None:
    if errors := term_errors(text):
        raise ValidationError(errors)
