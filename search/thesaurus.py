"""The multilingual thesaurus of the social domain: concepts (debt, food bank,
GP, ...) with the words residents use for them in every interface language.

Searches expand a resident's words through it, so a query in one language
finds services written in another (mostly: untranslated Dutch ones). The
versioned data files in ``search/data/thesaurus/`` seed it; coalition
moderators keep it in the admin afterwards.

The API the search code uses is :func:`current`, which returns a
:class:`Thesaurus`. Nothing else should read the files or the models.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data" / "thesaurus"
# The interface languages; every concept has terms in each of them.
LANGUAGES = ("nl", "en", "ar", "fa", "ti", "uk", "tr", "pl", "so")


@dataclass(frozen=True)
class Concept:
    key: str  # a stable slug in English, e.g. "debt", "food-bank"
    terms: dict[str, tuple[str, ...]]  # language code -> terms, the preferred term first
    themes: tuple[str, ...] = ()  # slugs of the themes this concept belongs to

    def all_terms(self) -> list[tuple[str, str]]:
        """(language, term) for every term of every language."""
        return [(language, term) for language, terms in self.terms.items() for term in terms]


@dataclass(frozen=True)
class Thesaurus:
    concepts: tuple[Concept, ...] = field(default_factory=tuple)
    # Changes whenever a concept changes, so derived lookups can be cached on it.
    version: str = ""


def load_files(folder: Path = DATA_DIR) -> list[Concept]:
    """The concepts of the versioned data files, in file and list order."""
    concepts = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["concepts"]:
            concepts.append(
                Concept(
                    key=item["key"],
                    terms={lang: tuple(item["terms"].get(lang, ())) for lang in LANGUAGES},
                    themes=tuple(item.get("themes", ())),
                )
            )
    return concepts


def current() -> Thesaurus:
    """The thesaurus as it is now. Placeholder until the admin-editable model
    lands: read from the data files."""
    concepts = tuple(load_files())
    return Thesaurus(concepts=concepts, version=str(len(concepts)))
