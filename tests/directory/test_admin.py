"""The editors' side: logging in, opening the editor, the lists, the admin account."""

from django.core.management import call_command
from django.urls import reverse

import pytest

from directory.models import Audience, Language, Municipality, Theme

pytestmark = pytest.mark.django_db


def test_an_editor_can_log_in_to_the_admin(client, django_user_model):
    django_user_model.objects.create_superuser("redacteur", "r@example.com", "geheim-wachtwoord")
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "redacteur", "password": "geheim-wachtwoord"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["user"].is_authenticated


def test_the_editor_opens_every_demo_page_type(admin_client, service, partner, wijk):
    for page in (service, partner, wijk, wijk.get_parent(), partner.get_parent()):
        response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200, page


@pytest.mark.parametrize("model", [Theme, Audience, Language, Municipality])
def test_the_lists_are_managed_as_snippets(admin_client, model):
    url = reverse(f"wagtailsnippets_directory_{model._meta.model_name}:list")
    response = admin_client.get(url, {"locale": "nl"} if hasattr(model, "locale") else {})
    assert response.status_code == 200
    listed = model.objects.all()
    if hasattr(model, "locale"):
        listed = listed.filter(locale__language_code="nl")  # the list shows the default language
    assert listed.order_by("name").first().name.encode() in response.content


def test_ensure_admin_creates_one_account_and_prints_the_same_password(
    settings, tmp_path, capsys, django_user_model
):
    settings.BASE_DIR = tmp_path
    call_command("ensure_admin", username="beheer")
    first = capsys.readouterr().out
    call_command("ensure_admin", username="beheer")
    second = capsys.readouterr().out
    password = (tmp_path / "var" / "admin-password.txt").read_text().strip()
    assert password in first
    assert password in second
    assert django_user_model.objects.get(username="beheer").check_password(password)


def test_the_sitemap_lists_public_pages(client, service):
    response = client.get("/sitemap-pages.xml")
    assert response.status_code == 200
    assert service.url.encode() in response.content
