"""The multilingual thesaurus of the social domain: concepts (debt, food bank,
GP, ...) with the words residents use for them in every interface language.

Searches expand a resident's words through it, so a query in one language
finds services written in another (mostly: untranslated Dutch ones). The
versioned data files in ``search/data/thesaurus/`` seed it; coalition
moderators keep it in the admin afterwards.

The API the search code uses is :func:`current`, which returns a
:class:`Thesaurus` read from the database (``search.models.ThesaurusConcept``
and the names of themes and audiences). Nothing else should read the models;
only the loader (search/thesaurus_seed.py) reads the files.
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


class ThesaurusFileError(ValueError):
    """A data file cannot be read; the message names the file and why."""


def load_files(folder: Path = DATA_DIR) -> list[Concept]:
    """The concepts of the versioned data files, in file and list order."""
    concepts = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            for item in data["concepts"]:
                concepts.append(
                    Concept(
                        key=item["key"],
                        terms={lang: tuple(item["terms"].get(lang, ())) for lang in LANGUAGES},
                        themes=tuple(item.get("themes", ())),
                    )
                )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ThesaurusFileError(f"Cannot read {path.name}: {exc!r}") from exc
    return concepts


def read() -> tuple[Concept, ...]:
    """The thesaurus in the database: the moderators' concepts, then one
    concept per theme and per audience whose terms are its names in every
    locale, so a resident typing a theme's name in her language finds it."""
    from directory.models import Audience, Theme

    from .models import ThesaurusConcept

    concepts = [
        Concept(key=row.key, terms=row.terms(), themes=tuple(row.themes))
        for row in ThesaurusConcept.objects.order_by("key")
    ]
    for prefix, model in (("theme", Theme), ("audience", Audience)):
        names: dict[str, dict[str, list[str]]] = {}
        rows = model.objects.order_by("sort_order", "slug", "locale__language_code")
        for slug, language, name in rows.values_list("slug", "locale__language_code", "name"):
            terms = names.setdefault(slug, {code: [] for code in LANGUAGES})
            if language in terms and name not in terms[language]:
                terms[language].append(name)
        for slug, terms in names.items():
            concepts.append(
                Concept(
                    key=f"{prefix}:{slug}",
                    terms={code: tuple(values) for code, values in terms.items()},
                    themes=(slug,) if prefix == "theme" else (),
                )
            )
    return tuple(concepts)


_latest: Thesaurus | None = None


def current() -> Thesaurus:
    """The thesaurus as it is now: the one in memory while its version is
    current, else read again. Costs one query when nothing changed."""
    from .models import ThesaurusVersion

    global _latest
    # The token is read before the concepts: a change committed in between
    # is then read under the older token, and read again at the next call.
    token = ThesaurusVersion.current()
    version = str(token) if token else "initial"
    latest = _latest
    if latest is None or latest.version != version:
        latest = _latest = Thesaurus(concepts=read(), version=version)
    return latest


def changed(sender, **kwargs) -> None:
    from .models import ThesaurusVersion

    ThesaurusVersion.bump()


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from directory.models import Audience, Theme

    from .models import ThesaurusConcept

    for model in (ThesaurusConcept, Theme, Audience):
        uid = f"search_thesaurus_{model._meta.model_name}"
        post_save.connect(changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}_deleted")
