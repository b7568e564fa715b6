"""A partner's publisher creating and editing a service through the admin, with
generated input in every field of the page and of its inline locations, opening
hours and exceptions: never a server error; either the service is saved with
what was sent, or the form comes back naming a field that was changed.
"""

from django.test import Client
from django.urls import reverse

from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coalition.models import PartnerAccess
from coalition.onboarding import apply_access
from directory.models import (
    Audience,
    Language,
    Municipality,
    PartnerPage,
    ServicePage,
    Theme,
    WijkPage,
)
from tests.coalition.helpers import staff_of
from tests.directory.test_page_tree import service_form_data

from .forms import Posted, assert_refused_on_a_changed_field, mutated, rolled_back
from .strategies import (
    examples,
    rich_text_input,
    text_input,
    wrong_date,
    wrong_number,
)

pytestmark = pytest.mark.django_db

# Text fields and the form's documented normalisation: Django strips the
# whitespace around what was typed.
TEXT_FIELDS = [
    "title",
    "summary",
    "cost_note",
    "access_note",
    "accessibility",
    "locations-0-name",
    "locations-0-address",
    "locations-0-city",
    "opening_hours_exceptions-0-note",
]
# Where a documented rule puts the error when another field changes.
RELATED = {
    "cost": {"cost_note"},
    "phone": {"phone"},
    "email": {"phone"},
    "whatsapp": {"phone"},
    "website": {"phone"},
    "municipalities": {"wijken"},
    "opens": {"opens", "closes"},
    "closes": {"opens", "closes"},
    "closed": {"opens", "closes"},
    "start_date": {"end_date"},
    "end_date": {"end_date"},
}


@pytest.fixture
def publisher(partner, django_user_model) -> Client:
    """A publisher of the demo partner, who may publish without moderation."""
    access = PartnerAccess.objects.get(partner=partner)
    access.may_publish_directly = True
    access.save()
    apply_access(access)
    client = Client()
    client.force_login(staff_of(django_user_model, access, "fuzz-publisher", publisher=True))
    return client


def baseline() -> dict:
    """A valid new service, with one row in each inline form."""
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    return service_form_data(
        wijk,
        slug="fuzz-dienst",
        opening_hours_exceptions=inline_formset(
            [
                {
                    "start_date": "2026-12-25",
                    "end_date": "2026-12-26",
                    "closed": "on",
                    "note": "Kerst",
                }
            ]
        ),
    )


def ids(model) -> st.SearchStrategy:
    """A multiple choice: real ids of ``model``, wrong numbers, or both."""
    real = list(model.objects.values_list("pk", flat=True)[:30])
    one = st.one_of(st.sampled_from(real).map(str), wrong_number())
    return st.lists(one, max_size=4)


def phone_number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "030 799 1234",
                "+49 30 12345678",
                "+380 44 234 5678",
                "06-1234",
                "+",
                "00",
                "+31 6 1234 5678 9999 9999",
                "١٢٣٤٥٦٧٨٩٠",
                "+999 123",
                "tel:0307991234",
            ]
        ),
        wrong_number(),
        text_input(40),
    )


def web_address() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                "https://voorbeeld.nl/",
                "https://xn--dinst-gva.nl/pad?q=1#x",
                "https://диенст.рф/",
                "http://[::1]/",
                "https://user:pw@voorbeeld.nl/",
                "https://voorbeeld.nl:99999/",
                "https://voorbeeld.nl/" + "a" * 300,
                "//voorbeeld.nl",
                "https://",
                "https://.nl",
                "hulp@voorbeeld.nl",
                "iemand@xn--vrbeeld-n2a.nl",
                "a@b@c.nl",
                '"quoted"@voorbeeld.nl',
            ]
        ),
        text_input(80),
    )


def service_values() -> dict:
    """The replacement values per field of the service form."""
    choice = lambda *valid: st.sampled_from(valid) | text_input(30)  # noqa: E731
    values = {
        **{name: text_input(700) for name in TEXT_FIELDS},
        "slug": st.sampled_from(["fuzz-dienst-2", "Fuzz Dienst", "dïenst", "-", "a" * 300])
        | text_input(60),
        "body": rich_text_input(),
        "status": choice("active", "temporarily_closed", "stopped"),
        "cost": choice("free", "contribution", "paid"),
        "access": choice("walk_in", "appointment", "referral", "online"),
        "themes": ids(Theme),
        "audiences": ids(Audience),
        "languages": ids(Language),
        "wijken": ids(WijkPage),
        "municipalities": ids(Municipality),
        "phone": phone_number(),
        "whatsapp": phone_number(),
        "email": web_address(),
        "website": web_address(),
        "last_verified": wrong_date(),
        "locations-0-postcode": st.sampled_from(["3563ab", "3563 SA", "0123 AB", "3563"])
        | text_input(20),
        "locations-0-latitude": wrong_number(),
        "locations-0-longitude": wrong_number(),
        "opening_hours-0-weekday": wrong_number(),
        "opening_hours-0-opens": wrong_date(),
        "opening_hours-0-closes": wrong_date(),
        "opening_hours_exceptions-0-start_date": wrong_date(),
        "opening_hours_exceptions-0-end_date": wrong_date(),
        "opening_hours_exceptions-0-closed": st.sampled_from(["", "on", "off", "false", "0"]),
        "opening_hours_exceptions-0-opens": wrong_date(),
        "opening_hours_exceptions-0-closes": wrong_date(),
    }
    for formset in ("locations", "opening_hours", "opening_hours_exceptions"):
        for management in ("TOTAL_FORMS", "INITIAL_FORMS", "MAX_NUM_FORMS"):
            values[f"{formset}-{management}"] = wrong_number()
        values[f"{formset}-0-DELETE"] = st.sampled_from(["on", "", "1"])
        values[f"{formset}-0-ORDER"] = wrong_number()
        values[f"{formset}-0-id"] = wrong_number()
    return values


def assert_reads_back(service: ServicePage, posted: Posted):
    """What the form saved is what was sent, whitespace around text stripped."""
    readers = {
        "title": lambda: service.title,
        "summary": lambda: service.summary,
        "cost_note": lambda: service.cost_note,
        "access_note": lambda: service.access_note,
        "accessibility": lambda: service.accessibility,
        "locations-0-name": lambda: service.locations.get().name,
        "locations-0-address": lambda: service.locations.get().address,
        "locations-0-city": lambda: service.locations.get().city,
        "opening_hours_exceptions-0-note": lambda: service.opening_hours_exceptions.get().note,
    }
    for name in TEXT_FIELDS:
        sent = posted.single(name)
        if sent is None or name.split("-")[0] in deleted_or_renumbered(posted):
            continue
        assert readers[name]() == sent.strip(), name
    for name in ("themes", "audiences", "languages", "wijken", "municipalities"):
        if name in posted.data:
            sent = posted.data[name]
            sent = {str(value) for value in ([sent] if isinstance(sent, str | int) else sent)}
            # .all(): a revision's relations are in memory, not a queryset.
            saved = {str(item.pk) for item in getattr(service, name).all()}
            assert saved == sent, name


def deleted_or_renumbered(posted: Posted) -> set[str]:
    """Inline forms whose first row may not have been saved as row 0."""
    return {
        name.split("-")[0]
        for name in posted.changed
        if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "DELETE", "ORDER", "-id"))
    }


def add_url(partner: PartnerPage) -> str:
    return reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk))


@examples(40)
@given(data=st.data())
@example(data=None)
def test_creating_a_service_saves_what_was_sent_or_names_the_field(publisher, partner, data):
    start = baseline()
    posted = Posted(start) if data is None else data.draw(mutated(start, service_values()))
    anonymous = Client()
    with rolled_back():
        before = set(ServicePage.objects.child_of(partner).values_list("pk", flat=True))
        response = publisher.post(add_url(partner), {**posted.data, "action-publish": "1"})
        assert response.status_code < 500
        if response.status_code == 302:
            created = ServicePage.objects.child_of(partner).exclude(pk__in=before).get()
            assert created.live and created.owner.username == "fuzz-publisher"
            assert created.depth == partner.depth + 1
            assert created.partner_type == partner.partner_type
            assert_reads_back(created, posted)
            # The published page shows whatever was saved.
            assert anonymous.get(created.url).status_code == 200
        else:
            assert_refused_on_a_changed_field(response, posted, RELATED)
            assert set(ServicePage.objects.child_of(partner).values_list("pk", flat=True)) == before


@pytest.fixture
def draft(publisher, partner) -> ServicePage:
    """A service made through the form, to be edited."""
    response = publisher.post(add_url(partner), baseline())
    assert response.status_code == 302
    return ServicePage.objects.child_of(partner).get(slug="fuzz-dienst")


def edit_baseline(service: ServicePage) -> dict:
    """The edit form of ``service`` as the browser posts it, inline rows with their ids."""
    data = baseline()
    for formset, rows in (
        ("locations", service.locations.all()),
        ("opening_hours", service.opening_hours.all()),
        ("opening_hours_exceptions", service.opening_hours_exceptions.all()),
    ):
        for index, row in enumerate(rows):
            data[f"{formset}-{index}-id"] = str(row.pk)
        data[f"{formset}-INITIAL_FORMS"] = str(len(rows))
    return data


@examples(25)
@given(data=st.data())
@example(data=None)
def test_editing_a_service_keeps_what_was_sent_in_the_draft_or_names_the_field(
    publisher, draft, data
):
    start = edit_baseline(draft)
    posted = Posted(start) if data is None else data.draw(mutated(start, service_values()))
    with rolled_back():
        response = publisher.post(reverse("wagtailadmin_pages:edit", args=(draft.pk,)), posted.data)
        assert response.status_code < 500
        if response.status_code == 302:
            saved = Page.objects.get(pk=draft.pk).specific.get_latest_revision_as_object()
            assert_reads_back(saved, posted)
        else:
            assert_refused_on_a_changed_field(response, posted, RELATED)
