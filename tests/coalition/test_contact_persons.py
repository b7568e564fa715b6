"""Contact persons: seen by logged-in professionals, editors and moderators; absent
from every public output; gone, with their personal data, once removed."""

import json

from django.test import Client
from django.urls import reverse

from wagtail.models import ModelLogEntry

import pytest

from coalition.models import ContactPerson, PartnerAccess
from directory.models import PartnerPage

from .helpers import make_user, moderator, professional, staff_of

pytestmark = pytest.mark.django_db

NAME = "Zwaantje Kwakkelstein (test)"
PHONE = "+31307991999"
EMAIL = "zwaantje.kwakkelstein@test.voorbeeld.example"
NOTE = "Bereikbaar via de achteringang (test)"


@pytest.fixture
def person(wijk) -> ContactPerson:
    partner = (
        PartnerPage.objects.live()
        .filter(locale__language_code="nl", wijken=wijk)
        .order_by("path")
        .first()
    )
    person = ContactPerson.objects.create(
        partner=partner,
        name=NAME,
        role="Wijkconsulent",
        phone=PHONE,
        email=EMAIL,
        availability="ma–vr",
        note=NOTE,
    )
    person.wijken.set([wijk])
    return person


def personal_data_in(text: str) -> list[str]:
    return [value for value in (NAME, PHONE, "030 799 1999", EMAIL, NOTE) if value in text]


def public_outputs(client: Client, person, wijk) -> dict[str, str]:
    partner = person.partner
    outputs = {
        "partner page": client.get(partner.url),
        "wijk page": client.get(wijk.url),
        "partner page in Arabic": client.get(f"/ar{partner.url[3:]}"),
        "partner index": client.get(partner.get_parent().url),
        "sitemap index": client.get("/sitemap.xml"),
        "sitemap": client.get("/sitemap-pages.xml"),
        # The page repeats the query, so the query is a part of the name only.
        "search": client.get(reverse("search"), {"q": "Kwakkelstein"}),
        "search by role": client.get(reverse("search"), {"q": "Wijkconsulent"}),
        "suggestions": client.get(reverse("search_suggest"), {"q": "Zwaantje"}),
        "wagtail api": client.get("/api/v2/pages/"),
    }
    return {name: response.content.decode() for name, response in outputs.items()}


def test_anonymous_visitors_never_see_contact_persons_anywhere(client, person, wijk):
    for name, text in public_outputs(client, person, wijk).items():
        assert personal_data_in(text) == [], name
    # Not even the heading: the public cannot tell that contact persons exist.
    assert (
        "Contact persons for professionals" not in client.get(person.partner.url).content.decode()
    )


def test_structured_data_holds_no_contact_person(client, person):
    html = client.get(person.partner.url).content.decode()
    blocks = html.split('<script type="application/ld+json">')[1:]
    assert blocks
    for block in blocks:
        data = json.loads(block.split("</script>", 1)[0])
        assert personal_data_in(json.dumps(data, ensure_ascii=False)) == []


def test_the_search_index_documents_hold_no_contact_person(person):
    from directory.models import ServicePage
    from search.engine.documents import DocumentBuilder

    services = ServicePage.objects.live().child_of(person.partner)
    documents = [document for _page_id, _language, document in DocumentBuilder(services)]
    assert documents
    assert personal_data_in(json.dumps(documents, default=str, ensure_ascii=False)) == []


@pytest.mark.parametrize("role", ["professional", "editor", "moderator"])
def test_logged_in_professionals_editors_and_moderators_see_them(
    role, person, wijk, django_user_model
):
    if role == "professional":
        user = professional(django_user_model)
    elif role == "editor":
        other = PartnerAccess.objects.exclude(partner=person.partner).first()
        user = staff_of(django_user_model, other, "redacteur-elders")
    else:
        user = moderator(django_user_model)
    client = Client()
    client.force_login(user)
    for page in (person.partner, wijk):
        response = client.get(page.url)
        text = response.content.decode()
        assert NAME in text and EMAIL in text and NOTE in text
        # Never kept by a shared cache for the next visitor.
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]


def test_a_logged_in_user_without_the_role_sees_nothing(person, django_user_model):
    client = Client()
    client.force_login(make_user(django_user_model, "gewone-gebruiker"))
    assert personal_data_in(client.get(person.partner.url).content.decode()) == []


def test_professionals_log_in_on_the_public_site(client, person, django_user_model):
    professional(django_user_model)
    login = reverse("professional_login")
    page = client.get(login)
    assert page.status_code == 200
    wrong = client.post(login, {"username": "professional-test", "password": "fout"})
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert wrong.context["form"].data["username"] == "professional-test"
    from .helpers import PASSWORD

    right = client.post(
        login,
        {"username": "professional-test", "password": PASSWORD, "next": person.partner.url},
    )
    assert right.status_code == 302
    assert right["Location"] == person.partner.url
    assert NAME in client.get(person.partner.url).content.decode()
    client.post(reverse("professional_logout"))
    assert NAME not in client.get(person.partner.url).content.decode()


def test_removing_a_person_removes_the_personal_data_from_the_audit_trail(
    person, django_user_model
):
    admin = make_user(django_user_model, "beheer-test", superuser=True)
    client = Client()
    client.force_login(admin)
    edit = reverse("wagtailsnippets_coalition_contactperson:edit", args=(person.pk,))
    response = client.post(
        edit,
        {
            "partner": person.partner_id,
            "name": NAME,
            "role": "Wijkconsulent",
            "phone": "030 799 1999",
            "email": EMAIL,
            "availability": "",
            "note": NOTE,
            "wijken": [],
        },
    )
    assert response.status_code == 302
    delete = reverse("wagtailsnippets_coalition_contactperson:delete", args=(person.pk,))
    assert client.post(delete).status_code == 302
    assert not ContactPerson.objects.filter(pk=person.pk).exists()
    entries = ModelLogEntry.objects.filter(
        object_id=str(person.pk), content_type__model="contactperson"
    )
    assert {e.action for e in entries} >= {"wagtail.edit", "wagtail.delete"}
    for entry in entries:
        assert entry.user_id == admin.pk
        assert personal_data_in(entry.label + json.dumps(entry.data)) == []


def test_a_contact_person_needs_a_phone_or_email(person):
    from django.core.exceptions import ValidationError

    person.phone = ""
    person.email = ""
    with pytest.raises(ValidationError):
        person.full_clean()
