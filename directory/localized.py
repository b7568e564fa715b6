"""Dates, times and numbers in the reader's language, from CLDR through Babel.

Django has no formats for Tigrinya and Somali (its ``date`` filter fell back
to Dutch month names there) and its Ukrainian and Polish month names are the
nominative ("24 Грудень"), where a date needs the genitive ("24 грудня").
CLDR has all of them, so every date, time and number the site shows goes
through these helpers (in templates: ``{% load localized %}``), never through
``strftime`` or a ``date`` pattern of our own.
"""

from __future__ import annotations

import datetime
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_datetime_format, get_day_names
from babel.numbers import format_decimal

# Languages whose readers in the Netherlands are best served by another CLDR
# locale than the bare language: Eritrea's Tigrinya (most Tigrinya speakers
# here came from Eritrea; CLDR's bare "ti" is Ethiopia's).
PREFERRED = {"ti": "ti_ER"}


def babel_locale(language_code: str | None = None) -> Locale:
    """The CLDR locale for a Django language code (the active language by
    default): the language as written in the Netherlands where CLDR has that
    (``nl_NL``, ``en_NL``: day before month, 24-hour clock), otherwise the
    language itself, otherwise Dutch."""
    return _parse(language_code or get_language() or settings.LANGUAGE_CODE)


@cache
def _parse(language_code: str) -> Locale:
    code = language_code.replace("-", "_")
    candidates = [PREFERRED.get(code, ""), f"{code}_NL", code, settings.LANGUAGE_CODE]
    for candidate in filter(None, candidates):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    raise UnknownLocaleError(code)


def day(value: datetime.date | None, language_code: str | None = None) -> str:
    """A date written out in full: 24 december 2026, 24 грудня 2026 р., ታሕሳስ 24, 2026."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_date(value, "long", locale=babel_locale(language_code))


def days(start: datetime.date, end: datetime.date | None, language_code: str | None = None) -> str:
    """A period of days, both ends written out in full; one day when they are the same."""
    if end is None or end == start:
        return day(start, language_code)
    return f"{day(start, language_code)} – {day(end, language_code)}"


def clock(value: datetime.time | datetime.datetime | None, language_code: str | None = None) -> str:
    """A time of day on the 24-hour clock, as the language writes it (09:30)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _clock(value.hour, value.minute, language_code or get_language() or "")


@cache
def _clock(hour: int, minute: int, language_code: str) -> str:
    # Babel parses the pattern on every call; a listing asks for the same
    # few times in one language hundreds of times (directory/opening.py).
    return format_skeleton("Hm", datetime.time(hour, minute), locale=babel_locale(language_code))


def moment(value: datetime.datetime | None, language_code: str | None = None) -> str:
    """A date and time, joined the way CLDR's pattern for the language joins them."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = babel_locale(language_code)
    pattern = get_datetime_format("long", locale=locale).replace("'", "")
    return pattern.replace("{0}", clock(value, language_code)).replace(
        "{1}", day(value, language_code)
    )


def decimal(value: float | int | None, places: int = 1, language_code: str | None = None) -> str:
    """A number with ``places`` decimals and the language's separators (1,5 in Dutch)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale(language_code))


def weekday_short(weekday: int, language_code: str | None = None) -> str:
    """A weekday's abbreviated name, Monday being 0: ma, Mon, الاثنين, ሰኑ."""
    return get_day_names("abbreviated", locale=babel_locale(language_code))[weekday]


def language_name(language, language_code: str | None = None) -> str:
    """A language's name in the visitor's language (CLDR's: Arabisch, العربية,
    ዓረብኛ); the directory's Dutch name for Dutch readers, and where CLDR
    does not know the language (Dutch Sign Language), its own name."""
    code = language_code or get_language() or settings.LANGUAGE_CODE
    if code == settings.LANGUAGE_CODE:
        return language.name
    name = babel_locale(code).languages.get(language.code)
    return name or language.native_name or language.name
