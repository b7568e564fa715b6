from pathlib import Path

import pytest

from search import analysis, thesaurus

TEST_THESAURUS = Path(__file__).parent / "thesaurus"


@pytest.fixture
def concepts(monkeypatch):
    """A small thesaurus of three concepts (legal aid, GP, debt) in every
    language, read through the thesaurus API as the real one is."""
    loaded = tuple(thesaurus.load_files(TEST_THESAURUS))
    monkeypatch.setattr(
        thesaurus, "current", lambda: thesaurus.Thesaurus(concepts=loaded, version="tests")
    )
    yield loaded
    analysis.forget()
