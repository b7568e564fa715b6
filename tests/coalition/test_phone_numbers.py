"""Phone numbers keep their country from the editor's form, through drafts, review
and moderation, to the public page."""

import re

from django.test import Client
from django.urls import reverse

from wagtail.models import Page

import pytest

from coalition.models import PartnerAccess
from directory.models import ServicePage, WijkPage
from tests.directory.test_page_tree import service_form_data

from .helpers import admin_login, approve, moderator, staff_of

pytestmark = pytest.mark.django_db

GERMAN = "+49 30 12345678"
UKRAINIAN = "+380 44 234 5678"


def form_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
    return re.search(r'value="([^"]*)"', tag)[1]


def test_foreign_numbers_go_through_the_whole_workflow_to_the_public_page(django_user_model):
    access = (
        PartnerAccess.objects.filter(partner__live=True, may_publish_directly=False)
        .order_by("partner__path")
        .first()
    )
    editor = admin_login(staff_of(django_user_model, access, "telefoon-redactie"))
    reviewer = admin_login(staff_of(django_user_model, access, "telefoon-review", publisher=True))
    coalition = admin_login(moderator(django_user_model))
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    data = service_form_data(
        wijk, title="Bellen over de grens (test)", slug="bellen-grens", phone=GERMAN
    )
    data["whatsapp"] = UKRAINIAN

    # A draft, saved twice with what the form shows the second time.
    add = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", access.partner.pk))
    assert editor.post(add, data).status_code == 302
    page = ServicePage.objects.get(slug="bellen-grens")
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    form = editor.get(edit).content.decode()
    assert form_value(form, "phone") == GERMAN
    assert form_value(form, "whatsapp") == UKRAINIAN
    data.update(phone=form_value(form, "phone"), whatsapp=form_value(form, "whatsapp"))
    assert editor.post(edit, {**data, "action-submit": "Submit"}).status_code == 302
    revision = Page.objects.get(pk=page.pk).latest_revision
    assert (revision.content["phone"], revision.content["whatsapp"]) == (
        "+493012345678",
        "+380442345678",
    )

    # Partner review, then coalition moderation, which publishes.
    assert approve(reviewer, page).status_code == 302
    assert approve(coalition, page).status_code == 302
    page.refresh_from_db()
    assert page.live
    assert page.current_workflow_state is None
    assert (page.phone.as_e164, page.whatsapp.as_e164) == ("+493012345678", "+380442345678")

    html = Client().get(page.url).content.decode()
    assert GERMAN in html and 'href="tel:+493012345678"' in html
    assert UKRAINIAN in html and "https://wa.me/380442345678" in html


def test_dutch_numbers_are_shown_the_dutch_way(django_user_model):
    page = ServicePage.objects.live().exclude(phone="").order_by("path").first()
    page.phone = "+31307991234"
    page.save_revision().publish()
    assert "030 799 1234" in Client().get(page.url).content.decode()
    admin = admin_login(moderator(django_user_model))
    form = admin.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()
    assert form_value(form, "phone") == "030 799 1234"
