"""Image and document uploads by a partner's editor with generated files, names
and fields: never a server error; either stored in the partner's collection
with the title sent, or the form names the field it refuses.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wagtail.documents.models import Document
from wagtail.images.models import Image

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from coalition.models import PartnerAccess
from tests.coalition.helpers import staff_of

from .forms import rolled_back
from .strategies import examples, nasty_text, text_input, wrong_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(partner) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=partner)


@pytest.fixture
def editor(access, django_user_model) -> Client:
    client = Client()
    client.force_login(staff_of(django_user_model, access, "fuzz-uploader"))
    return client


@st.composite
def picture(draw) -> bytes:
    """A small real picture in one of the formats Pillow writes."""
    image_format, modes = draw(
        st.sampled_from(
            [
                ("PNG", ["RGB", "RGBA", "L", "1", "P"]),
                ("JPEG", ["RGB", "L", "CMYK"]),
                ("GIF", ["P", "L"]),
                ("WEBP", ["RGB", "RGBA"]),
                ("BMP", ["RGB", "1"]),
                ("TIFF", ["RGB", "L"]),
            ]
        )
    )
    mode = draw(st.sampled_from(modes))
    size = (draw(st.integers(1, 64)), draw(st.integers(1, 64)))
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, image_format)
    return buffer.getvalue()


@st.composite
def damaged(draw, content: st.SearchStrategy[bytes]) -> bytes:
    data = draw(content)
    how = draw(st.sampled_from(["keep", "keep", "truncate", "flip", "prefix", "append"]))
    if how == "truncate":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if how == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    if how == "prefix":
        return (
            draw(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8\xff", b"%PDF-1.4"]))
            + data
        )
    if how == "append":
        return data + draw(st.binary(max_size=200))
    return data


def file_name(extensions: list[str]) -> st.SearchStrategy[str]:
    stem = st.one_of(
        st.sampled_from(["logo", "foto", "..", ".htaccess", "a" * 250, "con", "x.png"]),
        nasty_text(40).map(lambda text: text.replace("/", "_").replace("\\", "_")),
    )
    extension = st.sampled_from(extensions) | st.from_regex(r"[A-Za-z0-9]{0,6}", fullmatch=True)
    # Django's test client itself refuses a file called "", "." or "..".
    return st.builds(lambda s, e: f"{s}.{e}" if e else s, stem, extension).map(
        lambda name: name if name.strip() not in ("", ".", "..") else "leeg"
    )


def upload_fields(draw, access, content, extensions) -> tuple[dict, str]:
    title = draw(st.one_of(st.just("Foto van het buurthuis"), text_input(300)), label="title")
    name = draw(file_name(extensions), label="file name")
    collection = draw(
        st.sampled_from([str(access.collection.pk)]) | wrong_number(), label="collection"
    )
    content_type = draw(
        st.sampled_from(["image/png", "image/jpeg", "application/pdf", "text/html", ""]),
        label="content type",
    )
    data = {
        "title": title,
        "file": SimpleUploadedFile(name, draw(content, label="file"), content_type=content_type),
        "collection": collection,
        "tags": draw(
            st.one_of(st.just(""), text_input(80), st.just('a, "b c", ,,,')), label="tags"
        ),
    }
    return data, name


def assert_stored_or_refused(response, model, data, access, before):
    assert response.status_code < 500
    added = model.objects.exclude(pk__in=before)
    if response.status_code == 302:
        stored = added.get()
        assert stored.title == data["title"].strip()
        assert stored.collection_id == access.collection.pk
    else:
        assert response.status_code == 200
        assert not added.exists()
        form = response.context["form"]
        assert {name for name, errors in form.errors.items() if errors} & {
            "title",
            "file",
            "collection",
            "tags",
        }, form.errors


@examples(150)
@given(data=st.data())
def test_an_image_upload_is_stored_or_refused_with_a_reason(editor, access, data):
    content = damaged(st.one_of(picture(), st.binary(max_size=300)))
    fields, _name = upload_fields(data.draw, access, content, ["png", "jpg", "gif", "webp", "svg"])
    with rolled_back():
        before = set(Image.objects.values_list("pk", flat=True))
        response = editor.post(reverse("wagtailimages:add"), fields)
        assert_stored_or_refused(response, Image, fields, access, before)


@examples(80)
@given(data=st.data())
def test_the_multiple_image_upload_answers_json_for_any_file(editor, access, data):
    content = damaged(st.one_of(picture(), st.binary(max_size=300)))
    name = data.draw(file_name(["png", "jpg", "gif", "webp", "heic"]), label="file name")
    with rolled_back():
        before = Image.objects.count()
        response = editor.post(
            reverse("wagtailimages:add_multiple"),
            {
                "files[]": SimpleUploadedFile(name, data.draw(content, label="file")),
                "collection": data.draw(
                    st.sampled_from([str(access.collection.pk)]) | wrong_number(),
                    label="collection",
                ),
            },
        )
        assert response.status_code < 500
        answer = response.json() if response.status_code == 200 else {"success": False}
        assert Image.objects.count() == before + (1 if answer["success"] else 0)


def document_content() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=400),
        st.sampled_from(
            [b"%PDF-1.4\n%%EOF\n", b"PK\x03\x04", b"naam;adres\n", b"{\\rtf1}", b"", b"\x00" * 64]
        ),
        text_input(2000).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )


@examples(150)
@given(data=st.data())
def test_a_document_upload_is_stored_or_refused_with_a_reason(editor, access, data):
    fields, _name = upload_fields(
        data.draw, access, document_content(), ["pdf", "docx", "csv", "txt", "PDF", "exe", "html"]
    )
    with rolled_back():
        before = set(Document.objects.values_list("pk", flat=True))
        response = editor.post(reverse("wagtaildocs:add"), fields)
        assert_stored_or_refused(response, Document, fields, access, before)
