"""The interface catalogs are complete: no visitor or editor meets an untranslated string."""

from pathlib import Path

from django.conf import settings

import polib
import pytest

CATALOGS = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


def test_the_dutch_interface_catalog_exists():
    languages = {path.parent.parent.name for path in CATALOGS}
    assert "nl" in languages


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parent.parent.name)
def test_every_string_is_translated(catalog):
    po = polib.pofile(str(catalog))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert missing == []
    assert fuzzy == []
