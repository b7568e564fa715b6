"""Everything that happens to a partner's pages is in Wagtail's log with who and
when, and moderators list it per partner and period; they also see the queue."""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Locale, PageLogEntry

import pytest

from coalition.models import PartnerAccess
from directory.models import ServicePage

from .helpers import denied, moderator, staff_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def access(partner) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=partner)


def test_edit_submit_reject_publish_unpublish_move_delete_and_translate_are_logged(
    service, access, django_user_model
):
    editor = staff_of(django_user_model, access, "logboek-redacteur")
    boss = moderator(django_user_model)
    page = service.copy(
        to=access.partner,
        update_attrs={"title": "Logboek (test)", "slug": "logboek-test"},
        user=editor,
    )
    page = ServicePage.objects.get(pk=page.pk)
    page.save_revision(user=editor, log_action=True)
    workflow = page.get_workflow()
    workflow.start(page, editor)
    page.refresh_from_db()
    task_state = page.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, boss, "reject")
    page.save_revision(user=boss).publish(user=boss)
    page.unpublish(user=boss)
    other_partner = PartnerAccess.objects.exclude(pk=access.pk).first().partner
    page.move(other_partner, pos="last-child", user=boss)
    page.refresh_from_db()
    translator = Client()
    translator.force_login(boss)
    turkish = Locale.objects.get(language_code="tr")
    response = translator.post(
        reverse("wagtail_localize:submit_page_translation", args=(page.pk,)),
        {"locales": [turkish.pk]},
    )
    assert response.status_code == 302
    translation = page.get_translation(turkish)
    logged = {
        (entry.action, entry.user_id)
        for entry in PageLogEntry.objects.filter(page_id__in=[page.pk, translation.pk])
    }
    for expected in [
        ("wagtail.copy", editor.pk),
        ("wagtail.edit", editor.pk),
        ("wagtail.workflow.start", editor.pk),
        ("wagtail.workflow.reject", boss.pk),
        ("wagtail.publish", boss.pk),
        ("wagtail.unpublish", boss.pk),
        ("wagtail.copy_for_translation", boss.pk),
        ("wagtail.move", boss.pk),
    ]:
        assert expected in logged
    pk = page.pk
    page.delete(user=boss)
    assert PageLogEntry.objects.filter(page_id=pk, action="wagtail.delete", user=boss).exists()


def test_moderators_list_changes_per_partner_and_period(service, access, django_user_model):
    editor = staff_of(django_user_model, access, "wijziger")
    service.save_revision(user=editor, log_action=True)
    other = PartnerAccess.objects.exclude(pk=access.pk).order_by("partner__path").first()
    other_service = ServicePage.objects.child_of(other.partner).first()
    other_service.save_revision(user=editor, log_action=True)
    client = Client()
    client.force_login(moderator(django_user_model))
    today = timezone.localdate()
    response = client.get(
        reverse("coalition:changes"),
        {"partner": access.pk, "since": today.isoformat(), "until": today.isoformat()},
    )
    assert response.status_code == 200
    entries = list(response.context["entries"])
    assert entries
    versions = [p.path for p in access.partner.get_translations(inclusive=True)]
    assert all(any(e.page.path.startswith(v) for v in versions) for e in entries)
    assert any(e.page_id == service.pk and e.user_id == editor.pk for e in entries)
    assert all(e.page_id != other_service.pk for e in entries)
    # Yesterday had none of today's changes.
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    earlier = client.get(
        reverse("coalition:changes"), {"partner": access.pk, "since": yesterday, "until": yesterday}
    )
    assert all(
        e.page_id != service.pk or e.timestamp.date() < today for e in earlier.context["entries"]
    )


def test_a_period_that_ends_before_it_starts_is_explained(django_user_model):
    client = Client()
    client.force_login(moderator(django_user_model))
    response = client.get(
        reverse("coalition:changes"), {"since": "2026-05-01", "until": "2026-04-01"}
    )
    assert response.status_code == 200
    assert "until" in response.context["form"].errors


def test_partner_editors_cannot_list_changes_or_the_queue(access, django_user_model):
    client = Client()
    client.force_login(staff_of(django_user_model, access, "nieuwsgierig"))
    assert denied(client.get(reverse("coalition:changes")))
    assert denied(client.get(reverse("coalition:moderation_queue")))


def test_moderators_see_the_queue_per_partner(service, access, django_user_model):
    editor = staff_of(django_user_model, access, "indiener")
    service.save_revision(user=editor)
    service.get_workflow().start(service, editor)
    client = Client()
    client.force_login(moderator(django_user_model))
    response = client.get(reverse("coalition:moderation_queue"))
    assert response.status_code == 200
    groups = dict(response.context["groups"])
    assert [item["page"].pk for item in groups[access.partner.title]] == [service.pk]


def test_a_longer_queue_costs_no_extra_queries(access, django_user_model):
    editor = staff_of(django_user_model, access, "indiener")
    waiting = list(ServicePage.objects.child_of(access.partner).live().order_by("path")[:3])
    client = Client()
    client.force_login(moderator(django_user_model))

    def queue_queries(pages) -> int:
        for page in pages:
            page.save_revision(user=editor)
            page.get_workflow().start(page, editor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("coalition:moderation_queue"))
        assert sum(len(items) for _label, items in response.context["groups"]) >= len(pages)
        return len(queries)

    one = queue_queries(waiting[:1])
    assert len(waiting) > 1
    assert queue_queries(waiting[1:]) == one
