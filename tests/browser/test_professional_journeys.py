"""Professionals log in on the public site and find their counterparts in a wijk."""

import re

from playwright.sync_api import expect
from pypdf import PdfReader


def wijk_phone_numbers(cbs_code: str) -> set[str]:
    from directory.models import WijkPage
    from directory.templatetags.directory_tags import national

    wijk = WijkPage.objects.get(cbs_code=cbs_code, locale__language_code="nl")
    return {national(s.phone) for s in wijk.available_services().defer(None) if s.phone}


def test_a_professional_sees_the_contact_persons_of_a_wijk_and_prints_the_overview(
    new_page, device, demo, accounts, screenshot, in_database
):
    page = new_page()
    page.goto(f"/nl{demo.wijk}")
    # Residents see who is active, never the people behind it.
    expect(page.locator("#partners-title")).to_be_visible()
    expect(page.locator("#contacts-title")).to_have_count(0)

    page.locator("a[href^='/nl/inloggen/']").click()
    page.locator("#id_username").fill(accounts.professional)
    page.locator("#id_password").fill(accounts.password)
    page.locator("form.ww-form button[type=submit]").click()

    # Back on the wijk page, now with the contact persons.
    expect(page).to_have_url(re.compile(rf"/nl{re.escape(demo.wijk)}$"))
    expect(page.locator("#contacts-title")).to_be_visible()
    assert accounts.wijk_contacts
    shown = page.locator(".ww-person strong").all_inner_texts()
    assert shown == accounts.wijk_contacts or sorted(shown) == accounts.wijk_contacts
    expect(page.locator(".ww-contacts a[href^='tel:']").first).to_be_visible()

    # The overview prints: the print style sheet keeps partners and contacts.
    page.emulate_media(media="print")
    expect(page.locator("#contacts-title")).to_be_visible()
    expect(page.locator("nav.ww-languages")).to_be_hidden()
    pdf = screenshot(page).with_suffix(".pdf")
    page.pdf(path=pdf)
    assert pdf.stat().st_size > 10_000

    # The overview to print: a compact table, every service's phone number on
    # at most three A4 sheets (it was nine), the contact persons after it.
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Overzicht om te printen").click()
    expect(page.locator("h1")).to_contain_text("Overzicht van")
    expect(page.locator(".ww-contacts th[scope=row]").first).to_be_visible()
    page.emulate_media(media="print")
    overview = pdf.with_name(pdf.stem + "-overview.pdf")
    page.pdf(path=overview, format="A4")
    sheets = PdfReader(overview).pages
    text = " ".join(sheet.extract_text() for sheet in sheets)
    phones = in_database(lambda: wijk_phone_numbers(demo.wijk_code))
    assert len(phones) > 20
    assert len(sheets) <= 3
    assert sorted(phone for phone in phones if phone not in text) == []
