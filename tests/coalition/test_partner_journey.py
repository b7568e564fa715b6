"""A partner onboarded by the command publishes its first service through review and
moderation, while another partner's editor is refused at every step."""

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wagtail.models import PageLogEntry

import pytest

from coalition.models import PartnerAccess
from directory.models import PartnerPage, ServicePage, WijkPage
from tests.directory.test_page_tree import service_form_data

from .helpers import admin_login, approve, denied, make_user, moderator, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(django_user_model, capsys):
    make_user(django_user_model, "eva-redactie")
    call_command(
        "onboard_partner",
        "Stichting Nieuwe Buren (test)",
        "--type",
        "welzijn",
        "--editor",
        "eva-redactie",
    )
    assert "onboarded" in capsys.readouterr().out
    return PartnerAccess.objects.get(partner__title="Stichting Nieuwe Buren (test)")


def test_the_command_creates_page_groups_collection_and_workflow(newcomer):
    partner = newcomer.partner
    assert not partner.live
    assert partner.get_parent().specific_class.__name__ == "PartnerIndexPage"
    assert newcomer.editors.user_set.filter(username="eva-redactie").exists()
    assert newcomer.collection.name == partner.title
    assert [t.name for t in newcomer.workflow.tasks] == [
        "Partnerreview Stichting Nieuwe Buren (test)",
        "Coalitiemoderatie",
    ]
    assert partner.get_workflow() == newcomer.workflow
    editor = newcomer.editors.user_set.get()
    assert partner.permissions_for_user(editor).can_edit()
    assert not partner.permissions_for_user(editor).can_publish()


def test_onboarding_twice_repairs_and_duplicates_nothing(newcomer):
    call_command("onboard_partner", "--existing", newcomer.partner.slug)
    assert PartnerAccess.objects.filter(partner=newcomer.partner).count() == 1
    assert PartnerPage.objects.filter(slug=newcomer.partner.slug).count() == 1


def test_bad_onboarding_input_is_refused_with_a_reason(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="type"):
        call_command("onboard_partner", "Zonder type")
    with pytest.raises(CommandError, match="No active user"):
        call_command("onboard_partner", "X", "--type", "welzijn", "--editor", "niemand")
    existing = PartnerPage.objects.filter(locale__language_code="nl").first()
    # In the site's language, like the admin's form below.
    with translation.override("nl"), pytest.raises(CommandError, match="bestaat al een partner"):
        call_command("onboard_partner", existing.title, "--type", "welzijn")


def test_first_service_goes_from_editor_through_moderation_to_the_public_site(
    newcomer, django_user_model
):
    editor = newcomer.editors.user_set.get()
    boss = moderator(django_user_model)
    other_access = PartnerAccess.objects.exclude(pk=newcomer.pk).order_by("partner__path").first()
    intruder = staff_of(django_user_model, other_access, "indringer")
    partner = newcomer.partner
    wijk = WijkPage.objects.get(cbs_code="WK034403", locale__language_code="nl")

    eva, mod, other = admin_login(editor), admin_login(boss), admin_login(intruder)

    # The intruder cannot even open the new partner's page or add below it.
    assert denied(other.get(reverse("wagtailadmin_pages:edit", args=(partner.pk,))))
    add_url = reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk))
    assert denied(other.get(add_url))

    # The editor completes the partner page and submits it.
    edit_partner = reverse("wagtailadmin_pages:edit", args=(partner.pk,))
    response = eva.post(
        edit_partner,
        {
            "title": partner.title,
            "slug": partner.slug,
            "partner_type": "welzijn",
            "description": '{"blocks":[],"entityMap":{}}',
            "website": "",
            "phone": "030 799 5555",
            "email": "",
            "wijken": [wijk.pk],
            "action-submit": "Submit",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    # ...and her first service, with hours and a location.
    data = service_form_data(wijk, title="Taalcafé Nieuwe Buren (test)", slug="taalcafe-nb")
    data["action-submit"] = "Submit"
    mail.outbox.clear()
    response = eva.post(add_url, data)
    assert response.status_code == 302, response.context["form"].errors
    service = ServicePage.objects.get(slug="taalcafe-nb")
    assert not service.live
    assert service.current_workflow_state.current_task_state.task.name.startswith("Partnerreview")
    # The people who can approve the first step hear about it.
    assert any(boss.email in message.to for message in mail.outbox)

    # The intruder can neither edit, approve nor publish it.
    assert denied(other.get(reverse("wagtailadmin_pages:edit", args=(service.pk,))))
    assert denied(approve(other, service))
    assert denied(
        other.post(
            reverse("wagtailadmin_pages:edit", args=(service.pk,)),
            {**data, "action-publish": "Publish"},
        )
    )
    service.refresh_from_db()
    assert not service.live

    # The moderator approves partner review and coalition moderation, for both pages.
    for page in (partner, service):
        for _step in range(2):
            assert approve(mod, page).status_code == 302
    service.refresh_from_db()
    partner.refresh_from_db()
    assert partner.live and service.live

    public = Client()  # an anonymous visitor
    response = public.get(service.url)
    assert response.status_code == 200
    assert "Taalcafé Nieuwe Buren (test)" in response.content.decode()
    search = public.get(reverse("search"), {"q": "Taalcafé Nieuwe Buren"})
    assert "Taalcafé Nieuwe Buren (test)" in search.content.decode()

    # Every step is in Wagtail's log, with who did it.
    logged = {(e.action, e.user_id) for e in PageLogEntry.objects.filter(page=service)}
    assert ("wagtail.create", editor.pk) in logged
    assert ("wagtail.workflow.start", editor.pk) in logged
    assert ("wagtail.workflow.approve", boss.pk) in logged
    assert ("wagtail.publish", boss.pk) in logged


def test_removing_a_partners_editor_access_is_one_step(newcomer, capsys):
    editor = newcomer.editors.user_set.get()
    client = admin_login(editor)
    edit = reverse("wagtailadmin_pages:edit", args=(newcomer.partner.pk,))
    assert client.get(edit).status_code == 200
    call_command("revoke_partner_access", newcomer.partner.slug)
    assert "eva-redactie" in capsys.readouterr().out
    assert denied(client.get(edit))
    assert not newcomer.partner.permissions_for_user(editor).can_edit()
    # Onboarding again restores the page rights (staff are added anew).
    call_command("onboard_partner", "--existing", newcomer.partner.slug)
    newcomer.refresh_from_db()
    assert newcomer.active


def test_an_administrator_onboards_a_partner_from_the_admin(django_user_model):
    admin = make_user(django_user_model, "coalitiebeheer", superuser=True)
    anna = make_user(django_user_model, "anna")
    client = admin_login(admin)
    response = client.post(
        reverse("coalition:onboard"),
        {
            "title": "Wijkcentrum De Brug (test)",
            "partner_type": "welzijn",
            "may_publish_directly": "on",
            "editors": [anna.pk],
        },
    )
    assert response.status_code == 302
    access = PartnerAccess.objects.get(partner__title="Wijkcentrum De Brug (test)")
    assert access.may_publish_directly
    assert anna in access.editors.user_set.all()
    listing = client.get(reverse("coalition:partners")).content.decode()
    assert "Wijkcentrum De Brug (test)" in listing


def test_a_duplicate_partner_name_is_refused_in_the_admin_with_the_input_kept(
    django_user_model,
):
    client = admin_login(make_user(django_user_model, "beheerder2", superuser=True))
    existing = PartnerPage.objects.filter(locale__language_code="nl").first()
    response = client.post(
        reverse("coalition:onboard"), {"title": existing.title, "partner_type": "welzijn"}
    )
    assert response.status_code == 200
    assert f"Er bestaat al een partner met de naam “{existing.title}”" in response.content.decode()
    assert response.context["form"]["title"].value() == existing.title


def test_only_administrators_onboard_partners(newcomer, django_user_model):
    client = admin_login(moderator(django_user_model))
    assert denied(client.get(reverse("coalition:onboard")))
    assert denied(client.post(reverse("coalition:revoke", args=(newcomer.pk,))))
    newcomer.refresh_from_db()
    assert newcomer.active


def test_no_partner_group_can_add_or_change_users(db):
    for access in PartnerAccess.objects.all():
        for group in (access.editors, access.publishers):
            codenames = set(group.permissions.values_list("codename", flat=True))
            assert not codenames & {
                "add_user",
                "change_user",
                "delete_user",
                "add_group",
                "change_group",
            }
