"""Residents tell a partner that a listing is wrong ("Klopt er iets niet?"), and
the partner's editors, and only they and the moderators, read and close it.

Everything goes through HTTP on the demo directory. A form is sent with a time
stamp from a minute ago (``aged_stamp``), as a resident who took a minute to
write would; only the journey waits the real seconds on the form it was given.
"""

import datetime
import re
import time

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from wagtail.models import Locale

import pytest

from coalition import suggestions
from coalition.models import PartnerAccess, Suggestion, SuggestionStatus
from directory.models import PartnerPage, ServicePage

from .helpers import denied, logged_in, make_user, moderator, staff_of

pytestmark = pytest.mark.django_db

ARABIC_TEXT = "رقم الهاتف تغير، الرقم الجديد هو 030 123 4567"
RESIDENT_EMAIL = "bewoner@voorbeeld.nl"


@pytest.fixture
def arabic_service() -> ServicePage:
    """A live service with a live Arabic translation, of an onboarded partner."""
    arabic = Locale.objects.get(language_code="ar")
    keys = ServicePage.objects.live().filter(locale=arabic).values("translation_key")
    for dutch in (
        ServicePage.objects.live()
        .filter(locale__language_code="nl", translation_key__in=keys)
        .order_by("path")
    ):
        if PartnerAccess.objects.filter(partner=dutch.get_parent()).exists():
            return dutch.get_translation(arabic)
    raise AssertionError("the demo has no translated service of an onboarded partner")


@pytest.fixture
def dutch_service(arabic_service) -> ServicePage:
    return arabic_service.get_translation(Locale.objects.get(language_code="nl"))


@pytest.fixture
def access(dutch_service) -> PartnerAccess:
    return PartnerAccess.objects.get(partner=dutch_service.get_parent())


@pytest.fixture
def other_access(access) -> PartnerAccess:
    return PartnerAccess.objects.exclude(pk=access.pk).order_by("partner__path").first()


@pytest.fixture
def editor(access, django_user_model):
    return staff_of(django_user_model, access, "redacteur-eigen")


@pytest.fixture
def other_editor(other_access, django_user_model):
    return staff_of(django_user_model, other_access, "redacteur-ander")


def form_url(service, language="ar") -> str:
    with translation.override(language):
        return reverse("suggest_correction", args=[service.id])


def aged_stamp(service) -> str:
    return suggestions.stamp(service.id, issued=time.time() - 60)


def send(client, service, text=ARABIC_TEXT, email="", language="ar", **extra):
    data = {"text": text, "email": email, "website": "", "stamp": aged_stamp(service), **extra}
    return client.post(form_url(service, language), data)


def suggestion_about(service) -> Suggestion:
    return Suggestion.objects.get(service=service)


def edit_url(suggestion) -> str:
    return reverse("wagtailsnippets_coalition_suggestion:edit", args=[suggestion.pk])


def dashboard(user) -> str:
    response = logged_in(user).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_resident_suggests_a_correction_in_arabic_and_the_partners_editor_sees_it(
    client, arabic_service, dutch_service, editor, django_capture_on_commit_callbacks
):
    page = client.get(arabic_service.url)
    assert page.status_code == 200
    link = re.search(r'href="(/ar/klopt-er-iets-niet/\d+/)"[^>]*>([^<]+)<', page.content.decode())
    assert link, "the Arabic service page links to the form"
    with translation.override("ar"):
        assert link[2] == translation.gettext("Tell us what is wrong or missing on this page")
        assert link[2] != "Tell us what is wrong or missing on this page"

    form = client.get(link[1])
    assert form.status_code == 200
    assert 'lang="ar"' in form.content.decode()
    stamp = re.search(r'name="stamp" value="([^"]+)"', form.content.decode())[1]
    # A person reads the form and writes before sending.
    time.sleep(settings.SUGGESTION_MIN_SECONDS + 0.2)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            link[1],
            {"text": ARABIC_TEXT, "email": RESIDENT_EMAIL, "website": "", "stamp": stamp},
        )
    assert sent.status_code == 302
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200
    with translation.override("ar"):
        assert translation.gettext("Thank you for your message") in thanks.content.decode()
    assert f'href="{arabic_service.url}"' in thanks.content.decode(), "a way back to the service"

    suggestion = suggestion_about(dutch_service)
    assert (suggestion.text, suggestion.email, suggestion.language) == (
        ARABIC_TEXT,
        RESIDENT_EMAIL,
        "ar",
    )
    assert suggestion.status == SuggestionStatus.OPEN
    assert ARABIC_TEXT in dashboard(editor)

    opened = logged_in(editor).get(edit_url(suggestion))
    assert opened.status_code == 200
    assert ARABIC_TEXT in opened.content.decode()
    assert RESIDENT_EMAIL in opened.content.decode()


def test_another_partners_editor_neither_sees_nor_opens_nor_closes_it(
    client, dutch_service, other_editor
):
    assert send(client, dutch_service, language="nl").status_code == 302
    suggestion = suggestion_about(dutch_service)
    assert ARABIC_TEXT not in dashboard(other_editor)
    other = logged_in(other_editor)
    # Refused the admin's way (see helpers.denied): back to her dashboard.
    opened = other.get(edit_url(suggestion))
    assert denied(opened)
    assert ARABIC_TEXT not in opened.content.decode()
    closed = other.post(edit_url(suggestion), {"status": "closed", "closing_note": "Weg ermee"})
    assert denied(closed)
    for view in ("history", "usage", "delete"):
        url = reverse(f"wagtailsnippets_coalition_suggestion:{view}", args=[suggestion.pk])
        assert denied(other.get(url)), view
    listing = other.get(reverse("wagtailsnippets_coalition_suggestion:list"))
    assert ARABIC_TEXT not in listing.content.decode()
    assert dutch_service.title not in listing.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN


def test_a_moderator_sees_every_partners_suggestions_on_her_dashboard_and_in_the_queue(
    client, dutch_service, django_user_model
):
    send(client, dutch_service)
    coordinator = moderator(django_user_model)
    assert ARABIC_TEXT in dashboard(coordinator)
    response = logged_in(coordinator).get(edit_url(suggestion_about(dutch_service)))
    assert response.status_code == 200
    queue = logged_in(coordinator).get(reverse("coalition:moderation_queue")).content.decode()
    partner = dutch_service.get_parent().title
    section = queue[queue.index('id="suggestions"') :]
    assert partner in section
    assert ARABIC_TEXT in section


def test_the_editor_closes_a_suggestion_with_a_note(client, dutch_service, editor):
    send(client, dutch_service)
    suggestion = suggestion_about(dutch_service)
    editor_client = logged_in(editor)

    without_note = editor_client.post(edit_url(suggestion), {"status": "closed"})
    assert without_note.status_code == 200, "the form comes back with the question"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN

    note = "Telefoonnummer aangepast op de pagina."
    closed = editor_client.post(edit_url(suggestion), {"status": "closed", "closing_note": note})
    assert closed.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.closing_note, suggestion.closed_by) == (
        SuggestionStatus.CLOSED,
        note,
        editor,
    )
    assert suggestion.closed_at is not None
    assert ARABIC_TEXT not in dashboard(editor), "closed suggestions leave the dashboard"


def test_the_owning_partners_staff_get_an_email_and_no_one_else(
    client,
    dutch_service,
    access,
    other_access,
    editor,
    other_editor,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, dutch_service, email=RESIDENT_EMAIL)
    staff = {user.email for user in access.staff() if user.email}
    assert editor.email in staff
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == staff
    assert not {user.email for user in other_access.staff()} & set(message.to)
    assert ARABIC_TEXT in message.body
    assert RESIDENT_EMAIL not in message.body, "the address stays in the admin"
    assert edit_url(suggestion_about(dutch_service)) in message.body


def test_a_partner_without_staff_addresses_gets_it_at_its_own_address(
    client, dutch_service, access, django_capture_on_commit_callbacks
):
    access.staff().update(email="")
    partner = PartnerPage.objects.get(pk=access.partner.pk)
    partner.email = "info@partner-zonder-accounts.nl"
    partner.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        send(client, dutch_service)
    assert [message.to for message in mail.outbox] == [["info@partner-zonder-accounts.nl"]]


def test_the_email_address_never_shows_in_public(client, arabic_service, dutch_service):
    sent = send(client, dutch_service, email=RESIDENT_EMAIL)
    for url in (arabic_service.url, dutch_service.url, sent["Location"]):
        response = client.get(url)
        assert response.status_code == 200
        assert RESIDENT_EMAIL not in response.content.decode()


def test_html_is_kept_as_plain_text_and_shown_escaped(client, dutch_service, editor):
    text = '<script>alert("x")</script><b>Adres klopt niet</b>'
    assert send(client, dutch_service, text=text).status_code == 302
    assert suggestion_about(dutch_service).text == text
    opened = logged_in(editor).get(edit_url(suggestion_about(dutch_service)))
    for html in (dashboard(editor), opened.content.decode()):
        assert "<script>alert" not in html
        assert "&lt;script&gt;" in html or "&lt;b&gt;Adres" in html


def test_direction_controls_are_removed(client, dutch_service):
    assert send(client, dutch_service, text="Adres\u202e klopt \u2066niet\u2069").status_code == 302
    assert suggestion_about(dutch_service).text == "Adres klopt niet"


@pytest.mark.parametrize(
    ("case", "data", "expected"),
    [
        (
            "too long",
            {"text": "x" * 10_000},
            "Please keep it shorter: at most 2000 characters (you wrote 10000).",
        ),
        ("empty", {"text": "   "}, "Write what is wrong, for example"),
        ("only direction controls", {"text": "\u202e\u2066"}, "Write what is wrong, for example"),
        ("honeypot filled", {"website": "https://spam.example"}, "a hidden field was filled in"),
        ("forged stamp", {"stamp": "not-a-stamp"}, "This form could not be checked"),
        ("no stamp", {"stamp": ""}, "This form could not be checked"),
        ("bad e-mail", {"email": "bewoner@localhost"}, "with a full domain"),
    ],
)
def test_bad_input_gets_a_clear_answer_and_nothing_is_stored(
    client, dutch_service, case, data, expected
):
    response = send(client, dutch_service, language="en", **data)
    assert response.status_code == 400, case
    assert expected in response.content.decode(), case
    assert not Suggestion.objects.exists()
    assert "Back to the service" in response.content.decode()


@pytest.mark.parametrize(
    ("seconds_ago", "expected"),
    [(0, "That was very quick"), (25 * 60 * 60, "open for more than a day")],
)
def test_a_form_sent_too_fast_or_too_late_is_refused_and_keeps_the_text(
    client, dutch_service, seconds_ago, expected
):
    response = client.post(
        form_url(dutch_service, "en"),
        {
            "text": "De openingstijden op dinsdag kloppen niet.",
            "stamp": suggestions.stamp(dutch_service.id, issued=time.time() - seconds_ago),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert expected in html
    assert "De openingstijden op dinsdag kloppen niet." in html, "the text is not lost"
    assert not Suggestion.objects.exists()
    # The form comes back with a new stamp: sent a minute later, it goes through.
    new_stamp = re.search(r'name="stamp" value="([^"]+)"', html)[1]
    suggestions.check_stamp(new_stamp, dutch_service.id, now=time.time() + 60)


def test_a_stamp_for_one_service_does_not_serve_another(client, dutch_service):
    other = ServicePage.objects.live().exclude(pk=dutch_service.pk).first()
    response = client.post(
        form_url(dutch_service, "en"), {"text": "Klopt niet.", "stamp": aged_stamp(other)}
    )
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_twenty_suggestions_in_a_minute_from_one_address_are_limited(
    client, dutch_service, settings
):
    # One window for the whole test: a per-minute window could roll over midway.
    settings.RATELIMIT_CORRECTION = "5/h"
    answers = [send(client, dutch_service, text=f"Melding {n}", language="en") for n in range(20)]
    codes = [answer.status_code for answer in answers]
    assert codes == [302] * 5 + [429] * 15
    refused = answers[-1]
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "several suggestions from your connection" in html
    assert "Melding 19" in html, "the text is not lost"
    assert Suggestion.objects.count() == 5
    # Opening the form does not count, and another address is not held up.
    assert client.get(form_url(dutch_service, "en")).status_code == 200
    other = client_from("192.0.2.77")
    assert send(other, dutch_service, language="en").status_code == 302


def client_from(address):
    from django.test import Client

    return Client(REMOTE_ADDR=address)


@pytest.mark.parametrize("which", ["unknown", "draft"])
def test_only_live_services_take_suggestions(client, dutch_service, which):
    if which == "unknown":
        service_id = ServicePage.objects.order_by("-pk").first().pk + 1000
    else:
        draft = ServicePage.objects.get(pk=dutch_service.pk)
        draft.unpublish()
        service_id = draft.pk
    with translation.override("nl"):
        url = reverse("suggest_correction", args=[service_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Klopt niet."}).status_code == 404


def test_purge_deletes_closed_suggestions_after_the_retention_period(
    dutch_service, settings, django_user_model
):
    settings.SUGGESTION_RETENTION_DAYS = 90
    now = timezone.now()
    user = make_user(django_user_model, "sluiter")

    def made(days_ago, status, email=RESIDENT_EMAIL, closed_days_ago=None):
        suggestion = Suggestion.objects.create(
            service=dutch_service, text=f"{status} {days_ago}", email=email, language="nl"
        )
        Suggestion.objects.filter(pk=suggestion.pk).update(
            created=now - datetime.timedelta(days=days_ago),
            status=status,
            closed_by=user if closed_days_ago is not None else None,
            closed_at=(
                now - datetime.timedelta(days=closed_days_ago)
                if closed_days_ago is not None
                else None
            ),
        )
        return suggestion.pk

    old_closed = made(200, "closed", closed_days_ago=91)
    recently_closed = made(200, "closed", closed_days_ago=89)
    old_open = made(91, "open")
    new_open = made(89, "open")

    call_command("purge_suggestions", stdout=open("/dev/null", "w"))  # noqa: SIM115

    left = {s.pk: s for s in Suggestion.objects.all()}
    assert old_closed not in left
    assert left[recently_closed].email == RESIDENT_EMAIL
    assert left[old_open].email == "", "an open suggestion stays, without the address"
    assert left[old_open].text == "open 91"
    assert left[new_open].email == RESIDENT_EMAIL
