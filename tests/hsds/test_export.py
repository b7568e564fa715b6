"""The HSDS tabular export (``manage.py export_hsds`` and the moderators'
zip in the admin): a valid HSDS 3.0 data package of what the API publishes,
and nothing else."""

import csv
import io
import json
import zipfile
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from wagtail.models import Locale

import pytest

from coalition.models import PartnerAccess
from directory.models import ServicePage
from hsds.tabular import escape
from tests.coalition.helpers import logged_in, make_user, moderator, staff_of

from .conftest import SCHEMAS, contact_persons_found_in, get_json
from .tabular_schema import problems

pytestmark = pytest.mark.django_db


def export(folder: Path, *args) -> Path:
    call_command("export_hsds", str(folder), *args, stdout=io.StringIO())
    return folder


def table(folder: Path, name: str) -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ids(folder: Path, name: str) -> list[str]:
    return [row["id"] for row in table(folder, name)]


def shown_keys(language="nl") -> set[str]:
    from hsds.views import shown_services

    locale = Locale.objects.get(language_code=language)
    return {str(key) for key in shown_services(locale).values_list("translation_key", flat=True)}


@pytest.mark.parametrize("language", ["nl", "ar"])
def test_the_package_validates_against_the_hsds_tabular_schema(tmp_path, language):
    folder = export(tmp_path, "--lang", language)
    official = json.loads((SCHEMAS / "datapackage.json").read_text(encoding="utf-8"))
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package"
    exported = {resource["name"]: resource for resource in package["resources"]}
    assert set(exported) == {resource["name"] for resource in official["resources"]}
    for resource in official["resources"]:
        mine = exported[resource["name"]]
        assert mine["path"] == resource["path"]
        fields = resource["schema"]["fields"]
        # HSDS's columns as HSDS defines them, then only the profile's x_ ones.
        assert mine["schema"]["fields"][: len(fields)] == fields
        assert all(f["name"].startswith("x_") for f in mine["schema"]["fields"][len(fields) :])
        assert mine["schema"]["primaryKey"] == resource["schema"]["primaryKey"]
        assert mine["schema"].get("foreignKeys") == resource["schema"].get("foreignKeys")
    assert problems(folder) == []
    assert table(folder, "meta_table_descriptions.csv")[0]["language"] == language


def test_every_shown_service_appears_once_with_its_organization(tmp_path):
    folder = export(tmp_path)
    services = table(folder, "services.csv")
    assert len(services) == len({row["id"] for row in services})
    assert {row["id"] for row in services} == shown_keys()
    organizations = set(ids(folder, "organizations.csv"))
    assert {row["organization_id"] for row in services} <= organizations


def test_ids_are_the_ids_the_api_returns(tmp_path, settings):
    settings.RATELIMIT_API = "100000/m"
    from django.test import Client

    api = Client()
    folder = export(tmp_path, "--lang", "en")
    listed = get_json(api, "/api/hsds/services", per_page=200, full="true", lang="en")
    assert listed["total_pages"] == 1
    assert set(ids(folder, "services.csv")) == {item["id"] for item in listed["contents"]}
    locations = {
        sal["id"] for item in listed["contents"] for sal in item.get("service_at_locations", [])
    }
    assert set(ids(folder, "service_at_location.csv")) == locations
    schedules = {s["id"] for item in listed["contents"] for s in item.get("schedules", [])}
    assert set(ids(folder, "schedules.csv")) == schedules
    organizations = get_json(api, "/api/hsds/organizations", per_page=200, lang="en")
    assert set(ids(folder, "organizations.csv")) == {o["id"] for o in organizations["contents"]}
    terms = get_json(api, "/api/hsds/taxonomy_terms", per_page=200, lang="en")
    assert set(ids(folder, "taxonomy_terms.csv")) == {t["id"] for t in terms["contents"]}
    # And the texts are the API's, in its language (Dutch where untranslated).
    by_id = {row["id"]: row for row in table(folder, "services.csv")}
    for item in listed["contents"]:
        assert by_id[item["id"]]["name"] == item["name"]
        assert by_id[item["id"]]["x_language"] == item["x_language"]


def test_partner_limits_the_package_to_its_services_and_organization(tmp_path, partner):
    folder = export(tmp_path, "--partner", partner.slug)
    assert ids(folder, "organizations.csv") == [str(partner.translation_key)]
    from hsds.views import shown_services

    own = shown_services(partner.locale).filter(partner.in_any_version(children_only=True))
    expected = {str(key) for key in own.values_list("translation_key", flat=True)}
    assert expected and set(ids(folder, "services.csv")) == expected
    assert set(ids(folder, "services.csv")) < shown_keys()
    # The same partner by its HSDS id gives the same package.
    again = export(tmp_path / "by-id", "--partner", str(partner.translation_key))
    assert table(again, "services.csv") == table(folder, "services.csv")
    assert problems(folder) == []


def test_no_contact_person_drafts_or_unpublished_services_anywhere(tmp_path, service):
    draft = service.specific
    draft.title = "GEHEIM CONCEPT"
    draft.save_revision()
    hidden = ServicePage.objects.live().exclude(pk=service.pk).filter(locale=service.locale).last()
    for version in ServicePage.objects.filter(translation_key=hidden.translation_key):
        version.unpublish()
    folder = export(tmp_path)
    everything = "\n".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
    assert "GEHEIM CONCEPT" not in everything
    assert str(hidden.translation_key) not in everything
    assert table(folder, "contacts.csv") == []
    assert contact_persons_found_in(everything) == []


def test_a_formula_in_a_cell_is_exported_as_text(tmp_path, service):
    formula = '=HYPERLINK("http://evil.example","klik")'
    ServicePage.objects.filter(pk=service.pk).update(title=formula, cost_note="@SUM(1+1)")
    folder = export(tmp_path)
    row = next(r for r in table(folder, "services.csv") if r["id"] == str(service.translation_key))
    assert row["name"] == "'" + formula
    assert row["fees_description"].endswith("@SUM(1+1)")  # not at the start: harmless
    assert problems(folder) == []


def test_a_cost_no_longer_among_the_choices_is_exported_as_stored(tmp_path, service):
    ServicePage.objects.filter(pk=service.pk).update(cost="naar_inkomen", cost_note="")
    folder = export(tmp_path)
    row = next(r for r in table(folder, "services.csv") if r["id"] == str(service.translation_key))
    assert row["fees_description"] == "naar_inkomen"
    assert problems(folder) == []


@pytest.mark.parametrize(
    ("text", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+31301234567", "+31301234567"),  # an E.164 number stays a number
        ("-4.25", "-4.25"),
        ("Buurthuis = ontmoeting", "Buurthuis = ontmoeting"),
    ],
)
def test_cells_a_spreadsheet_would_run_start_with_a_quote(text, exported):
    assert escape(text) == exported


def test_the_zip_holds_the_same_package(tmp_path):
    folder = export(tmp_path / "folder")
    call_command("export_hsds", str(tmp_path / "package.zip"), "--zip", stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "package.zip") as archive:
        assert sorted(archive.namelist()) == sorted(path.name for path in folder.iterdir())
        for path in folder.iterdir():
            assert archive.read(path.name) == path.read_bytes()


def test_a_moderator_downloads_the_zip_from_the_admin(django_user_model):
    client = logged_in(moderator(django_user_model))
    assert reverse("hsds_export") in client.get(reverse("wagtailadmin_home")).text
    response = client.get(reverse("hsds_export"), {"lang": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "wijkwijzer-hsds-en.zip" in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
        package = json.loads(archive.read("datapackage.json"))
    assert {row["id"] for row in services} == shown_keys("en")
    assert package["language"] == "en"


def test_a_partner_editor_may_not_download_the_export(django_user_model, partner):
    access = PartnerAccess.objects.get(partner=partner)
    editor = staff_of(django_user_model, access, "partner-editor-export")
    assert reverse("hsds_export") not in logged_in(editor).get(reverse("wagtailadmin_home")).text
    assert logged_in(editor).get(reverse("hsds_export")).status_code == 403
    publisher = staff_of(django_user_model, access, "partner-publisher-export", publisher=True)
    assert logged_in(publisher).get(reverse("hsds_export")).status_code == 403
    nobody = logged_in(None).get(reverse("hsds_export"))
    assert nobody.status_code == 302 and "login" in nobody["Location"]
    admin = make_user(django_user_model, "admin-export", superuser=True)
    assert logged_in(admin).get(reverse("hsds_export")).status_code == 200
