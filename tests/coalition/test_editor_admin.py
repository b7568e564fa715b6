"""The admin around a partner's editor: the submit action in sight, services that open
in the editor from the explorer menu, an avatar that loads."""

import re

from django.urls import reverse

import pytest

from coalition.models import PartnerAccess
from directory.models import ServicePage

from .helpers import admin_login, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(db) -> PartnerAccess:
    return PartnerAccess.objects.order_by("partner__path").first()


@pytest.fixture
def own_service(access) -> ServicePage:
    return ServicePage.objects.child_of(access.partner).order_by("path").first()


@pytest.fixture
def editor(django_user_model, access):
    """A partner's editor, without the right to publish."""
    return staff_of(django_user_model, access, "redacteur-test")


def footer_actions(html: str) -> list[str]:
    """The names of the editor footer's actions, the visible (default) one first."""
    footer = html[html.index("<footer") :]
    actions = []
    for button in re.findall(r"<button[^>]*>", footer[: footer.index("</footer>")]):
        named = re.search(r'name="(action-[\w-]+)"', button)
        if named:
            actions.append(named.group(1))
        elif "action-save" in button:  # Wagtail's "Save draft" has no name
            actions.append("action-save-draft")
    return actions


def test_an_editor_who_cannot_publish_sees_submit_as_the_first_action(editor, own_service):
    assert not own_service.permissions_for_user(editor).can_publish()
    response = admin_login(editor).get(reverse("wagtailadmin_pages:edit", args=(own_service.pk,)))
    actions = footer_actions(response.content.decode())
    assert actions[0] == "action-submit"
    assert "action-save-draft" in actions[1:]


def test_the_submit_action_is_first_on_a_new_service_too(editor, access):
    url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", access.partner.pk))
    actions = footer_actions(admin_login(editor).get(url).content.decode())
    assert actions[0] == "action-submit"


def test_who_may_publish_keeps_wagtails_order(admin_client, own_service):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(own_service.pk,)))
    actions = footer_actions(response.content.decode())
    assert actions[0] == "action-save-draft"
    assert "action-publish" in actions[1:]


def test_a_service_in_the_explorer_opens_in_the_editor(editor, own_service):
    response = admin_login(editor).get(reverse("wagtailadmin_explore", args=(own_service.pk,)))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=(own_service.pk,))


def test_a_partner_in_the_explorer_still_lists_its_services(editor, access, own_service):
    response = admin_login(editor).get(reverse("wagtailadmin_explore", args=(access.partner.pk,)))
    assert response.status_code == 200
    assert own_service.title in response.content.decode()


def test_the_explorer_sends_no_one_to_an_editor_they_may_not_use(django_user_model, own_service):
    other = PartnerAccess.objects.exclude(partner=own_service.get_parent()).first()
    outsider = staff_of(django_user_model, other, "buitenstaander-test")
    response = admin_login(outsider).get(reverse("wagtailadmin_explore", args=(own_service.pk,)))
    assert response.get("Location") != reverse("wagtailadmin_pages:edit", args=(own_service.pk,))


def test_the_avatar_on_the_dashboard_is_a_file_of_our_own_that_loads(editor):
    client = admin_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    sources = re.findall(r'class="avatar[^"]*"[^>]*>\s*<img src="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith("/static/"), source
        image = client.get(source)
        assert image.status_code == 200
        assert image["Content-Type"] == "image/png"
