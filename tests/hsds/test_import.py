"""``manage.py import_hsds``: an HSDS 3.0 tabular package into the directory,
upserted by HSDS id, through the partner's workflow or published, and bad
input refused with the file, row and column, nothing half written."""

import csv
import io
import json
import secrets
import shutil
import zipfile
from pathlib import Path

from django.core.management import CommandError, call_command

from wagtail.models import Page, PageLogEntry, Revision, WorkflowState

import pytest

from coalition.models import PartnerAccess
from directory.models import PartnerPage, ServicePage

from .test_export import export, table

pytestmark = pytest.mark.django_db


def run_import(source, *args) -> str:
    out = io.StringIO()
    call_command("import_hsds", str(source), "--no-progress", *args, stdout=out)
    return out.getvalue()


def empty_directory() -> None:
    """The directory without partners and services, as a new coalition's:
    the site, its wijken, languages and taxonomies stay."""
    accesses = list(PartnerAccess.objects.all())
    for page in PartnerPage.objects.all():
        if Page.objects.filter(pk=page.pk).exists():
            page.delete()
    for access in accesses:
        for related in (access.editors, access.publishers, access.workflow, access.review_task):
            related.delete()
        access.collection.delete()
    assert not ServicePage.objects.exists()


def csv_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


def rewrite(folder: Path, name: str, change) -> None:
    """Change rows of one table of a package, as a spreadsheet user would."""
    path = folder / name
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        header = reader.fieldnames
    rows = change(rows) or rows
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def counts() -> tuple[int, int, int]:
    return (
        ServicePage.objects.count(),
        Revision.objects.count(),
        PageLogEntry.objects.count(),
    )


@pytest.fixture
def package(tmp_path, partner) -> Path:
    """One partner's package, small enough to import often."""
    return export(tmp_path / "package", "--partner", partner.slug)


def test_export_import_export_gives_the_same_package(tmp_path):
    before = export(tmp_path / "before")
    empty_directory()
    report = run_import(before, "--publish")
    assert "refused:" not in report
    after = export(tmp_path / "after")
    old, new = csv_files(before), csv_files(after)
    assert old.keys() == new.keys()
    for name in old:
        changed = set(new[name].splitlines()) ^ set(old[name].splitlines())
        assert new[name] == old[name], (name, sorted(changed)[:4])


def test_importing_the_same_package_twice_changes_nothing_the_second_time(package):
    empty_directory()
    run_import(package, "--publish")
    before = counts()
    report = run_import(package, "--publish")
    assert counts() == before
    assert "0 new, 0 changed" in report
    # Nor does importing what the directory itself exported.


def test_a_package_exported_from_the_directory_is_already_there(package):
    before = counts()
    report = run_import(package, "--publish")
    assert counts() == before
    assert "Services: 0 new, 0 changed" in report


def test_without_publish_services_go_to_the_partners_workflow(package, partner):
    empty_directory()
    run_import(package)
    imported = PartnerPage.objects.get(translation_key=partner.translation_key)
    access = PartnerAccess.objects.get(partner=imported)
    assert {g.name for g in (access.editors, access.publishers)} == {
        f"{partner.title} · redactie",
        f"{partner.title} · publicatie",
    }
    services = ServicePage.objects.child_of(imported)
    assert services.exists() and not services.live().exists()
    for service in services:
        state = WorkflowState.objects.get(object_id=str(service.pk), status="in_progress")
        assert state.workflow == access.workflow
    assert not imported.live


def test_a_changed_service_gets_one_new_revision(package, service):
    def rename(rows):
        for row in rows:
            if row["id"] == str(service.translation_key):
                row["name"] = "Nieuwe naam"

    rewrite(package, "services.csv", rename)
    before = Revision.objects.filter(object_id=str(service.pk)).count()
    report = run_import(package)
    assert "Services: 0 new, 1 changed" in report
    assert Revision.objects.filter(object_id=str(service.pk)).count() == before + 1
    service.refresh_from_db()
    assert service.title != "Nieuwe naam"  # live stays as it was until approved
    assert service.get_latest_revision_as_object().title == "Nieuwe naam"
    assert service.current_workflow_state is not None
    run_import(package)
    assert Revision.objects.filter(object_id=str(service.pk)).count() == before + 1


def test_dry_run_writes_nothing(package, service):
    def rename(rows):
        rows[0]["name"] = "Andere naam"

    rewrite(package, "services.csv", rename)
    before = counts()
    report = run_import(package, "--dry-run", "--publish")
    assert counts() == before
    assert "Would import" in report and "1 changed" in report
    empty_directory()
    before = counts()
    report = run_import(package, "--dry-run")
    assert counts() == before
    assert "Organizations: 1 new" in report
    assert not PartnerPage.objects.exists()


def test_partner_limits_the_import_to_its_own_services(tmp_path, partner):
    everything = export(tmp_path / "all")

    def rename_all(rows):
        for row in rows:
            row["name"] += " (nieuw)"

    rewrite(everything, "services.csv", rename_all)
    report = run_import(everything, "--partner", partner.slug, "--publish")
    own = ServicePage.objects.live().filter(partner.in_any_version(children_only=True))
    own = own.filter(locale=partner.locale)
    assert own.exists() and all(s.title.endswith("(nieuw)") for s in own)
    others = ServicePage.objects.exclude(partner.in_any_version(children_only=True))
    assert not others.filter(title__endswith="(nieuw)").exists()
    assert f"Services: 0 new, {own.count()} changed" in report
    assert "of other partners" in report


def test_a_service_is_not_moved_to_another_partner(package, service, partner):
    other = PartnerPage.objects.live().filter(locale=partner.locale).exclude(pk=partner.pk).first()

    def move(rows):
        for row in rows:
            if row["id"] == str(service.translation_key):
                row["organization_id"] = str(other.translation_key)

    report = service_refused_for(package, service, "services.csv", move)
    assert f"the service belongs to {partner.title!r} here" in report


def test_an_import_that_stopped_half_way_runs_again(package, service):
    """A refused service is fixed in the package and the import run again:
    the rest is unchanged, the fixed one arrives."""
    empty_directory()
    key = str(service.translation_key)
    good = (package / "schedules.csv").read_bytes()

    def broken(rows):
        for row in rows:
            if row["service_id"] == key and row["opens_at"]:
                row["closes_at"] = "00:00:01"

    rewrite(package, "schedules.csv", broken)
    first = run_import(package, "--publish")
    assert "1 refused" in first
    assert not ServicePage.objects.filter(translation_key=key).exists()
    (package / "schedules.csv").write_bytes(good)
    again = run_import(package, "--publish")
    assert "Services: 1 new, 0 changed" in again and "0 refused" in again
    assert ServicePage.objects.get(translation_key=key).live


# Bad input: each refused with a clear message, nothing half written.


def refused(source, *args) -> str:
    before = counts()
    with pytest.raises(CommandError) as error:
        run_import(source, *args)
    assert counts() == before
    return str(error.value)


def test_a_missing_required_column_refuses_the_package(package):
    path = package / "services.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    cut = rows[0].index("status")
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(row[:cut] + row[cut + 1 :] for row in rows)
    message = refused(package)
    assert message.endswith("services.csv: the required column status is missing.")


def test_a_csv_in_another_encoding_is_refused(package):
    path = package / "organizations.csv"
    path.write_bytes(
        path.read_text(encoding="utf-8").replace("e", "é").encode("latin-1", "replace")
    )
    message = refused(package)
    assert "organizations.csv" in message and "not UTF-8" in message


def test_a_file_over_the_size_limit_is_refused(package):
    with (package / "services.csv").open("a", encoding="utf-8") as handle:
        handle.write("x" * 1_100_000)
    assert "larger than the limit of 1 MB" in refused(package, "--max-size", "1")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(package, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package.iterdir():
            archive.write(path, path.name)
        archive.writestr("extra.csv", b"\n" * 300_000_000)
    assert bomb.stat().st_size < 1_000_000
    message = refused(bomb)
    assert "zip bomb" in message


def test_a_zip_unpacking_over_the_limit_is_refused(package, tmp_path):
    archive_path = tmp_path / "big.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package.iterdir():
            archive.write(path, path.name)
        # Packs about 2 to 1, as real data does: no bomb, just too big.
        archive.writestr("extra.csv", secrets.token_hex(1_000_000))
    assert archive_path.stat().st_size < 1.5 * 1024 * 1024
    assert "unpacks to" in refused(archive_path, "--max-size", "1.5")


def test_a_zip_package_imports_like_the_folder(package, tmp_path):
    archive_path = tmp_path / "package.zip"
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package.iterdir():
            archive.write(path, f"export/{path.name}")
    empty_directory()
    run_import(archive_path, "--publish")
    assert {r["id"] for r in table(package, "services.csv")} == {
        str(key) for key in ServicePage.objects.values_list("translation_key", flat=True)
    }


def service_refused_for(package, service, table_name, change) -> str:
    """Import ``package`` with ``change`` made to ``service``'s rows; the
    service stays as it was and the report names the row."""
    rewrite(package, table_name, change)
    before = Revision.objects.filter(object_id=str(service.pk)).count()
    report = run_import(package, "--publish")
    assert "Services: 0 new, 0 changed" in report and "1 refused" in report
    assert Revision.objects.filter(object_id=str(service.pk)).count() == before
    return report


def test_a_broken_uuid_refuses_its_service(package, service):
    key = str(service.translation_key)

    def change(rows):
        for row in rows:
            if row["service_id"] == key:
                row["id"] = "not-a-uuid"
                return

    report = service_refused_for(package, service, "schedules.csv", change)
    assert "refused: schedules.csv:" in report and ":id: 'not-a-uuid' is not a UUID" in report


def test_a_schedule_closing_before_it_opens_refuses_its_service(package, service):
    key = str(service.translation_key)

    def change(rows):
        for row in rows:
            if row["service_id"] == key and row["opens_at"]:
                row["opens_at"], row["closes_at"] = "17:00:00", "09:00:00"
                return

    report = service_refused_for(package, service, "schedules.csv", change)
    assert ":closes_at: closes (09:00) before it opens (17:00)" in report


def test_a_service_of_an_unknown_organization_is_refused(package, service):
    key = str(service.translation_key)
    stranger = "0b7f9d5e-1111-4222-8333-944445555666"

    def change(rows):
        for row in rows:
            if row["id"] == key:
                row["organization_id"] = stranger

    report = service_refused_for(package, service, "services.csv", change)
    assert f":organization_id: {stranger}: no such organization" in report


def test_a_kvk_number_of_the_wrong_length_refuses_the_organization(package, partner):
    rewrite(
        package,
        "organization_identifiers.csv",
        lambda rows: [
            {
                "id": "6e2b1c38-5d59-4f0e-8a53-0c1f7f3d2b11",
                "organization_id": str(partner.translation_key),
                "identifier_scheme": "NL-KVK",
                "identifier_type": "KvK-nummer",
                "identifier": "1234567",
            }
        ],
    )
    before = counts()
    report = run_import(package, "--publish")
    assert counts() == before
    assert "refused: organization_identifiers.csv:2:identifier:" in report
    assert "Organizations: 0 new, 0 changed, 0 unchanged, 1 refused" in report
    assert "refused above" in report  # and its services with it
    partner.refresh_from_db()
    assert partner.kvk_number != "1234567"


def test_a_formula_stays_text_and_is_exported_escaped(package, service, tmp_path):
    key = str(service.translation_key)
    formula = '=HYPERLINK("http://evil.example","klik")'

    def change(rows):
        for row in rows:
            if row["id"] == key:
                row["name"] = formula

    rewrite(package, "services.csv", change)
    run_import(package, "--publish")
    service.refresh_from_db()
    assert service.title == formula
    again = export(tmp_path / "again")
    row = next(r for r in table(again, "services.csv") if r["id"] == key)
    assert row["name"] == "'" + formula
    # And the export's escaped cell comes back as the same text.
    shutil.rmtree(package)
    shutil.copytree(again, package)
    before = Revision.objects.filter(object_id=str(service.pk)).count()
    run_import(package, "--publish")
    service.refresh_from_db()
    assert service.title == formula
    assert Revision.objects.filter(object_id=str(service.pk)).count() == before


OPEN_REFERRAL_EXAMPLE = Path(__file__).with_name("fixtures") / "openreferral-example"


def test_open_referrals_example_package_imports_and_names_what_it_leaves_out():
    report = run_import(OPEN_REFERRAL_EXAMPLE, "--publish")
    assert "Organizations: 1 new" in report and "Services: 1 new" in report
    partner = PartnerPage.objects.get(translation_key="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610")
    assert PartnerAccess.objects.filter(partner=partner).exists()  # onboarded
    service = ServicePage.objects.get(translation_key="ac148810-d857-441c-9679-408f346de14b")
    assert service.live and service.get_parent().pk == partner.pk == service.partner_page_id
    assert service.title == "Community Counselling"
    assert len(service.summary) <= 200 and service.body.startswith("<p>Counselling Services")
    assert service.cost_note.startswith("Non-NHS patients are expected to pay")
    assert service.last_verified.isoformat() == "2005-01-01"
    # Weekly on Thursday and Friday, 10:00 to 18:00: one HSDS schedule, two rows here.
    assert sorted(service.opening_hours.values_list("weekday", flat=True)) == [3, 4]
    # What the directory cannot hold is named by file, row and column.
    for line in [
        "left out: organization_identifiers.csv:2:identifier_scheme: only KvK numbers",
        "left out: languages.csv:2:code: 'ur' is not one of the directory's languages",
        "left out: service_areas.csv:2:extent: not the CBS code of a wijk or municipality",
        "left out: service_at_location.csv:2:location_id: only visiting addresses in the "
        "Netherlands",
    ]:
        assert line in report
    before = counts()
    assert "Services: 0 new, 0 changed, 1 unchanged" in run_import(
        OPEN_REFERRAL_EXAMPLE, "--publish"
    )
    assert counts() == before


def test_json_from_the_api_imports_like_the_package(tmp_path, partner, settings):
    """A page of the API's ``/services`` (full), saved as a file, gives the
    same services as the tabular package of the same partner."""
    settings.RATELIMIT_API = "100000/m"
    from django.test import Client

    from .conftest import get_json

    before = export(tmp_path / "before", "--partner", partner.slug)
    listed = get_json(
        Client(),
        "/api/hsds/services",
        full="true",
        per_page=200,
        organization_id=str(partner.translation_key),
    )
    source = tmp_path / "services.json"
    source.write_text(json.dumps(listed), encoding="utf-8")
    empty_directory()
    report = run_import(source, "--publish")
    assert "refused:" not in report
    after = export(tmp_path / "after", "--partner", partner.slug)
    for name in ["services.csv", "schedules.csv", "service_at_location.csv", "addresses.csv"]:
        assert table(after, name) == table(before, name), name
