"""Residents' corrections to a listing ("Klopt er iets niet?"): the form's time
stamp, who hears of a suggestion, and how long it is kept.

No third-party captcha: a robot is recognised by a hidden field it fills in
(``forms.SuggestionForm``), by sending the form within seconds of opening it, and
by the per-address rate limit (``RATELIMIT_CORRECTION``).
"""

import datetime
import logging
import time

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from directory.models import PartnerPage, ServicePage

from .models import PartnerAccess, Suggestion, SuggestionStatus

logger = logging.getLogger(__name__)

STAMP_SALT = "coalition.suggestion.stamp"


class StampError(Exception):
    """The form's time stamp is missing, forged, too fresh or too old."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def stamp(service_id: int, issued: float | None = None) -> str:
    """A signed note of when the form for ``service_id`` was handed out."""
    return signing.dumps(
        {"service": service_id, "issued": time.time() if issued is None else issued},
        salt=STAMP_SALT,
    )


def check_stamp(value: str, service_id: int, now: float | None = None) -> None:
    now = time.time() if now is None else now
    try:
        data = signing.loads(value or "", salt=STAMP_SALT)
    except signing.BadSignature:
        raise StampError("invalid") from None
    if not isinstance(data, dict) or data.get("service") != service_id:
        raise StampError("invalid")
    age = now - float(data.get("issued", 0))
    if age < settings.SUGGESTION_MIN_SECONDS:
        raise StampError("too_fast")
    if age > settings.SUGGESTION_MAX_AGE_SECONDS:
        raise StampError("too_old")


def dutch_service(page: ServicePage) -> ServicePage:
    """Suggestions are kept with the Dutch version, which the partner's rights follow."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return page
    return (
        ServicePage.objects.filter(
            translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
        ).first()
        or page
    )


def partner_of(service: ServicePage) -> PartnerPage | None:
    return PartnerPage.objects.filter(path=service.path[: -ServicePage.steplen]).first()


@transaction.atomic
def receive(page: ServicePage, text: str, email: str, language: str) -> Suggestion:
    """Store a resident's suggestion about ``page`` and tell the partner once stored."""
    suggestion = Suggestion.objects.create(
        service=dutch_service(page), text=text, email=email, language=language
    )
    transaction.on_commit(lambda: notify(suggestion))
    return suggestion


def notify(suggestion: Suggestion) -> list[str]:
    """E-mail the owning partner. The resident's e-mail address is left out: a
    mailbox keeps it beyond the retention period, the admin does not."""
    partner = partner_of(suggestion.service)
    to = PartnerAccess.recipients(partner) if partner else []
    if not to:
        logger.warning(
            "Suggestion %s: no e-mail address for the partner of service %s; "
            "moderators see it in the admin",
            suggestion.pk,
            suggestion.service_id,
        )
        return []
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "suggestion": suggestion,
            "partner": partner,
            "admin_base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
        }
        subject = render_to_string("coalition/email/suggestion_subject.txt", context).strip()
        body = render_to_string("coalition/email/suggestion.txt", context)
    try:
        send_mail(subject, body, None, to)
    except OSError:
        # The suggestion is stored and on the dashboard; the resident must not
        # see an error for a mail server that is down.
        logger.exception("Suggestion %s: e-mail to partner %s failed", suggestion.pk, partner.pk)
        return []
    return to


def close(suggestion: Suggestion, note: str, user) -> None:
    suggestion.status = SuggestionStatus.CLOSED
    suggestion.closing_note = note
    suggestion.closed_by = user
    suggestion.closed_at = timezone.now()


def purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete suggestions closed longer than the retention period ago, and forget
    the e-mail address of open ones sent that long ago."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.SUGGESTION_RETENTION_DAYS)
    deleted, _per_model = Suggestion.objects.filter(
        status=SuggestionStatus.CLOSED, closed_at__lt=before
    ).delete()
    stripped = (
        Suggestion.objects.filter(status=SuggestionStatus.OPEN, created__lt=before)
        .exclude(email="")
        .update(email="")
    )
    return {"deleted": deleted, "emails_removed": stripped}
