"""A resident tells the partner that a listing is wrong, on a phone in Arabic, and
the partner's editor (not another partner's) finds it on her admin dashboard."""

from django.utils import translation

from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_editor_journeys import log_in

TEXT = "رقم الهاتف في هذه الصفحة قديم (اختبار المتصفح)"


def arabic(message: str) -> str:
    with translation.override("ar"):
        return translation.gettext(message)


def test_a_resident_suggests_a_correction_on_a_phone_in_arabic_and_the_editor_sees_it(
    new_context, editors, in_database, screenshot
):
    def arabic_service_url():
        from django.conf import settings

        from wagtail.models import Locale

        from directory.models import PartnerPage, ServicePage

        partner = PartnerPage.objects.get(pk=editors.partner_id)
        ar = Locale.objects.get(language_code="ar")
        for service in ServicePage.objects.child_of(partner).live().order_by("path"):
            translated = service.get_translation_or_none(ar)
            if translated is not None and translated.live:
                return translated.url
        raise AssertionError(f"no Arabic service of {partner} ({settings.LANGUAGE_CODE})")

    def forget():
        from coalition.models import Suggestion

        Suggestion.objects.filter(text=TEXT).delete()

    url = in_database(arabic_service_url)
    try:
        resident = new_context(PHONE, locale="ar").new_page()
        resident.goto(url)
        resident.get_by_role(
            "link", name=arabic("Tell us what is wrong or missing on this page")
        ).click()
        expect(resident.get_by_role("heading", level=1)).to_have_text(arabic("Is something wrong?"))
        resident.get_by_label(arabic("What is wrong or missing?")).fill(TEXT)
        # She reads what she wrote before sending: the form refuses robots' speed.
        resident.wait_for_timeout(3500)
        resident.get_by_role("button", name=arabic("Send")).click()
        expect(resident.get_by_role("heading", level=1)).to_have_text(
            arabic("Thank you for your message")
        )
        back = resident.get_by_role("link", name=arabic("Back to the service"))
        expect(back).to_have_attribute("href", url)
        screenshot(resident, "thanks")

        editor = new_context(DESKTOP).new_page()
        log_in(editor, editors.editor, editors.password)
        panel = editor.locator("section[aria-labelledby=open-suggestions-heading]")
        expect(panel).to_contain_text(TEXT)
        panel.locator("tr", has_text=TEXT).get_by_role("link").click()
        expect(editor.locator("main")).to_contain_text(TEXT)
        screenshot(editor, "editor")

        other = new_context(DESKTOP).new_page()
        log_in(other, editors.other_editor, editors.password)
        expect(other.locator("main")).not_to_contain_text(TEXT)
    finally:
        in_database(forget)
