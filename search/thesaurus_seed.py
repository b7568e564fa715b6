"""Fill the thesaurus in the database from the versioned data files.

Run by the migration that made the table (with its historical models, so it
keeps working as the model grows), by ``manage.py load_thesaurus`` and by
``load_demo``. Loading again changes nothing. A concept is matched by key:
new ones are added, and one whose file entry changed is updated, unless a
moderator has changed it in the admin since it was loaded: her version is
kept (``force`` replaces it). Concepts that are in no file, such as the ones
moderators added, are never deleted.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import transaction

from .thesaurus import DATA_DIR, LANGUAGES, Concept, load_files
from .validators import split_terms, term_errors, validate_concept_key


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Changed by a moderator since loaded: left as she made it.
    kept: list[str] = field(default_factory=list)
    unchanged: int = 0
    # "key: what is wrong", for file entries that were not loaded.
    errors: list[str] = field(default_factory=list)
    # Theme slugs the files name that are no theme (yet); loaded anyway.
    unknown_themes: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (
            f"{len(self.created)} new, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged, {len(self.kept)} kept as moderators changed them, "
            f"{len(self.errors)} refused"
        )


def digest(terms: dict[str, tuple[str, ...] | list[str]], themes) -> str:
    """A fingerprint of a concept's content, the same for the same terms and
    themes however they were typed."""
    content = {
        "terms": {language: list(terms.get(language, ())) for language in LANGUAGES},
        "themes": sorted(set(themes)),
    }
    return hashlib.sha256(
        json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def _row_terms(row) -> dict[str, tuple[str, ...]]:
    return {
        language: tuple(split_terms(getattr(row, f"terms_{language}"))) for language in LANGUAGES
    }


def problems(concept: Concept) -> list[str]:
    """What the admin would refuse in this file entry, in English."""
    found = []
    try:
        validate_concept_key(concept.key)
    except ValidationError as error:
        found.extend(error.messages)
    if len(concept.key) > 100:
        found.append("the key is longer than 100 characters")
    if not concept.terms.get("nl"):
        found.append("it has no Dutch terms")
    for language, terms in concept.terms.items():
        if not all(isinstance(term, str) for term in terms):
            found.append(f"{language}: terms must be text")
            continue
        text = "\n".join(terms)
        if any("\n" in term or "\r" in term for term in terms):
            found.append(f"{language}: a term spans more than one line")
            continue
        found.extend(f"{language}: {message}" for message in _messages(term_errors(text)))
    if not all(isinstance(theme, str) for theme in concept.themes):
        found.append("themes must be slugs")
    return found


def _messages(errors: list[ValidationError]) -> list[str]:
    return [message for error in errors for message in ValidationError(error).messages]


def load_concepts(concepts: list[Concept], *, apps=global_apps, force: bool = False) -> SeedReport:
    """Write ``concepts`` into the database (see the module docstring)."""
    ThesaurusConcept = apps.get_model("search", "ThesaurusConcept")
    ThesaurusVersion = apps.get_model("search", "ThesaurusVersion")
    Theme = apps.get_model("directory", "Theme")
    # With the real models each change gets a revision in the concept's history.
    with_history = apps is global_apps
    report = SeedReport()
    known_themes = set(Theme.objects.values_list("slug", flat=True))
    existing = {row.key: row for row in ThesaurusConcept.objects.all()}
    seen = set()
    with transaction.atomic():
        for concept in concepts:
            if concept.key in seen:
                report.errors.append(f"{concept.key}: the key appears twice in the files")
                continue
            seen.add(concept.key)
            if found := problems(concept):
                report.errors.append(f"{concept.key}: {'; '.join(found)}")
                continue
            report.unknown_themes |= set(concept.themes) - known_themes
            # As the admin stores them, so the fingerprints compare like with like.
            terms = {
                language: tuple(split_terms("\n".join(concept.terms.get(language, ()))))
                for language in LANGUAGES
            }
            wanted = digest(terms, concept.themes)
            row = existing.get(concept.key)
            if row is None:
                row = ThesaurusConcept(key=concept.key)
                action = "wagtail.create"
                report.created.append(concept.key)
            else:
                if row.seed_digest == wanted:
                    report.unchanged += 1
                    continue
                now = digest(_row_terms(row), row.themes)
                if now == wanted:
                    # Already as the file has it (a moderator typed the same).
                    ThesaurusConcept.objects.filter(pk=row.pk).update(seed_digest=wanted)
                    report.unchanged += 1
                    continue
                if now != row.seed_digest and not force:
                    report.kept.append(concept.key)
                    continue
                action = "wagtail.edit"
                report.updated.append(concept.key)
            for language in LANGUAGES:
                setattr(row, f"terms_{language}", "\n".join(terms[language]))
            row.themes = sorted(set(concept.themes))
            row.seed_digest = wanted
            row.save()
            if with_history:
                row.save_revision(log_action=action)
        if report.created or report.updated:
            # The historical models send no signals to the real receivers.
            ThesaurusVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})
    return report


def load_thesaurus(folder: Path = DATA_DIR, *, apps=global_apps, force: bool = False) -> SeedReport:
    return load_concepts(load_files(folder), apps=apps, force=force)
