"""Language data Django lacks for Tigrinya and Somali.

Django's ``LANG_INFO`` (name, local name, text direction) has no entry for
``ti`` and ``so``, so ``get_language_info`` raises ``KeyError`` for them and the
``{% get_language_info %}`` tag and bidi checks fail. This module adds the two
entries when the settings load. Delete it when Django ships them.
"""

from django.conf import locale

EXTRA_LANG_INFO = {
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
}


def install() -> None:
    for code, info in EXTRA_LANG_INFO.items():
        locale.LANG_INFO.setdefault(code, info)
