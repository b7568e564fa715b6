"""The server errors the fuzz suite found, each with the input that found it."""

from django.test import Client
from django.urls import reverse

import pytest

from coalition.models import ContactPerson, PartnerAccess
from tests.coalition.helpers import staff_of

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
