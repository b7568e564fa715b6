"""A service's ways to reach it in the HSDS data: every channel in the
profile's ``x_channels``, phone and WhatsApp channels also as HSDS phones
with their languages, interpreters in ``interpretation_services``; read back
by the import."""

import json

import pytest

from directory.models import ServicePage

from .conftest import assert_valid, get_json
from .test_export import export, table
from .test_import import rewrite, run_import, service_refused_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(db) -> ServicePage:
    """The demo's "Arabic by WhatsApp, Tigrinya at the desk on Tuesdays"."""
    return ServicePage.objects.get(slug="spreekuur-inburgeringsplan", locale__language_code="nl")


def test_every_channel_is_in_x_channels_with_its_languages(api, intake):
    data = get_json(api, f"/api/hsds/services/{intake.translation_key}")
    assert_valid("service", data)
    channels = {item["kind"]: item for item in data["x_channels"]}
    assert set(channels) == set(intake.channels.values_list("kind", flat=True))
    for row in intake.channels.all():
        item = channels[row.kind]
        assert item["id"] == str(row.hsds_id)
        assert item["service_id"] == str(intake.translation_key)
        assert item["languages"] == sorted(row.languages.values_list("code", flat=True))
    desk = intake.channels.get(kind="desk")
    assert channels["desk"]["service_at_location_id"] == str(desk.location_key)
    assert channels["desk"]["hours_note"] == "dinsdag 9.30–12.00"
    at = {link["id"] for link in data["service_at_locations"]}
    assert channels["desk"]["service_at_location_id"] in at


def test_phone_and_whatsapp_channels_are_hsds_phones_with_languages(api, intake):
    data = get_json(api, f"/api/hsds/services/{intake.translation_key}")
    phones = {phone["id"]: phone for phone in data["phones"]}
    whatsapp = intake.channels.get(kind="whatsapp")
    phone = phones[str(whatsapp.hsds_id)]
    assert (phone["number"], phone["type"], phone["description"]) == (
        "+31612345602",
        "text",
        "WhatsApp",
    )
    assert [language["code"] for language in phone["languages"]] == ["ar", "nl"]
    assert all(language["phone_id"] == phone["id"] for language in phone["languages"])
    # The service's own numbers stay phones of their own.
    assert str(intake.phone.as_e164) in {
        p["number"] for p in phones.values() if p["id"] != phone["id"]
    }


def test_interpreters_on_request_are_hsds_interpretation_services(api):
    """In the text's language: the service's, Dutch where not translated."""
    service = ServicePage.objects.get(
        slug="maatschappelijke-begeleiding", locale__language_code="nl"
    )
    url = f"/api/hsds/services/{service.translation_key}"
    dutch = get_json(api, url)
    assert dutch["interpretation_services"] == "Tolk op verzoek: Perzisch (Farsi), Somalisch"
    english = get_json(api, url, lang="en")
    assert english["x_language"] == "en"
    assert english["interpretation_services"] == "Interpreter on request: Persian, Somali"


def test_the_package_has_x_channels_as_json_and_the_languages_of_phones(tmp_path, intake):
    folder = export(tmp_path / "package", "--partner", "gemeente-team-inburgering")
    services = {row["id"]: row for row in table(folder, "services.csv")}
    channels = json.loads(services[str(intake.translation_key)]["x_channels"])
    assert len(channels) == 4
    whatsapp = str(intake.channels.get(kind="whatsapp").hsds_id)
    spoken = {row["code"] for row in table(folder, "languages.csv") if row["phone_id"] == whatsapp}
    assert spoken == {"ar", "nl"}
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    service = next(r for r in descriptor["resources"] if r["name"] == "service")
    declared = {f["name"]: f["type"] for f in service["schema"]["fields"]}
    assert declared["x_channels"] == "array"


@pytest.fixture
def package(tmp_path, intake):
    return export(tmp_path / "package", "--partner", "gemeente-team-inburgering")


def change_channels(package, intake, change) -> None:
    key = str(intake.translation_key)

    def edit(rows):
        for row in rows:
            if row["id"] == key:
                row["x_channels"] = json.dumps(change(json.loads(row["x_channels"])))

    rewrite(package, "services.csv", edit)


def test_an_imported_channel_keeps_its_id_languages_and_location(package, intake):
    def change(items):
        for item in items:
            if item["kind"] == "whatsapp":
                item["languages"] = ["ar", "ti"]
        return items

    change_channels(package, intake, change)
    report = run_import(package, "--publish")
    assert "Services: 0 new, 1 changed" in report
    page = ServicePage.objects.get(pk=intake.pk)
    whatsapp = page.channels.get(kind="whatsapp")
    assert set(whatsapp.languages.values_list("code", flat=True)) == {"ar", "ti"}
    desk = page.channels.get(kind="desk")
    assert desk.location().name == "Wijkcentrum De Voorbeeldhof"
    # The channel's phone is not read as the service's own WhatsApp number.
    assert str(page.whatsapp.as_e164) == "+31612345602"
    assert page.channels.count() == 4


def test_an_unknown_kind_is_left_out_and_the_rest_imported(package, intake):
    change_channels(package, intake, lambda items: [*items, {**items[0], "kind": "pigeon"}])
    report = run_import(package, "--publish")
    assert "'pigeon' is not a way to reach a service here" in report
    assert ServicePage.objects.get(pk=intake.pk).channels.count() == 4


def test_a_wrong_number_on_a_channel_refuses_its_service(package, intake):
    key = str(intake.translation_key)

    def edit(rows):
        for row in rows:
            if row["id"] == key:
                items = json.loads(row["x_channels"])
                items[0]["value"] = "bel ons"
                row["x_channels"] = json.dumps(items)

    report = service_refused_for(package, intake, "services.csv", edit)
    assert ":x_channels: " in report


def test_x_channels_that_is_no_json_array_refuses_its_service(package, intake):
    key = str(intake.translation_key)

    def edit(rows):
        for row in rows:
            if row["id"] == key:
                row["x_channels"] = "[{not json"

    report = service_refused_for(package, intake, "services.csv", edit)
    assert ":x_channels: not a JSON array of channel objects" in report
