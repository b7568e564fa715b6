"""Bad input from editors is refused with a clear message or made safe, and a
refused form keeps everything the editor typed."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.test.utils.form_data import inline_formset, rich_text

import pytest
from PIL import Image as PILImage

from coalition.models import ContactPerson, PartnerAccess
from directory.models import ServicePage, WijkPage
from tests.directory.test_page_tree import service_form_data

from .helpers import make_user, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(partner) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=partner)


@pytest.fixture
def editor_client(access, django_user_model) -> Client:
    client = Client()
    client.force_login(staff_of(django_user_model, access, "invoerder", publisher=True))
    access.may_publish_directly = True
    access.save()
    from coalition.onboarding import apply_access

    apply_access(access)
    return client


def add_service(client, partner, **overrides):
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    data = service_form_data(wijk, **overrides)
    data["action-publish"] = "Publish"
    return client.post(
        reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk)), data
    )


def test_script_in_rich_text_never_reaches_the_public_page(editor_client, partner, client):
    body = rich_text(
        '<p>Welkom<script>alert("x")</script> <a href="javascript:alert(1)">klik</a>'
        '<b onmouseover="alert(2)">vet</b></p>'
    )
    response = add_service(editor_client, partner, body=body, slug="scripttest")
    assert response.status_code == 302
    html = client.get(ServicePage.objects.get(slug="scripttest").url).content.decode()
    assert "Welkom" in html
    # The script element and the event handler are gone; what was inside the
    # script stays as harmless text.
    assert "<script>alert" not in html and "onmouseover" not in html
    assert "javascript:" not in html


def test_a_body_posted_as_raw_html_is_kept_as_escaped_text(editor_client, partner, client):
    """Posting HTML instead of the editor's own format loses nothing and runs nothing."""
    response = add_service(
        editor_client, partner, body='Eerste alinea <script>alert("y")</script>', slug="rawhtml"
    )
    assert response.status_code == 302
    html = client.get(ServicePage.objects.get(slug="rawhtml").url).content.decode()
    assert '<script>alert("y")' not in html
    assert "Eerste alinea &lt;script&gt;alert(&quot;y&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("field", ["website", "email"])
def test_javascript_urls_and_fake_addresses_are_refused(editor_client, partner, field):
    value = "javascript:alert(1)" if field == "website" else "iemand@localhost"
    response = add_service(editor_client, partner, **{field: value}, slug="fout-adres")
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    # What the editor typed is still in the form.
    assert form["summary"].value() == "Hulp bij het invullen van formulieren van de gemeente."
    assert form[field].value() == value
    assert not ServicePage.objects.filter(slug="fout-adres").exists()


def test_direction_override_characters_in_a_title_are_refused(editor_client, partner):
    title = "Gratis hulp \u202egnilkcit\u202c (test)"
    response = add_service(editor_client, partner, title=title, slug="bidi")
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert response.context["form"]["title"].value() == title
    # The ordinary direction marks used in Arabic or Persian text stay allowed.
    response = add_service(editor_client, partner, title="خدمة \u200f(test)", slug="rlm")
    assert response.status_code == 302


def test_malformed_phone_numbers_are_refused_with_the_text_kept(editor_client, partner):
    response = add_service(editor_client, partner, phone="06-1234", slug="telefoon")
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert response.context["form"]["phone"].value() == "06-1234"


def png_bytes(size=(20, 20), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def upload_image(client, access, name, content):
    before = Image.objects.count()
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": name,
            "file": SimpleUploadedFile(name, content, content_type="image/png"),
            "collection": access.collection.pk,
            "tags": "",
        },
    )
    return response, Image.objects.count() - before


def test_a_normal_image_is_accepted(editor_client, access):
    response, added = upload_image(editor_client, access, "logo.png", png_bytes())
    assert response.status_code == 302 and added == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "kapot.png",
            b"\x89PNG\r\n\x1a\n" + b"niet echt een plaatje" * 10,
            "geldige afbeelding",
        ),
        ("bom.png", png_bytes((9000, 9000), "1"), "pixels"),
        ("groot.png", b"\x89PNG\r\n\x1a\n" + b"0" * (11 * 1024 * 1024), "te groot"),
    ],
    ids=["corrupt", "decompression-bomb", "oversized"],
)
def test_bad_images_are_refused_with_a_reason(editor_client, access, name, content, message):
    response, added = upload_image(editor_client, access, name, content)
    assert added == 0
    assert response.status_code == 200
    assert message.lower() in str(response.context["form"].errors).lower()


@pytest.mark.parametrize("name", ["virus.exe", "pagina.html", "tekening.svg", "script.js"])
def test_disallowed_document_types_are_refused(editor_client, access, name):
    before = Document.objects.count()
    response = editor_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": name,
            "file": SimpleUploadedFile(name, b"<script>alert(1)</script>"),
            "collection": access.collection.pk,
            "tags": "",
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert Document.objects.count() == before


def test_documents_are_served_by_django_with_their_collections_permissions(
    access, django_user_model, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    private = Collection.get_first_root_node().add_child(name="Alleen voor professionals (test)")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    document = Document.objects.create(
        title="Interne werkinstructie",
        file=SimpleUploadedFile("werkinstructie.pdf", b"%PDF-1.4 intern\n%%EOF\n"),
        collection=private,
    )
    assert document.url.startswith("/documents/")
    anonymous = Client().get(document.url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"] or "inloggen" in anonymous["Location"]
    # Nothing is reachable straight from the media folder.
    assert Client().get(f"/media/{document.file.name}").status_code == 404
    reader = Client()
    reader.force_login(make_user(django_user_model, "lezer"))
    response = reader.get(document.url)
    assert response.status_code == 200
    assert b"intern" in b"".join(response.streaming_content)


def test_rich_text_in_json_that_is_not_the_editors_format_is_a_form_error_on_the_field(
    editor_client, partner
):
    response = add_service(
        editor_client, partner, body='{"blocks":"nope","entityMap":[]}', slug="vreemde-json"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [error.code for error in form.errors.as_data()["body"]] == ["rich_text_format"]
    assert form["summary"].value() == "Hulp bij het invullen van formulieren van de gemeente."
    assert not ServicePage.objects.filter(slug="vreemde-json").exists()


CONTACT_PERSON = {
    "name": "Noor Bakker (test)",
    "role": "Wijkcoach",
    "phone": "030 799 1234",
    "email": "",
    "availability": "",
    "note": "",
}


def test_a_partner_editor_creates_a_contact_person_from_the_chooser(access, django_user_model):
    client = Client()
    client.force_login(staff_of(django_user_model, access, "kiezer"))
    response = client.post(
        "/admin/snippets/choose/coalition/contactperson/create/",
        {**CONTACT_PERSON, "partner": access.partner.pk},
    )
    assert response.status_code == 200
    assert response.json()["step"] == "chosen"
    assert ContactPerson.objects.filter(name="Noor Bakker (test)", partner=access.partner).exists()


def test_the_chooser_creates_no_contact_person_for_another_partner(access, django_user_model):
    other = PartnerAccess.objects.exclude(pk=access.pk).order_by("pk").first()
    client = Client()
    client.force_login(staff_of(django_user_model, access, "kiezer2"))
    response = client.post(
        "/admin/snippets/choose/coalition/contactperson/create/",
        {**CONTACT_PERSON, "partner": other.partner.pk},
    )
    assert response.status_code < 500
    assert not ContactPerson.objects.filter(name="Noor Bakker (test)").exists()


OVERRIDE = "Buurthuis \u202eeiruoF\u202c (test)"


@pytest.mark.parametrize(
    ("formset", "row", "field"),
    [
        (
            "locations",
            {
                "address": "Teststraat 1",
                "postcode": "3563 AB",
                "city": "Utrecht",
                "latitude": "52.117",
                "longitude": "5.113",
            },
            "name",
        ),
        (
            "locations",
            {
                "name": "",
                "postcode": "3563 AB",
                "city": "Utrecht",
                "latitude": "52.117",
                "longitude": "5.113",
            },
            "address",
        ),
        ("opening_hours_exceptions", {"start_date": "2026-12-25", "closed": "on"}, "note"),
    ],
)
def test_direction_overrides_in_inline_forms_are_refused(
    editor_client, partner, formset, row, field
):
    response = add_service(
        editor_client,
        partner,
        slug="bidi-inline",
        **{formset: inline_formset([{**row, field: OVERRIDE}])},
    )
    assert response.status_code == 200
    errors = response.context["form"].formsets[formset].forms[0].errors
    assert "U+202A" in str(errors[field])
    assert not ServicePage.objects.filter(slug="bidi-inline").exists()


def test_direction_overrides_in_a_contact_person_are_refused(access, django_user_model):
    client = Client()
    client.force_login(staff_of(django_user_model, access, "bidi-contact"))
    response = client.post(
        reverse("wagtailsnippets_coalition_contactperson:add"),
        {**CONTACT_PERSON, "name": OVERRIDE, "partner": access.partner.pk},
    )
    assert response.status_code == 200
    assert "U+202A" in str(response.context["form"].errors["name"])
    assert not ContactPerson.objects.filter(name=OVERRIDE).exists()


def test_a_unicode_slug_is_refused_while_unicode_slugs_are_off(editor_client, partner):
    response = add_service(editor_client, partner, slug="dïenst-ديون")
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["slug"]
    assert [error.code for error in errors] == ["slug_ascii"]
    assert "taalcafe-overvecht" in str(errors[0].message)
    assert not ServicePage.objects.filter(slug="dïenst-ديون").exists()


def test_the_image_form_says_that_images_are_always_public(editor_client, access):
    image = Image.objects.create(
        title="Openbaar beeld",
        file=SimpleUploadedFile("b.png", png_bytes()),
        collection=access.collection,
    )
    CollectionViewRestriction.objects.create(
        collection=access.collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    html = editor_client.get(reverse("wagtailimages:edit", args=(image.pk,))).content.decode()
    assert "Afbeeldingen zijn altijd openbaar" in html


ALWAYS_PUBLIC_NL = "Afbeeldingen zijn altijd openbaar"


@pytest.fixture
def restricted(access):
    CollectionViewRestriction.objects.create(
        collection=access.collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    return access.collection


def test_the_single_upload_form_says_that_images_are_always_public(editor_client, restricted):
    html = editor_client.get(reverse("wagtailimages:add")).content.decode()
    assert ALWAYS_PUBLIC_NL in html


def test_the_multiple_upload_page_says_that_images_are_always_public(editor_client, restricted):
    response = editor_client.get(reverse("wagtailimages:add_multiple"))
    assert response.status_code == 200
    assert ALWAYS_PUBLIC_NL in response.content.decode()
