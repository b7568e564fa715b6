"""Freshness: "last checked on" everywhere, one-click confirmation, a daily digest
after six months, a flag for moderators after twelve."""

import datetime

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wagtail.models import PageLogEntry

import pytest

from coalition import freshness
from coalition.models import PartnerAccess
from directory.models import ServicePage

from .helpers import denied, moderator, staff_of

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def age(service: ServicePage, days: int) -> ServicePage:
    ServicePage.objects.filter(translation_key=service.translation_key).update_listed(
        last_verified=days_ago(days)
    )
    service.refresh_from_db()
    return service


@pytest.fixture
def access(service) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=service.get_parent())


def test_every_service_page_says_when_it_was_last_checked(client, service):
    html = client.get(service.url).content.decode()
    assert "Last checked on" in html or "Laatst gecontroleerd op" in html


def test_an_editor_confirms_still_correct_in_one_action(service, access, django_user_model):
    age(service, 400)
    editor = staff_of(django_user_model, access, "controleur")
    client = Client()
    client.force_login(editor)
    response = client.post(reverse("coalition:still_correct", args=(service.pk,)))
    assert response.status_code == 302
    today = timezone.localdate()
    versions = ServicePage.objects.filter(translation_key=service.translation_key)
    assert {v.last_verified for v in versions} == {today}
    entry = PageLogEntry.objects.get(page=service, action=freshness.STILL_CORRECT)
    assert entry.user == editor


def test_another_partners_editor_cannot_confirm(service, access, django_user_model):
    age(service, 400)
    other = PartnerAccess.objects.exclude(pk=access.pk).first()
    client = Client()
    client.force_login(staff_of(django_user_model, other, "buitenstaander"))
    response = client.post(reverse("coalition:still_correct", args=(service.pk,)))
    assert denied(response)
    service.refresh_from_db()
    assert service.last_verified == days_ago(400)


def test_publishing_an_approved_change_counts_as_checked(service):
    age(service, 300)
    service.save_revision().publish()
    service.refresh_from_db()
    assert service.last_verified == timezone.localdate()


def test_the_daily_digest_tells_each_partner_only_about_its_own_old_services(
    service, access, django_user_model
):
    stale = age(service, 200)
    editor = staff_of(django_user_model, access, "ontvanger")
    other = PartnerAccess.objects.exclude(pk=access.pk).order_by("partner__path").first()
    staff_of(django_user_model, other, "ander")
    mail.outbox.clear()
    call_command("send_freshness_digests")  # queues the task; tests run tasks at once

    to_editor = [m for m in mail.outbox if editor.email in m.to]
    assert len(to_editor) == 1
    body = to_editor[0].body
    assert stale.title in body
    assert reverse("wagtailadmin_pages:edit", args=(stale.pk,)) in body
    expected = {
        s.title
        for s in freshness.unchecked_services(freshness.reminder_date())
        if s.path.startswith(access.partner.path)
    }
    listed = {line[2:].rsplit(" (", 1)[0] for line in body.splitlines() if line.startswith("- ")}
    assert listed == expected
    # Every message goes to one partner's staff only.
    for message in mail.outbox:
        assert len(message.to) >= 1
        assert not (editor.email in message.to and "ander@" in " ".join(message.to))


def test_recently_checked_services_are_not_in_the_digest(service, access):
    age(service, 10)
    assert service.pk not in {s.pk for s in freshness.digests().get(access, [])}


def test_moderators_see_year_old_services_flagged_on_the_dashboard(service, django_user_model):
    age(service, 400)
    client = Client()
    client.force_login(moderator(django_user_model))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    flagged = html.split('id="unchecked-services-heading"', 1)[1]
    assert 'data-flag="expired"' in flagged
    assert service.title in flagged


def test_partner_editors_see_their_own_stale_listings_on_the_dashboard(
    service, access, django_user_model
):
    age(service, 200)
    client = Client()
    client.force_login(staff_of(django_user_model, access, "dashboardlezer"))
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = html.split('id="unchecked-services-heading"', 1)[1]
    assert service.title in panel
    assert reverse("coalition:still_correct", args=(service.pk,)) in panel


def test_a_setting_hides_year_old_services_from_residents(client, settings, service, wijk):
    age(service, 400)
    assert client.get(service.url).status_code == 200
    settings.FRESHNESS_EXPIRED_STAY_PUBLIC = False
    assert client.get(service.url).status_code == 404
    listing = client.get(service.get_parent().url).content.decode()
    assert service.title not in listing
    results = client.get(reverse("search"), {"q": service.title}).content.decode()
    assert f'href="{service.url}"' not in results
