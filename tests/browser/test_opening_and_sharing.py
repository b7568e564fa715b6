"""A page read later than it was served (from a cache, or left open) still says
whether the service is open; and a resident shares a service's link."""

import datetime

from django.utils import translation

import pytest
from playwright.sync_api import expect

from directory import opening
from directory.models import ServicePage

from .conftest import PHONE


@pytest.mark.parametrize("language", ["nl", "ar", "ti"])
def test_the_label_follows_the_readers_clock_within_the_coming_week(
    new_context, demo, in_database, language
):
    # Three days from now at 03:00 in Amsterdam: the walk-in hours are closed.
    later = datetime.datetime.combine(
        datetime.date.today() + datetime.timedelta(days=3),
        datetime.time(3),
        tzinfo=opening.zone(),
    )

    def status_then():
        with translation.override(language):
            service = ServicePage.objects.get(
                slug="inloopspreekuur-geldzaken", locale__language_code=language
            )
            return opening.status_at(service, later)

    expected = in_database(status_then)
    assert expected is not None and not expected.open

    page = new_context(PHONE, locale=language).new_page()
    # The reader's clock says "three days later"; the server rendered today's label.
    page.clock.install(time=later)
    page.goto(f"/{language}{demo.service}")
    expect(page.locator(".ww-page-intro .ww-opening__text")).to_have_text(expected.text)


def test_without_a_share_sheet_the_link_is_copied_and_that_is_said(new_context, demo):
    context = new_context(PHONE, locale="ar")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"/ar{demo.service}")
    has_share_sheet = page.evaluate("typeof navigator.share === 'function'")
    button = page.locator(".ww-share__button")
    expect(button).to_be_visible()
    if has_share_sheet:
        pytest.fail("This Chromium has a share sheet; the copy path would not be tested")
    button.click()
    expect(page.locator(".ww-share__status")).to_have_text("تم نسخ الرابط")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/ar{demo.service}")
