"""The "Translation status" report, marking a translation reviewed, and the
notice readers of an unchecked machine translation see: through the admin's
HTTP views, on the demo directory (whose translations are machine-made)."""

import re

from django.urls import reverse

from wagtail.models import Locale, PageLogEntry

import pytest

from coalition.models import PartnerAccess
from directory.models import PartnerPage, ServicePage
from tests.coalition.helpers import logged_in, moderator, staff_of
from translation_status.models import TranslationReview
from translation_status.views import REVIEWED

pytestmark = pytest.mark.django_db

NOTICE = "Machine translation, not yet checked by a person."
ARABIC_NOTICE = "ترجمة آلية لم يراجعها أحد بعد."


def demo_service(partner_slug, service_slug) -> ServicePage:
    partner = PartnerPage.objects.get(slug=partner_slug, locale__language_code="nl")
    return ServicePage.objects.child_of(partner).get(slug=service_slug)


@pytest.fixture
def taalmaatje():
    return demo_service("stichting-nieuw-thuis-utrecht", "taalmaatje")


@pytest.fixture
def arabic():
    return Locale.objects.get(language_code="ar")


@pytest.fixture
def access(taalmaatje):
    return PartnerAccess.objects.get(partner=taalmaatje.get_parent())


@pytest.fixture
def publisher(django_user_model, access):
    return staff_of(django_user_model, access, "publicist-nieuw-thuis", publisher=True)


@pytest.fixture
def editor(django_user_model, access):
    return staff_of(django_user_model, access, "redacteur-nieuw-thuis")


@pytest.fixture
def other_editor(django_user_model):
    other = PartnerPage.objects.get(slug="leerhuis-domstad", locale__language_code="nl")
    return staff_of(django_user_model, PartnerAccess.objects.get(partner=other), "redacteur-ander")


def state_in_report(client, service, language="ar") -> str | None:
    """The state the report shows for ``service`` in ``language``; None when
    the service is not in the report."""
    response = client.get(
        reverse("translation_status:report"),
        {"language": language, "partner": service.get_parent().pk},
    )
    assert response.status_code == 200
    match = re.search(
        rf'data-service="{service.pk}" data-language="{language}" data-state="(\w+)"',
        response.content.decode(),
    )
    return match[1] if match else None


def publish_dutch_change(service):
    service.summary = f"{service.summary} Nu ook op zaterdag."
    service.save_revision().publish()


def mark_reviewed(client, translation):
    return client.post(reverse("translation_status:mark_reviewed", args=[translation.pk]))


def test_the_report_shows_a_demo_service_as_machine_translated_and_unreviewed(
    django_user_model, taalmaatje
):
    assert state_in_report(logged_in(moderator(django_user_model)), taalmaatje) == "machine"


def test_the_report_counts_every_live_service_once_per_language(django_user_model):
    response = logged_in(moderator(django_user_model)).get(reverse("translation_status:report"))
    counts = re.search(
        r'<table class="listing" id="translation-counts">.*?</table>',
        response.content.decode(),
        re.S,
    )[0]
    rows = re.findall(r'<tr><th scope="row">[^<]*</th>((?:<td>\d+</td>)+)</tr>', counts)
    live_dutch = ServicePage.objects.live().filter(locale__language_code="nl").count()
    assert len(rows) == Locale.objects.exclude(language_code="nl").count()
    for row in rows:
        assert sum(int(n) for n in re.findall(r"<td>(\d+)</td>", row)) == live_dutch


def test_a_published_dutch_change_makes_the_translation_outdated(django_user_model, taalmaatje):
    publish_dutch_change(taalmaatje)
    assert state_in_report(logged_in(moderator(django_user_model)), taalmaatje) == "outdated"


def test_a_publisher_marks_the_translation_reviewed_and_it_is_logged(publisher, taalmaatje, arabic):
    publish_dutch_change(taalmaatje)
    translation = taalmaatje.get_translation(arabic)
    client = logged_in(publisher)

    response = mark_reviewed(client, translation)

    assert response.status_code == 302
    assert state_in_report(client, taalmaatje) == "reviewed"
    review = TranslationReview.objects.get(translation_key=taalmaatje.translation_key)
    assert review.reviewed_by == publisher
    assert PageLogEntry.objects.filter(page=translation, action=REVIEWED, user=publisher).exists()


def test_readers_see_the_notice_on_an_unreviewed_machine_translation_only(
    client, publisher, taalmaatje, arabic
):
    reviewed = taalmaatje.get_translation(arabic)
    unreviewed = demo_service("leerhuis-domstad", "nederlandse-les-beginners").get_translation(
        arabic
    )
    mark_reviewed(logged_in(publisher), reviewed)

    assert NOTICE not in client.get(reviewed.get_url()).content.decode()
    assert ARABIC_NOTICE not in client.get(reviewed.get_url()).content.decode()
    page = client.get(unreviewed.get_url()).content.decode()
    assert ARABIC_NOTICE in page
    dutch_url = unreviewed.get_translation(Locale.objects.get(language_code="nl")).get_url()
    assert f'href="{dutch_url}" hreflang="nl"' in page


def test_the_dutch_original_has_no_notice(client, taalmaatje):
    page = client.get(taalmaatje.get_url()).content.decode()
    assert "ww-machine-translation" not in page


def test_a_review_goes_stale_when_the_dutch_changes_afterwards(
    client, publisher, taalmaatje, arabic
):
    translation = taalmaatje.get_translation(arabic)
    mark_reviewed(logged_in(publisher), translation)

    publish_dutch_change(taalmaatje)

    assert state_in_report(logged_in(publisher), taalmaatje) == "outdated"
    assert ARABIC_NOTICE in client.get(translation.get_url()).content.decode()


def test_an_editor_may_not_mark_a_translation_reviewed(editor, taalmaatje, arabic):
    client = logged_in(editor)
    assert state_in_report(client, taalmaatje) == "machine"

    response = mark_reviewed(client, taalmaatje.get_translation(arabic))

    assert response.status_code == 403
    assert not TranslationReview.objects.exists()
    assert not PageLogEntry.objects.filter(action=REVIEWED).exists()


def test_another_partners_editor_neither_sees_nor_marks_the_service(
    other_editor, taalmaatje, arabic
):
    client = logged_in(other_editor)
    assert state_in_report(client, taalmaatje) is None

    response = mark_reviewed(client, taalmaatje.get_translation(arabic))

    assert response.status_code == 403
    assert not TranslationReview.objects.exists()


def test_the_report_filters_by_partner(django_user_model, taalmaatje):
    client = logged_in(moderator(django_user_model))
    other = PartnerPage.objects.get(slug="leerhuis-domstad", locale__language_code="nl")
    response = client.get(reverse("translation_status:report"), {"partner": other.pk})
    assert f'data-service="{taalmaatje.pk}"' not in response.content.decode()
    response = client.get(
        reverse("translation_status:report"), {"partner": taalmaatje.get_parent().pk}
    )
    assert f'data-service="{taalmaatje.pk}"' in response.content.decode()
