"""The translation report as its users see it: Team Inburgering's publisher finds
an Arabic translation outdated after the moderator changed the Dutch, marks it
reviewed, and the Arabic page stops warning its readers."""

import re

from playwright.sync_api import expect

from .conftest import DESKTOP
from .test_editor_journeys import log_in, take_action

ADDED = " Ook op vrijdag (browsertest)."


def test_a_translation_is_outdated_after_the_dutch_changes_and_reviewed_once_marked(
    new_context, editors, in_database, screenshot
):
    def machine_translated_service():
        from wagtail.models import Locale

        from directory.models import PartnerPage, ServicePage
        from translation_status.status import machine_notice_needed

        partner = PartnerPage.objects.get(pk=editors.partner_id)
        arabic = Locale.objects.get(language_code="ar")
        for service in ServicePage.objects.child_of(partner).live().order_by("path"):
            translated = service.get_translation_or_none(arabic)
            if translated is not None and translated.live and machine_notice_needed(translated):
                return service.pk, service.summary, translated.url
        raise AssertionError(f"no machine-translated Arabic service of {partner}")

    pk, summary, arabic_url = in_database(machine_translated_service)

    def restore():
        from wagtail.models import PageLogEntry

        from directory.models import ServicePage
        from translation_status.models import TranslationReview
        from translation_status.views import REVIEWED

        service = ServicePage.objects.get(pk=pk)
        TranslationReview.objects.filter(translation_key=service.translation_key).delete()
        # Other tests count reviews in the log; this journey's must not linger.
        PageLogEntry.objects.filter(
            action=REVIEWED, page__translation_key=service.translation_key
        ).delete()
        if service.summary != summary:
            service.summary = summary
            service.save_revision().publish()

    report = f"/admin/translation-status/?partner={editors.partner_id}&language=ar"
    try:
        resident = new_context(DESKTOP, locale="ar").new_page()
        resident.goto(arabic_url)
        expect(resident.locator(".ww-machine-translation")).to_have_count(1)

        publisher = new_context(DESKTOP).new_page()
        log_in(publisher, editors.publisher, editors.password)
        publisher.goto(report)
        row = publisher.locator(f'#translation-status tr[data-service="{pk}"]')
        expect(row).to_have_attribute("data-state", "machine")

        # The coalition's moderator changes the Dutch and publishes it.
        moderator = new_context(DESKTOP).new_page()
        log_in(moderator, editors.moderator, editors.password)
        moderator.goto(f"/admin/pages/{pk}/edit/")
        moderator.locator("#id_summary").fill(summary[: 200 - len(ADDED)] + ADDED)
        take_action(moderator, "button[name=action-publish]")
        expect(moderator).to_have_url(re.compile(r"/admin/pages/\d+/$"))

        publisher.reload()
        expect(row).to_have_attribute("data-state", "outdated")
        screenshot(publisher, "outdated")

        # The publisher checks the Arabic against the new Dutch and vouches for it.
        with publisher.expect_navigation():
            row.locator("form button[type=submit]").click()
        expect(publisher).to_have_url(re.compile(re.escape(report)))
        expect(row).to_have_attribute("data-state", "reviewed")
        expect(publisher.locator(".messages .success")).to_be_visible()
        screenshot(publisher, "reviewed")

        # Readers of the Arabic page are no longer warned.
        resident.reload()
        expect(resident.locator("h1")).to_be_visible()
        expect(resident.locator(".ww-machine-translation")).to_have_count(0)
    finally:
        in_database(restore)
