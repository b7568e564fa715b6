"""Stable HSDS ids: shared by the language versions of an object, distinct
between objects, new for a copy, and a KvK number that is 8 digits."""

import importlib

from django.core.exceptions import ValidationError

from wagtail.models import Locale

import pytest

from directory.models import (
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceLocation,
    ServicePage,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [ServiceLocation, OpeningHours, OpeningHoursException])
def test_rows_of_different_services_never_share_an_id(model):
    owners: dict = {}
    for hsds_id, key in model.objects.values_list("hsds_id", "page__translation_key"):
        owners.setdefault(hsds_id, set()).add(key)
    assert owners
    assert all(len(keys) == 1 for keys in owners.values())


def test_a_translation_keeps_the_ids_of_its_source_rows(dutch):
    english = Locale.objects.get(language_code="en")
    translated = ServicePage.objects.filter(locale=english, locations__isnull=False).first()
    source = translated.get_translation(dutch)
    for relation in ("locations", "opening_hours"):
        assert {row.hsds_id for row in getattr(translated, relation).all()} == {
            row.hsds_id for row in getattr(source, relation).all()
        }


def test_a_copied_service_gets_new_ids_for_its_rows(service):
    copy = service.copy(update_attrs={"slug": "kopie-hsds", "title": "Kopie"})
    assert copy.translation_key != service.translation_key
    copied = {row.hsds_id for row in copy.locations.all()}
    original = {row.hsds_id for row in service.locations.all()}
    assert copied and not copied & original


def test_saving_a_row_again_keeps_its_id(service):
    location = service.locations.first()
    before = location.hsds_id
    location.name = "Andere naam"
    location.save()
    location.refresh_from_db()
    assert location.hsds_id == before


@pytest.mark.parametrize("number", ["1234567", "123456789", "1234567a", "12 34 56 78"])
def test_a_kvk_number_is_8_digits(partner, number):
    field = PartnerPage._meta.get_field("kvk_number")
    with pytest.raises(ValidationError):
        field.clean(number, partner)


def test_a_partner_may_have_no_kvk_number_or_a_valid_one(partner):
    field = PartnerPage._meta.get_field("kvk_number")
    assert [field.clean(number, partner) for number in ("", "30123456")] == ["", "30123456"]


def test_the_migration_gives_the_latest_revision_the_ids_of_the_live_rows(service):
    """Or the next edit, made from that revision, would publish new ids."""
    from django.apps import apps

    migration = importlib.import_module("directory.migrations.0011_hsds_identities")
    revision = service.save_revision()
    content = revision.content
    for child in content["locations"]:
        del child["hsds_id"]
    revision.content = content
    revision.save(update_fields=["content"])

    migration.fill_ids(apps, None)

    revision.refresh_from_db()
    assert {child["hsds_id"] for child in revision.content["locations"]} == {
        str(row.hsds_id) for row in service.locations.all()
    }
