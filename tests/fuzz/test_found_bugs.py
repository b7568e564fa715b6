"""The server errors the fuzz suite found, each with the input that found it."""

from django.test import Client
from django.urls import reverse

import pytest

from coalition.models import ContactPerson, PartnerAccess
from tests.coalition.helpers import staff_of

from .test_service_form import draft, edit_baseline, publisher  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("partner", ["0x10", "schulden\n\u2068hulp", "1.5"])
def test_a_contact_person_posted_with_a_partner_that_is_no_id_is_refused_on_the_field(
    partner, django_user_model
):
    """The refused form used to fail while showing the partner chooser again."""
    access = PartnerAccess.objects.order_by("pk").first()
    client = Client()
    client.force_login(staff_of(django_user_model, access, "fuzz-found"))
    response = client.post(
        reverse("wagtailsnippets_coalition_contactperson:add"),
        {
            "partner": partner,
            "name": "Noor Bakker (fuzz)",
            "role": "Wijkcoach",
            "phone": "030 799 1234",
        },
    )
    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert not ContactPerson.objects.filter(name="Noor Bakker (fuzz)").exists()


@pytest.mark.parametrize("row_id", ["-3.200167020949092e+16", "`\\\x7f", None])
def test_an_opening_hours_row_posted_with_an_id_that_is_missing_or_no_number_gives_no_server_error(
    publisher,  # noqa: F811
    draft,  # noqa: F811
    row_id,
):
    data = edit_baseline(draft)
    if row_id is None:
        del data["opening_hours-0-id"]
    else:
        data["opening_hours-0-id"] = row_id
    response = publisher.post(reverse("wagtailadmin_pages:edit", args=(draft.pk,)), data)
    if row_id is None:
        # Read as a new row, as an empty id already is.
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert "id" in response.context["form"].formsets["opening_hours"].forms[0].errors


def test_a_partner_page_posted_with_an_empty_description_is_saved_without_one(
    partner, django_user_model
):
    """An empty rich text box posted as "" made Wagtail's widget parse "" as JSON."""
    from wagtail.models import Page

    from .test_partner_forms import partner_baseline

    access = PartnerAccess.objects.get(partner=partner)
    client = Client()
    client.force_login(staff_of(django_user_model, access, "fuzz-empty"))
    data = {**partner_baseline(partner), "description": ""}
    response = client.post(reverse("wagtailadmin_pages:edit", args=(partner.pk,)), data)
    assert response.status_code == 302
    saved = Page.objects.get(pk=partner.pk).specific.get_latest_revision_as_object()
    assert saved.description == ""
