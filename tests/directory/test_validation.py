"""Editors get plain-language errors for data residents would trip over."""

import datetime

from django.core.exceptions import ValidationError

import pytest

from directory.models import Municipality, OpeningHours, OpeningHoursException, ServiceLocation
from directory.validators import (
    normalise_postcode,
    validate_cbs_municipality_code,
    validate_cbs_wijk_code,
    validate_pc4_list,
    validate_postcode,
    validate_public_email,
    validate_public_url,
)


@pytest.mark.parametrize("code", ["WK034403", "WK000001"])
def test_valid_cbs_wijk_codes_pass(code):
    validate_cbs_wijk_code(code)


@pytest.mark.parametrize("code", ["WK34403", "wk034403", "BU03440301", "WK0344031", ""])
def test_malformed_cbs_wijk_codes_are_rejected(code):
    with pytest.raises(ValidationError, match="WK"):
        validate_cbs_wijk_code(code)


@pytest.mark.parametrize("code", ["GM344", "GM03440", "gm0344", "0344"])
def test_malformed_municipality_codes_are_rejected(code):
    with pytest.raises(ValidationError, match="GM"):
        validate_cbs_municipality_code(code)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("3563ab", "3563 AB"), ("3563 AB", "3563 AB"), (" 3563  ab ", "3563 AB")],
)
def test_postcodes_are_stored_in_one_format(typed, stored):
    assert normalise_postcode(typed) == stored
    validate_postcode(stored)


@pytest.mark.parametrize("postcode", ["0563 AB", "3563 SS", "3563 SA", "356 AB", "3563", "ABCD EF"])
def test_impossible_postcodes_are_rejected(postcode):
    with pytest.raises(ValidationError):
        validate_postcode(normalise_postcode(postcode))


def test_pc4_lists_name_the_wrong_entries():
    validate_pc4_list("3561, 3562 3563;3564")
    with pytest.raises(ValidationError) as error:
        validate_pc4_list("3561, 356, 35622")
    assert "356, 35622" in str(error.value)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.nl/",
        "http://localhost:8000/",
        "https://192.168.1.10/",
        "https://user:secret@example.nl/",
        "https://intranet/",
    ],
)
def test_urls_residents_cannot_open_are_rejected(url):
    with pytest.raises(ValidationError):
        validate_public_url(url)


def test_public_urls_pass():
    validate_public_url("https://www.example.nl/hulp?wijk=overvecht")
    validate_public_url("http://buurtteam.voorbeeld.example/")


@pytest.mark.parametrize("email", ["info@localhost", "info@intranet"])
def test_email_addresses_without_a_real_domain_are_rejected(email):
    with pytest.raises(ValidationError):
        validate_public_email(email)


def location(**overrides):
    fields = {
        "address": "Teststraat 1",
        "postcode": "3563 AB",
        "city": "Utrecht",
        "latitude": 52.117,
        "longitude": 5.113,
    }
    fields.update(overrides)
    return ServiceLocation(**fields)


def test_a_location_in_the_netherlands_is_valid():
    location().full_clean(exclude=["page"])


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("latitude", {"latitude": 5.113, "longitude": 5.113}),  # swapped
        ("longitude", {"longitude": 52.117}),
        ("latitude", {"latitude": 48.85}),  # Paris
    ],
)
def test_coordinates_outside_the_netherlands_are_rejected(field, overrides):
    with pytest.raises(ValidationError) as error:
        location(**overrides).full_clean(exclude=["page"])
    assert field in error.value.message_dict


def test_a_location_postcode_is_normalised_on_clean():
    place = location(postcode="3563ab")
    place.full_clean(exclude=["page"])
    assert place.postcode == "3563 AB"


def test_opening_hours_must_close_after_they_open():
    hours = OpeningHours(weekday=0, opens=datetime.time(12), closes=datetime.time(9))
    with pytest.raises(ValidationError) as error:
        hours.full_clean(exclude=["page"])
    assert "closes" in error.value.message_dict


def test_an_open_exception_needs_its_hours():
    exception = OpeningHoursException(start_date=datetime.date(2026, 12, 24), closed=False)
    with pytest.raises(ValidationError) as error:
        exception.full_clean(exclude=["page"])
    assert set(error.value.message_dict) == {"opens", "closes"}


def test_an_exception_cannot_end_before_it_starts():
    exception = OpeningHoursException(
        start_date=datetime.date(2026, 12, 24), end_date=datetime.date(2026, 12, 20)
    )
    with pytest.raises(ValidationError) as error:
        exception.full_clean(exclude=["page"])
    assert "end_date" in error.value.message_dict


@pytest.mark.django_db
def test_a_wijk_code_must_belong_to_its_municipality(wijk):
    wijk.municipality = Municipality.objects.create(name="Amersfoort", cbs_code="GM0307")
    with pytest.raises(ValidationError) as error:
        wijk.full_clean()
    assert "WK0307" in error.value.message_dict["cbs_code"][0]


@pytest.mark.django_db
def test_a_wijk_code_is_unique_within_a_language(wijk):
    other = wijk.get_siblings(inclusive=False).specific().first()
    other.cbs_code = wijk.cbs_code
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "cbs_code" in error.value.message_dict


@pytest.mark.django_db
def test_a_service_needs_a_contact_and_a_cost_note(service):
    service.phone = service.whatsapp = ""
    service.email = service.website = ""
    service.cost = "paid"
    service.cost_note = ""
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert {"phone", "cost_note"} <= set(error.value.message_dict)


@pytest.mark.django_db
def test_last_checked_cannot_be_in_the_future(service):
    service.last_verified = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "last_verified" in error.value.message_dict


@pytest.mark.django_db
def test_phone_numbers_are_stored_as_e164(service):
    service.phone = "030 - 799 12 34"
    service.whatsapp = "06-12345678"
    service.full_clean()
    assert service.phone.as_e164 == "+31307991234"
    assert service.whatsapp.as_e164 == "+31612345678"


@pytest.mark.django_db
def test_a_malformed_phone_number_is_rejected(service):
    service.phone = "0307"
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "phone" in error.value.message_dict
