"""The service editor finds a location from its postcode and house number:
through the admin's HTTP view, as the editor's browser asks it."""

from django.urls import reverse

import pytest

from directory import address_lookup
from directory.models import ServiceLocation
from search.geocoding import pc4_table
from tests.coalition.helpers import logged_in, moderator

pytestmark = pytest.mark.django_db

# The first address of a real Locatieserver answer (the fields we read), kept as
# the service sends it: ``centroide_ll`` has the longitude first.
PDOK_ANSWER = {
    "response": {
        "numFound": 1,
        "docs": [
            {
                "type": "adres",
                "weergavenaam": "Zamenhofdreef 20, 3562JW Utrecht",
                "straatnaam": "Zamenhofdreef",
                "huis_nlt": "20",
                "postcode": "3562JW",
                "woonplaatsnaam": "Utrecht",
                "centroide_ll": "POINT(5.11060 52.11818)",
            }
        ],
    }
}


@pytest.fixture
def editor(django_user_model):
    return logged_in(moderator(django_user_model))


def ask(client, postcode, number):
    return client.get(reverse("directory_address_lookup"), {"postcode": postcode, "number": number})


def test_an_address_the_directory_knows_is_filled_in_whole(editor):
    known = ServiceLocation.objects.exclude(address="").order_by("pk").first()
    number = known.address.rsplit(" ", 1)[1]
    response = ask(editor, known.postcode.replace(" ", "").lower(), number)
    assert response.status_code == 200
    found = response.json()["found"]
    assert found == {
        "latitude": known.latitude,
        "longitude": known.longitude,
        "precision": "address",
        "source": "directory",
        "street": known.address,
        "postcode": known.postcode,
        "city": known.city,
    }
    assert known.address in response.json()["message"]


def test_an_unknown_number_in_a_known_area_gives_its_centre_and_says_so(editor):
    centre = pc4_table()["3563"]
    response = ask(editor, "3563 AB", "999")
    assert response.status_code == 200
    body = response.json()
    assert body["found"]["precision"] == "postcode_area"
    assert (body["found"]["latitude"], body["found"]["longitude"]) == (
        round(centre.latitude, 6),
        round(centre.longitude, 6),
    )
    assert body["found"]["street"] == ""
    assert "3563" in body["message"]


def test_a_postcode_nobody_knows_gets_a_clear_answer(editor):
    response = ask(editor, "1012ab", "5")
    assert response.status_code == 200
    assert response.json()["found"] is None
    assert "1012 AB 5" in response.json()["message"]


@pytest.mark.parametrize(
    ("postcode", "number", "fields"),
    [
        ("12345", "4", {"postcode"}),
        ("3563 AB", "vier", {"number"}),
        ("", "", {"postcode", "number"}),
        ("3563 SA", "4", {"postcode"}),  # letters the post never gives out
        ("3563 AB<script>", "4" * 30, {"postcode", "number"}),
    ],
)
def test_bad_input_names_the_field_that_is_wrong(editor, postcode, number, fields):
    response = ask(editor, postcode, number)
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == fields
    assert body["message"]
    assert "<script>" not in response.content.decode()


def test_only_admin_users_may_look_up_addresses(client):
    response = ask(client, "3563 AB", "4")
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_the_pdok_answer_is_read_with_the_longitude_first():
    found = address_lookup.parse_pdok(PDOK_ANSWER)
    assert found == address_lookup.FoundAddress(
        latitude=52.11818,
        longitude=5.1106,
        precision="address",
        source="pdok",
        street="Zamenhofdreef 20",
        postcode="3562 JW",
        city="Utrecht",
    )
    assert address_lookup.parse_pdok({"response": {"docs": []}}) is None


def test_the_location_form_offers_the_lookup(editor, service):
    html = editor.get(reverse("wagtailadmin_pages:edit", args=(service.pk,))).content.decode()
    assert "data-ww-address-lookup" in html
    assert reverse("directory_address_lookup") in html
    assert "directory/address_lookup.js" in html
