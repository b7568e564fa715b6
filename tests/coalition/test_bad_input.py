"""Bad input from editors is refused with a clear message or made safe, and a
refused form keeps everything the editor typed."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.test.utils.form_data import rich_text

import pytest
from PIL import Image as PILImage

from coalition.models import PartnerAccess
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
