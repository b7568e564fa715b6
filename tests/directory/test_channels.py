"""A service's ways to reach it: each with its languages and its own hours,
checked as the service's own contact fields are, chosen by an editor in the
page editor and shown to residents in their language."""

import re

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import translation

from wagtail.test.utils.form_data import inline_formset

import pytest

from directory.choices import ChannelKind
from directory.models import Language, PartnerPage, ServiceChannel, ServicePage, WijkPage
from tests.directory.test_page_tree import service_form_data


def channel(kind, value="", **fields) -> ServiceChannel:
    return ServiceChannel(kind=kind, value=value, **fields)


class ChannelValidation(SimpleTestCase):
    def setUp(self):
        # The messages are compared in English, the language they are written in.
        override = translation.override("en")
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)

    def test_a_phone_number_is_stored_in_e164_however_it_was_typed(self):
        for kind in (ChannelKind.PHONE, ChannelKind.WHATSAPP):
            row = channel(kind, "06 1234 5602")
            row.clean()
            self.assertEqual(row.value, "+31612345602")
        row = channel(ChannelKind.PHONE, "+32 2 555 12 12")
        row.clean()
        self.assertEqual(row.value, "+3225551212")

    def test_a_value_that_is_not_what_its_kind_needs_is_refused_in_plain_words(self):
        wrong = [
            (ChannelKind.PHONE, "12", "phone number"),
            (ChannelKind.WHATSAPP, "bel ons", "phone number"),
            (ChannelKind.EMAIL, "info@localhost", "full domain"),
            (ChannelKind.EMAIL, "geen adres", "valid email"),
            (ChannelKind.VIDEO, "ftp://beeld.example.nl/", "https://"),
            (ChannelKind.VIDEO, "https://localhost/bellen", "public web address"),
            (ChannelKind.PHONE, "", "Give the phone number"),
            (ChannelKind.DESK, "030 123 4567", "leave this empty"),
            (ChannelKind.INTERPRETER, "tolk@example.nl", "leave this empty"),
        ]
        for kind, value, message in wrong:
            with self.subTest(kind=kind, value=value):
                with self.assertRaises(ValidationError) as caught:
                    channel(kind, value).clean()
                self.assertIn(message, " ".join(caught.exception.message_dict["value"]))

    def test_each_kind_accepts_what_it_needs(self):
        right = [
            (ChannelKind.EMAIL, "post@nieuwthuis.voorbeeld.example"),
            (ChannelKind.VIDEO, "https://beeldbellen.voorbeeld.example/geldzaken"),
            (ChannelKind.DESK, ""),
            (ChannelKind.INTERPRETER, ""),
        ]
        for kind, value in right:
            with self.subTest(kind=kind):
                channel(kind, value).clean()

    def test_only_a_desk_is_at_a_location(self):
        row = channel(ChannelKind.PHONE, "030 123 4567")
        row.location_key = "8c1d5c1e-8f35-4f43-9f0e-1f1f6a6c2a10"
        with self.assertRaises(ValidationError) as caught:
            row.clean()
        self.assertIn("location_key", caught.exception.message_dict)


@pytest.fixture
def intake(db) -> ServicePage:
    """The demo's "Arabic by WhatsApp, Tigrinya at the desk on Tuesdays"."""
    return ServicePage.objects.get(slug="spreekuur-inburgeringsplan", locale__language_code="nl")


def channel_items(html: str) -> list[str]:
    return re.findall(r'<li class="ww-channel[^"]*">(.*?)</li>', html, re.S)


@pytest.mark.django_db
def test_the_service_page_lists_each_way_with_its_link_languages_and_hours(client, intake):
    html = client.get(intake.url).content.decode()
    items = channel_items(html)
    assert len(items) == intake.channels.count() == 4
    whatsapp, desk, phone, interpreter = items
    assert '<a class="utrecht-link" href="https://wa.me/31612345602" dir="ltr"' in whatsapp
    assert 'Arabisch (<span lang="ar" dir="auto">العربية</span>)' in whatsapp
    assert "Wijkcentrum De Voorbeeldhof" in desk
    assert "Tigrinya" in desk and "dinsdag 9.30–12.00" in desk
    assert 'href="tel:+31307991082"' in phone and ">030 799 1082<" in phone
    assert "Interpreter" not in interpreter  # the page is in Dutch
    assert "Tolk op verzoek" in interpreter


@pytest.mark.django_db
def test_in_arabic_languages_are_named_in_arabic_and_the_dutch_note_is_marked(client):
    post = ServicePage.objects.get(slug="spreekuur-brieven-en-post", locale__language_code="ar")
    html = client.get(post.url).content.decode()
    items = channel_items(html)
    assert len(items) == 4
    phone, whatsapp, desk, _email = items
    assert "العربية" in whatsapp
    # Arabic in Arabic needs no second name; Tigrinya is named in Arabic, then in its own.
    assert 'lang="ar"' not in whatsapp
    assert 'التغرينية (<span lang="ti" dir="auto">ትግርኛ</span>)' in desk
    assert '<dd lang="nl" dir="ltr">do 9.30–12.00</dd>' in desk
    # Numbers stay left to right on a right-to-left page.
    assert 'href="https://wa.me/31612345618" dir="ltr"' in whatsapp
    assert 'href="tel:+31307991564" dir="ltr"' in phone


@pytest.mark.django_db
def test_a_service_without_channels_shows_no_empty_list(client):
    page = ServicePage.objects.live().filter(channels__isnull=True, locale__language_code="nl")[0]
    assert "ww-channels" not in client.get(page.url).content.decode()


@pytest.mark.django_db
def test_the_editor_chooses_a_desks_location_among_the_pages_saved_locations(admin_client, intake):
    html = admin_client.get(reverse("wagtailadmin_pages:edit", args=(intake.pk,))).content.decode()
    select = re.search(r'<select name="channels-1-location_key".*?</select>', html, re.S).group(0)
    for location in intake.locations.all():
        assert f'value="{location.hsds_id}"' in select
    desk = intake.channels.get(kind="desk")
    assert re.search(rf'value="{desk.location_key}"\s+selected', select)
    assert "Ways to reach us" in html or "Manieren om ons te bereiken" in html


@pytest.mark.django_db
def test_an_editor_adds_arabic_by_whatsapp_and_it_is_published(admin_client):
    partner = PartnerPage.objects.filter(locale__language_code="nl").order_by("path").first()
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    arabic, tigrinya = Language.objects.get(code="ar"), Language.objects.get(code="ti")
    data = service_form_data(
        wijk,
        slug="whatsapp-test",
        channels=inline_formset([{"kind": "whatsapp", "value": "06-12345699", "hours_note": ""}]),
    )
    data["channels-0-languages"] = [arabic.pk, tigrinya.pk]
    data["action-publish"] = "action-publish"
    url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["form"].formsets["channels"].errors
    page = ServicePage.objects.get(slug="whatsapp-test")
    row = page.channels.get()
    assert (row.kind, row.value) == ("whatsapp", "+31612345699")
    assert set(row.languages.values_list("code", flat=True)) == {"ar", "ti"}


@pytest.mark.django_db
def test_a_wrong_number_on_a_channel_is_an_error_on_that_row(admin_client):
    partner = PartnerPage.objects.filter(locale__language_code="nl").order_by("path").first()
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    data = service_form_data(
        wijk,
        slug="whatsapp-wrong",
        channels=inline_formset([{"kind": "phone", "value": "bel ons", "hours_note": ""}]),
    )
    data["channels-0-languages"] = [Language.objects.get(code="ar").pk]
    url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].formsets["channels"].forms[0].errors
    assert errors["value"]
    assert not ServicePage.objects.filter(slug="whatsapp-wrong").exists()
