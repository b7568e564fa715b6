"""Translations in HSDS packages: a package exported in another language
(``export_hsds --lang ar``) imports as the wagtail-localize translations of
the Dutch partners and services with the same ids, so exporting again gives
the same packages, and translators and later syncs keep working on them."""

import json
import uuid
from pathlib import Path

from django.test import Client

from wagtail.models import Revision
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

import pytest

from directory.models import PartnerPage, ServicePage

from .test_export import export, table
from .test_import import csv_files, empty_directory, rewrite, run_import

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en", "ar", "fa", "ti", "uk", "tr", "pl", "so"]


@pytest.fixture
def translated(db) -> ServicePage:
    """A live Dutch demo service that the demo translates into every language."""
    partner = PartnerPage.objects.get(slug="buurtteam-overvecht", locale__language_code="nl")
    return ServicePage.objects.child_of(partner).get(slug="inloopspreekuur-geldzaken")


@pytest.fixture
def packages(tmp_path, translated) -> dict[str, Path]:
    """The translated service's partner, exported in every language."""
    partner = translated.get_parent().specific
    return {
        language: export(tmp_path / language, "--partner", partner.slug, "--lang", language)
        for language in LANGUAGES
    }


def arabic(service: ServicePage) -> ServicePage:
    return ServicePage.objects.get(
        translation_key=service.translation_key, locale__language_code="ar"
    )


def tallies() -> tuple[int, ...]:
    return (
        ServicePage.objects.count(),
        PartnerPage.objects.count(),
        Revision.objects.count(),
        StringTranslation.objects.count(),
        Translation.objects.count(),
        TranslationSource.objects.count(),
    )


def import_all(packages: dict[str, Path], *args) -> list[str]:
    """Dutch first: a translation is of a Dutch partner or service."""
    return [run_import(packages[language], *args) for language in LANGUAGES]


def test_export_import_export_gives_the_same_packages_in_every_language(packages, tmp_path):
    empty_directory()
    for report in import_all(packages, "--publish"):
        assert "refused:" not in report
    for language in LANGUAGES:
        after = export(
            tmp_path / f"after-{language}", "--partner", "buurtteam-overvecht", "--lang", language
        )
        old, new = csv_files(packages[language]), csv_files(after)
        assert old.keys() == new.keys()
        for name in old:
            changed = set(new[name].splitlines()) ^ set(old[name].splitlines())
            assert new[name] == old[name], (language, name, sorted(changed)[:4])


def test_importing_translations_twice_changes_nothing_the_second_time(packages):
    empty_directory()
    import_all(packages, "--publish")
    before = tallies()
    stamps = sorted(StringTranslation.objects.values_list("pk", "updated_at"))
    reports = import_all(packages, "--publish")
    assert tallies() == before
    assert sorted(StringTranslation.objects.values_list("pk", "updated_at")) == stamps
    for report in reports[1:]:
        assert "Translations: organizations 0 new, 0 changed, 1 unchanged" in report
        assert "services 0 new, 0 changed" in report


def test_a_translation_exported_from_the_directory_is_already_there(packages):
    before = tallies()
    report = run_import(packages["ar"], "--publish")
    assert tallies() == before
    assert "Translations: organizations 0 new, 0 changed, 1 unchanged" in report
    assert "services 0 new, 0 changed" in report


def test_dry_run_reports_the_translations_and_writes_nothing(packages):
    empty_directory()
    run_import(packages["nl"], "--publish")
    before = tallies()
    translated_rows = [
        row for row in table(packages["ar"], "services.csv") if row["x_language"] == "ar"
    ]
    report = run_import(packages["ar"], "--publish", "--dry-run")
    assert tallies() == before
    assert (
        f"Translations: organizations 1 new, 0 changed, 0 unchanged, 0 refused; "
        f"services {len(translated_rows)} new, 0 changed, 0 unchanged, 0 refused." in report
    )


def set_arabic_title(package: Path, service: ServicePage, title: str) -> None:
    def change(rows):
        for row in rows:
            if row["id"] == str(service.translation_key):
                row["name"] = title

    rewrite(package, "services.csv", change)


NEW_TITLE = "مكتب المساعدة في المال والرسائل"


def test_an_imported_arabic_translation_is_what_the_arabic_site_shows(packages, translated):
    set_arabic_title(packages["ar"], translated, NEW_TITLE)
    report = run_import(packages["ar"], "--publish")
    assert "services 0 new, 1 changed" in report
    page = arabic(translated)
    assert page.title == NEW_TITLE
    assert page.live and not page.has_unpublished_changes
    response = Client().get(page.url)
    assert response.status_code == 200
    assert NEW_TITLE in response.content.decode()
    # Stored as the translator's strings, so the admin's editor shows it.
    stored = StringTranslation.objects.get(
        locale__language_code="ar",
        context__object_id=translated.translation_key,
        context__path="title",
    )
    assert stored.data == NEW_TITLE
    assert stored.translation_type == StringTranslation.TRANSLATION_TYPE_MANUAL


def test_a_later_sync_of_the_dutch_source_keeps_the_imported_text(packages, translated):
    set_arabic_title(packages["ar"], translated, NEW_TITLE)
    run_import(packages["ar"], "--publish")
    dutch = translated.get_latest_revision_as_object()
    dutch.summary = "Een nieuwe samenvatting, nog niet vertaald."
    dutch.save_revision().publish()
    # What an editor's "Sync translated pages" does.
    source, _created = TranslationSource.update_or_create_from_instance(
        ServicePage.objects.get(pk=translated.pk)
    )
    Translation.objects.get(source=source, target_locale__language_code="ar").save_target(
        publish=True
    )
    page = arabic(translated)
    assert page.title == NEW_TITLE
    assert page.summary == "Een nieuwe samenvatting, nog niet vertaald."


def test_without_publish_a_translation_is_a_draft_in_the_workflow(packages, translated):
    set_arabic_title(packages["ar"], translated, NEW_TITLE)
    old_title = arabic(translated).title
    run_import(packages["ar"])
    page = arabic(translated)
    assert page.title == old_title
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().title == NEW_TITLE
    assert page.get_workflow() is not None
    assert page.current_workflow_state is not None


def refused_lines(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("refused:")]


def test_a_translation_in_a_language_the_site_lacks_is_refused(packages, translated):
    def change(rows):
        for row in rows:
            if row["id"] == str(translated.translation_key):
                row["x_language"] = "de"

    rewrite(packages["ar"], "services.csv", change)
    before = tallies()
    report = run_import(packages["ar"], "--publish")
    assert tallies() == before
    [line] = refused_lines(report)
    assert "services.csv" in line and "x_language" in line
    assert "'de'" in line and "not one of the site's languages" in line


def test_a_translation_of_a_service_not_in_dutch_is_refused(packages, translated):
    unknown = str(uuid.uuid4())

    def change(rows):
        for row in rows:
            if row["id"] == str(translated.translation_key):
                row["id"] = unknown

    rewrite(packages["ar"], "services.csv", change)
    before = tallies()
    report = run_import(packages["ar"], "--publish")
    assert tallies() == before
    [line] = refused_lines(report)
    assert "services.csv:" in line and ":id:" in line
    assert "not in Dutch in services.csv nor in the directory" in line


def test_a_translation_of_another_partners_service_is_refused(packages, translated):
    """With ``--partner``, a row naming that partner for a service of another
    is refused; the other partner's own rows are left for its import."""
    other = (
        PartnerPage.objects.filter(locale__language_code="nl")
        .exclude(pk=translated.get_parent().pk)
        .order_by("path")
        .first()
    )

    def change(rows):
        for row in rows:
            if row["id"] == str(translated.translation_key):
                row["organization_id"] = str(other.translation_key)

    rewrite(packages["ar"], "services.csv", change)
    before = tallies()
    report = run_import(packages["ar"], "--publish", "--partner", other.slug)
    assert tallies() == before
    [line] = refused_lines(report)
    assert "services.csv" in line
    assert f"the service belongs to {translated.get_parent().title!r}" in line
    assert "of other partners" in report


def test_arabic_json_from_the_api_imports_as_the_translation(translated, tmp_path, settings):
    """A page of the API's ``/services?lang=ar`` (full), saved as a file."""
    settings.RATELIMIT_API = "100000/m"
    from .conftest import get_json

    listed = get_json(
        Client(),
        "/api/hsds/services",
        full="true",
        per_page=200,
        lang="ar",
        organization_id=str(translated.get_parent().translation_key),
    )
    [item] = [item for item in listed["contents"] if item["id"] == str(translated.translation_key)]
    assert item["x_language"] == "ar"
    item["name"] = NEW_TITLE
    source = tmp_path / "services-ar.json"
    source.write_text(json.dumps(listed), encoding="utf-8")
    report = run_import(source, "--publish")
    assert "refused:" not in report
    assert "services 0 new, 1 changed" in report
    assert arabic(translated).title == NEW_TITLE
