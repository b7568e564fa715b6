"""Title order as readers of each language expect, not by code points.

Sorting by code point puts every Latin title before every Ge'ez or Arabic one
and "Ärger" after "Zwemmen". The Unicode Collation Algorithm orders letters of
every script by their alphabet, accents after the base letter.

We use ``pyuca`` (pure Python, MIT): PyICU, which also has each language's
tailoring (Turkish ç, Polish ł as letters of their own), has no binary wheel
on PyPI and its Debian package is built for Debian's Python, not the
project's virtual environment; building it needs ICU's headers and a C++
compiler on every machine. The root order of pyuca is what CLDR gives Dutch,
English, Arabic, Tigrinya and Somali; only the tailored letters of Persian,
Ukrainian, Turkish and Polish sort within their base letter.

The key is stored with each service (``ServicePage.title_key``), computed from
the title in the service's own language, so the database, the search rows and
the engine all sort by the same column.
"""

from __future__ import annotations

from functools import cache

from pyuca import Collator

# Enough for any real title; longer titles that agree this far tie, and
# their id decides.
MAX_WEIGHTS = 100
KEY_LENGTH = MAX_WEIGHTS * 4


@cache
def _collator() -> Collator:
    return Collator()  # reads the Unicode tables once per process (1.4 s)


def title_key(title: str) -> str:
    """A string that sorts, byte by byte and in any database collation, as
    ``title`` does by the Unicode Collation Algorithm at the first level
    (letters, ignoring case and accents). Hexadecimal digits compare the same
    way in every collation, so SQL ``ORDER BY``, numpy and the engine's
    keyword sort agree."""
    weights = _collator().sort_key(title.strip())
    # The first level ends at the first zero.
    primary = weights[: weights.index(0)] if 0 in weights else weights
    return "".join(f"{min(weight, 0xFFFF):04x}" for weight in primary[:MAX_WEIGHTS])
