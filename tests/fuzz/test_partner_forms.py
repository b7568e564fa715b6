"""A partner's own page and its contact persons, edited by its staff with
generated input: never a server error; either saved with what was sent, or
the form names a field that was changed. The contact person also through the
chooser's "create" view that the service and partner forms open.
"""

from django.test import Client
from django.urls import reverse

from wagtail.models import Page
from wagtail.test.utils.form_data import rich_text

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coalition.models import ContactPerson, PartnerAccess
from directory.models import PartnerPage, WijkPage
from tests.coalition.helpers import staff_of

from .forms import Posted, assert_refused_on_a_changed_field, error_names, mutated, rolled_back
from .strategies import examples, rich_text_input, text_input, wrong_number
from .test_service_form import ids, phone_number, web_address

pytestmark = pytest.mark.django_db

CONTACT_RELATED = {"phone": {"phone"}, "email": {"phone"}}


@pytest.fixture
def access(partner) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=partner)


@pytest.fixture
def editor(access, django_user_model) -> Client:
    """An editor of the demo partner (no publishing)."""
    client = Client()
    client.force_login(staff_of(django_user_model, access, "fuzz-editor"))
    return client


def partner_baseline(partner: PartnerPage) -> dict:
    return {
        "title": partner.title,
        "slug": partner.slug,
        "partner_type": partner.partner_type,
        "logo": "",
        "description": rich_text("<p>Wij helpen bewoners.</p>"),
        "website": "https://partner.voorbeeld.nl/",
        "phone": "030 799 1234",
        "email": "info@voorbeeld.nl",
        "wijken": [str(pk) for pk in partner.wijken.values_list("pk", flat=True)],
    }


def partner_values() -> dict:
    return {
        "title": text_input(300),
        "slug": st.sampled_from(["ander-adres", "Hoofd Letters", "ü"]) | text_input(60),
        "partner_type": st.sampled_from(["welzijn", "politie", "gemeente", ""]) | text_input(30),
        "logo": wrong_number(),
        "description": rich_text_input(),
        "website": web_address(),
        "phone": phone_number(),
        "email": web_address(),
        "wijken": ids(WijkPage),
    }


@examples(120)
@given(data=st.data())
@example(data=None)
def test_editing_the_partner_page_keeps_what_was_sent_or_names_the_field(editor, partner, data):
    start = partner_baseline(partner)
    posted = Posted(start) if data is None else data.draw(mutated(start, partner_values()))
    with rolled_back():
        response = editor.post(reverse("wagtailadmin_pages:edit", args=(partner.pk,)), posted.data)
        assert response.status_code < 500
        if response.status_code == 302:
            saved = Page.objects.get(pk=partner.pk).specific.get_latest_revision_as_object()
            assert saved.title == posted.single("title").strip()
            sent = posted.data.get("wijken", [])
            sent = {sent} if isinstance(sent, str) else set(sent)
            assert {str(wijk.pk) for wijk in saved.wijken.all()} == sent
        else:
            assert_refused_on_a_changed_field(response, posted, {})


CONTACT_TEXT = ["name", "role", "availability", "note"]


def contact_baseline(access: PartnerAccess) -> dict:
    return {
        "partner": str(access.partner.pk),
        "name": "Noor Bakker (fuzz)",
        "role": "Wijkcoach",
        "phone": "030 799 1234",
        "email": "",
        "availability": "Maandag tot woensdag",
        "note": "",
        "wijken": [],
    }


def contact_values() -> dict:
    other_partners = list(PartnerPage.objects.values_list("pk", flat=True)[:10])
    return {
        **{name: text_input(1100) for name in CONTACT_TEXT},
        "partner": st.sampled_from(other_partners).map(str) | wrong_number(),
        "phone": phone_number(),
        "email": web_address(),
        "wijken": ids(WijkPage),
    }


def assert_contact_reads_back(person: ContactPerson, posted: Posted, access: PartnerAccess):
    assert person.partner_id == access.partner.pk
    for name in CONTACT_TEXT:
        sent = posted.single(name)
        if sent is not None:
            assert getattr(person, name) == sent.strip(), name


def post_contact(client, url, posted, access):
    before = set(ContactPerson.objects.values_list("pk", flat=True))
    response = client.post(url, posted.data)
    assert response.status_code < 500
    return response, ContactPerson.objects.exclude(pk__in=before)


@examples(100)
@given(data=st.data())
@example(data=None)
def test_a_contact_person_is_saved_as_sent_or_the_form_names_the_field(editor, access, data):
    start = contact_baseline(access)
    posted = Posted(start) if data is None else data.draw(mutated(start, contact_values()))
    with rolled_back():
        url = reverse("wagtailsnippets_coalition_contactperson:add")
        response, added = post_contact(editor, url, posted, access)
        if response.status_code == 302:
            assert_contact_reads_back(added.get(), posted, access)
        else:
            assert not added.exists()
            assert_refused_on_a_changed_field(response, posted, CONTACT_RELATED)


@pytest.fixture
def person(access) -> ContactPerson:
    return ContactPerson.objects.create(
        partner=access.partner, name="Sam de Vries (fuzz)", role="Buurtwerker", phone="+31307991234"
    )


@examples(80)
@given(data=st.data())
@example(data=None)
def test_editing_a_contact_person_saves_what_was_sent_or_names_the_field(
    editor, access, person, data
):
    start = contact_baseline(access)
    posted = Posted(start) if data is None else data.draw(mutated(start, contact_values()))
    with rolled_back():
        url = reverse("wagtailsnippets_coalition_contactperson:edit", args=(person.pk,))
        response, added = post_contact(editor, url, posted, access)
        assert not added.exists()
        if response.status_code == 302:
            assert_contact_reads_back(ContactPerson.objects.get(pk=person.pk), posted, access)
        else:
            assert_refused_on_a_changed_field(response, posted, CONTACT_RELATED)


@examples(80)
@given(data=st.data())
@example(data=None)
def test_the_choosers_create_view_saves_a_contact_person_or_names_the_field(editor, access, data):
    start = contact_baseline(access)
    posted = Posted(start) if data is None else data.draw(mutated(start, contact_values()))
    with rolled_back():
        url = "/admin/snippets/choose/coalition/contactperson/create/"
        response, added = post_contact(editor, url, posted, access)
        assert response.status_code == 200
        answer = response.json()
        if answer["step"] == "chosen":
            assert_contact_reads_back(added.get(), posted, access)
        else:
            # The chooser shows the form again in its modal; the same rule holds.
            assert not added.exists()
            form = response.context["form"]
            assert error_names(form)
            assert_refused_on_a_changed_field(response, posted, CONTACT_RELATED)
