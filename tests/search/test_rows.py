"""The database search reads a narrow copy of the shown services (ServiceRow).
Whatever happens to a service, its partner or the pages above it, the copy
holds exactly the live, public services, with what they are now."""

from django.core.management import call_command

from wagtail.models import PageViewRestriction

import pytest

from coalition.freshness import confirm_still_correct
from directory.choices import PartnerType
from directory.models import PartnerPage, ServicePage
from directory.models.facets import facet_values
from search.models import ServiceRow, ServiceRowValue
from search.rows import COPIED

pytestmark = pytest.mark.django_db


def rows() -> dict[int, tuple]:
    return {pk: tuple(values) for pk, *values in ServiceRow.objects.values_list("pk", *COPIED)}


def expected() -> dict[int, tuple]:
    shown = ServicePage.objects.live().public()
    return {pk: tuple(values) for pk, *values in shown.values_list("pk", *COPIED)}


def values() -> set[tuple]:
    return set(ServiceRowValue.objects.values_list("row_id", "facet", "value"))


def expected_values() -> set[tuple]:
    shown = ServicePage.objects.live().public().values_list("pk", flat=True)
    return {
        (pk, facet, value)
        for pk, facets in facet_values(list(shown)).items()
        for facet, found in facets.items()
        for value in found
    }


def assert_in_step():
    assert rows() == expected()
    assert values() == expected_values()


def test_the_demo_directory_has_a_row_for_every_shown_service():
    assert len(rows()) == ServicePage.objects.live().public().count() > 0
    assert_in_step()


def test_unpublishing_and_publishing_take_the_row_away_and_back(service):
    service.unpublish()
    assert service.pk not in rows()
    service.save_revision().publish()
    assert service.pk in rows()
    assert_in_step()


def test_an_edit_reaches_the_row_when_it_is_published(service):
    service.title = "Schuldhulp op dinsdag"
    service.save_revision()
    assert rows()[service.pk] == expected()[service.pk] != ()
    assert ServiceRow.objects.get(pk=service.pk).title != "Schuldhulp op dinsdag"

    service.get_latest_revision().publish()
    assert ServiceRow.objects.get(pk=service.pk).title == "Schuldhulp op dinsdag"
    assert_in_step()


def test_a_view_restriction_above_a_service_removes_its_row_until_lifted(service, partner):
    restriction = PageViewRestriction.objects.create(page=partner, restriction_type="login")
    assert service.pk not in rows()
    assert_in_step()
    restriction.delete()
    assert service.pk in rows()
    assert_in_step()


def test_a_service_moved_below_a_private_partner_loses_its_row(service, partner):
    other = PartnerPage.objects.filter(locale=partner.locale).exclude(pk=partner.pk).first()
    PageViewRestriction.objects.create(page=other, restriction_type="login")
    service.move(other, pos="last-child")
    assert service.pk not in rows()
    assert_in_step()


def test_the_partner_type_follows_the_partner(service, partner):
    partner.partner_type = next(t for t in PartnerType.values if t != partner.partner_type)
    partner.save_revision().publish()
    assert ServiceRow.objects.get(pk=service.pk).partner_type == partner.partner_type
    assert_in_step()


def test_confirming_a_service_is_correct_dates_every_language_version(service, admin_user):
    checked = confirm_still_correct(service, admin_user)
    versions = ServicePage.objects.filter(translation_key=service.translation_key)
    assert {
        ServiceRow.objects.get(pk=pk).last_verified for pk in versions.values_list("pk", flat=True)
    } == {checked}
    assert_in_step()


def test_a_deleted_service_takes_its_row_along(service):
    service.delete()
    assert service.pk not in rows()
    assert_in_step()


def test_deleting_a_private_partner_takes_its_services_rows_along(service, partner):
    PageViewRestriction.objects.create(page=partner, restriction_type="login")
    partner.delete()
    assert service.pk not in rows()
    assert_in_step()


def test_the_rows_hold_every_theme_audience_language_wijk_and_municipality(service):
    assert {facet for _pk, facet, _value in values()} == set(ServiceRowValue.FACETS)
    assert_in_step()


def test_the_repair_command_rebuilds_rows_written_around_the_models(service):
    ServiceRow.objects.filter(pk=service.pk).delete()
    ServiceRow.objects.exclude(pk=service.pk).update(title="stale")
    ServiceRowValue.objects.filter(facet="themes").delete()
    ServiceRowValue.objects.create(row=ServiceRow.objects.first(), facet="themes", value="stale")

    call_command("refresh_facets")

    assert_in_step()
