"""A page's old address leads to the page, never back to the same address."""

from django.test import Client
from django.urls import reverse

from wagtail.contrib.redirects.models import Redirect

import pytest

from directory.models import ServicePage, WijkPage
from tests.coalition.helpers import make_user
from tests.directory.test_page_tree import service_form_data

pytestmark = pytest.mark.django_db


def test_a_slug_changed_and_changed_back_does_not_redirect_to_itself(
    partner, django_user_model, django_capture_on_commit_callbacks
):
    admin = Client()
    admin.force_login(make_user(django_user_model, "slugwisselaar", superuser=True))
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")
    add = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(add, service_form_data(wijk, slug="heen")).status_code == 302
    page = ServicePage.objects.get(slug="heen")
    first_address = page.get_url_parts()[2]
    edit = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    for slug in ("terug", "heen"):
        with django_capture_on_commit_callbacks(execute=True):
            assert admin.post(edit, service_form_data(wijk, slug=slug)).status_code == 302
    page.refresh_from_db()
    assert page.slug == "heen" and not page.live
    # The intermediate address still leads to the page...
    assert Redirect.objects.filter(old_path__endswith="/terug", redirect_page=page).exists()
    # ...but its own address does not lead to itself.
    assert not Redirect.objects.filter(
        old_path=Redirect.normalise_path(first_address), redirect_page=page
    ).exists()
    assert Client().get(first_address).status_code == 404
