"""Whether listings are still checked: reminders after six months, a flag after twelve.

A service counts as checked on its ``last_verified`` date. Editors move that date
with one action ("still correct", recorded in Wagtail's log) and publishing an
approved change moves it too, because someone has just looked at the page.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from wagtail.log_actions import log

from directory.models import ServicePage
from directory.models.service import expiry_date

from .models import PartnerAccess

STILL_CORRECT = "coalition.still_correct"


def reminder_date(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.FRESHNESS_REMIND_AFTER_DAYS)


def unchecked_services(since: datetime.date, partners=None):
    """Live Dutch services last checked before ``since``, oldest first; only those
    of the given Dutch ``partners`` when they are named."""
    services = ServicePage.objects.live().filter(
        locale__language_code=settings.LANGUAGE_CODE, last_verified__lt=since
    )
    if partners is not None:
        below = Q(pk__in=[])
        for partner in partners:
            below |= Q(path__startswith=partner.path)
        services = services.filter(below)
    return services.order_by("last_verified", "title")


@transaction.atomic
def confirm_still_correct(page: ServicePage, user) -> datetime.date:
    """Record that ``user`` checked ``page`` today, in every language version."""
    page.last_verified = _mark_checked(page)
    log(instance=page, action=STILL_CORRECT, user=user)
    return page.last_verified


def _mark_checked(page: ServicePage) -> datetime.date:
    """Today becomes the last-checked date of every language version."""
    today = timezone.localdate()
    ServicePage.objects.filter(translation_key=page.translation_key).update_listed(
        last_verified=today
    )
    return today


def mark_checked_on_publish(instance, **kwargs) -> None:
    """``page_published`` receiver: a published service has just been checked."""
    instance = getattr(instance, "specific", instance)
    if isinstance(instance, ServicePage):
        _mark_checked(instance)


def digests(today: datetime.date | None = None) -> dict[PartnerAccess, list[ServicePage]]:
    """Per onboarded partner, its services not checked for the reminder period."""
    found: dict[PartnerAccess, list[ServicePage]] = defaultdict(list)
    accesses = {
        access.partner.path: access
        for access in PartnerAccess.objects.filter(active=True).select_related("partner")
    }
    for service in unchecked_services(reminder_date(today)):
        access = accesses.get(service.path[: -ServicePage.steplen])
        if access is not None:
            found[access].append(service)
    return dict(found)


def send_digests(today: datetime.date | None = None) -> list[dict]:
    """E-mail each partner the services it has not checked for six months: its
    staff, or the partner's own address when no staff account has one."""
    today = today or timezone.localdate()
    sent = []
    for access, services in digests(today).items():
        recipients = PartnerAccess.recipients(access.partner)
        if not recipients:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "partner": access.partner,
                "services": services,
                "expiry": expiry_date(today),
                "admin_base_url": settings.WAGTAILADMIN_BASE_URL,
            }
            subject = render_to_string("coalition/email/freshness_subject.txt", context).strip()
            body = render_to_string("coalition/email/freshness_digest.txt", context)
        send_mail(subject, body, None, recipients)
        sent.append(
            {"partner": access.partner.title, "services": len(services), "recipients": recipients}
        )
    return sent
