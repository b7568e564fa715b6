"""Editors in a real browser: a partner's new service goes through partner review and
coalition moderation to the public site, and stays closed to other partners."""

import re

import pytest
from playwright.sync_api import Page, expect

from search.geocoding import pc4_table

TITLE = "Praatcafé Nederlands oefenen (test)"
# A word no demo page uses, so the resident's search finds this service alone.
SEARCH_WORDS = "praatcafé oefenen"
LOCATION = "Buurthuis De Schakel (test)"
# The second building, open on Saturday mornings only.
SECOND_LOCATION = "Bibliotheek Overvecht (test)"
# Approve without a comment (the other approve button opens a comment dialog).
APPROVE = "button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def take_action(page: Page, button: str) -> None:
    """Click an action of the editor's footer menu, opening its drop-up first when the
    action is not the default one."""
    action = page.locator(f"footer {button}")
    if not action.is_visible():
        page.locator("footer [data-w-dropdown-target=toggle]").click()
    with page.expect_navigation():
        action.click()


def fill_the_new_service(page: Page, slug: str, editors) -> None:
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Samen Nederlands praten met buren, bij koffie en thee.")
    # Themes and audiences are boxes to tick, each term once in the page's language:
    # two plain clicks choose two themes.
    expect(page.locator("input[type=checkbox][name=themes]")).to_have_count(12)
    page.locator(f"input[name=themes][value='{editors.theme}']").click()
    page.locator(f"input[name=themes][value='{editors.second_theme}']").click()
    page.locator(f"input[name=audiences][value='{editors.audience}']").click()
    page.locator("select[name=languages]").select_option(editors.language)
    page.locator("select[name=wijken]").select_option(editors.wijk)

    page.locator("#id_locations-ADD").click()
    page.locator("#id_locations-0-name").fill(LOCATION)
    # She finds the place from its postcode and house number: this one is new to
    # the directory, so the coordinates are the postcode area's centre, and the
    # answer says so.
    page.locator("#id_locations-0-postcode").fill("3563ab")
    lookup = page.locator("[data-ww-address-lookup][data-postcode='id_locations-0-postcode']")
    expect(lookup).to_be_visible()
    lookup.locator("[data-ww-address-number]").fill("4")
    lookup.locator("[data-ww-address-find]").click()
    centre = pc4_table()["3563"]
    expect(page.locator("#id_locations-0-latitude")).to_have_value(str(centre.latitude))
    expect(page.locator("#id_locations-0-longitude")).to_have_value(str(centre.longitude))
    expect(page.locator("#id_locations-0-postcode")).to_have_value("3563 AB")
    expect(lookup.locator("[data-ww-address-status]")).to_contain_text("3563")
    page.locator("#id_locations-0-address").fill("Schakelplein 4")
    page.locator("#id_locations-0-city").fill("Utrecht")

    # The coordinates found show on a small map below the postcode.
    preview = page.locator("[data-ww-location-preview][data-postcode='id_locations-0-postcode']")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("data-at", f"{centre.latitude},{centre.longitude}")
    expect(preview.locator(".leaflet-interactive")).to_have_count(1)

    page.locator("#id_locations-ADD").click()
    page.locator("#id_locations-1-name").fill(SECOND_LOCATION)
    page.locator("#id_locations-1-postcode").fill("3562 JW")
    page.locator("#id_locations-1-address").fill("Zamenhofdreef 20")
    page.locator("#id_locations-1-city").fill("Utrecht")
    # Coordinates typed by hand move the preview's marker too.
    page.locator("#id_locations-1-latitude").fill("52.11818")
    page.locator("#id_locations-1-longitude").fill("5.1106")
    second = page.locator("[data-ww-location-preview][data-postcode='id_locations-1-postcode']")
    expect(second).to_have_attribute("data-at", "52.11818,5.1106")

    page.locator("#id_opening_hours-ADD").click()
    page.locator("#id_opening_hours-0-weekday").select_option("3")
    page.locator("#id_opening_hours-0-opens").fill("14:00")
    page.locator("#id_opening_hours-0-closes").fill("16:00")

    page.locator("#id_phone").fill("030 799 1234")
    # The address field is on another tab (its label is translated): open the tab
    # whose panel holds it.
    panel = page.locator("[role=tabpanel]", has=page.locator("#id_slug"))
    page.locator(f"[role=tab][href='#{panel.get_attribute('id')}']").click()
    page.locator("#id_slug").fill(slug)


@pytest.fixture
def service_slug(device, in_database):
    """The new service's address; the service is deleted after the test, whatever
    happened, so the demo directory other tests count stays as it was."""
    slug = f"praatcafe-test-{device.name}"
    yield slug

    def delete():
        from wagtail.models import Page as WagtailPage

        from directory.models import ServicePage

        for service in ServicePage.objects.filter(slug=slug):
            # Its language versions and aliases, if publishing made any.
            WagtailPage.objects.filter(translation_key=service.translation_key).exclude(
                pk=service.pk
            ).delete()
            WagtailPage.objects.get(pk=service.pk).delete()

    in_database(delete)


def test_a_partners_new_service_is_reviewed_moderated_found_and_closed_to_others(
    new_context, device, editors, service_slug, in_database, screenshot
):
    # The editor of Team Inburgering writes a service below her partner page.
    editor = new_context(device).new_page()
    log_in(editor, editors.editor, editors.password)
    editor.goto(f"/admin/pages/{editors.partner_id}/add_subpage/")
    expect(editor).to_have_url(re.compile(r"/admin/pages/add/directory/servicepage/\d+/$"))
    fill_the_new_service(editor, service_slug, editors)
    # The places are saved first; then she gives the second one its own hours.
    # "Save draft" sits in the footer's drop-up, below the visible submit action.
    with editor.expect_navigation():
        editor.locator("footer button.action-save").evaluate("button => button.click()")
    expect(editor).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    editor.locator("#id_opening_hours-ADD").click()
    editor.locator("#id_opening_hours-1-weekday").select_option("5")
    editor.locator("#id_opening_hours-1-opens").fill("10:00")
    editor.locator("#id_opening_hours-1-closes").fill("12:00")
    editor.locator("#id_opening_hours-1-location_key").select_option(
        label=f"{SECOND_LOCATION}, Zamenhofdreef 20, Utrecht"
    )
    # She cannot publish: submitting is the action she sees, not one under the chevron.
    expect(editor.locator("footer button[name=action-submit]")).to_be_visible()
    take_action(editor, "button[name=action-submit]")
    expect(editor.locator(".messages .error, .error-message")).to_have_count(0)

    def find_draft():
        from directory.models import ServicePage

        service = ServicePage.objects.get(slug=service_slug)
        state = service.current_workflow_state
        return (
            service.pk,
            service.get_parent().pk,
            service.live,
            state.current_task_state.task.name if state else None,
            sorted(service.locations.values_list("name", flat=True)),
            {
                (row.weekday, row.location_key)
                for row in service.get_latest_revision_as_object().opening_hours.all()
            }
            == {(3, None), (5, service.locations.get(name=SECOND_LOCATION).hsds_id)},
            sorted(str(pk) for pk in service.themes.values_list("pk", flat=True)),
        )

    pk, parent, live, task, locations, hours, themes = in_database(find_draft)
    assert themes == sorted([editors.theme, editors.second_theme])
    assert parent == editors.partner_id
    assert not live
    assert task.startswith("Partnerreview")
    assert locations == sorted([LOCATION, SECOND_LOCATION])
    assert hours, "the second location's own hours were not saved"
    edit_url = f"/admin/pages/{pk}/edit/"

    # Team Inburgering's publisher approves the partner review; still not public.
    publisher = new_context(device).new_page()
    log_in(publisher, editors.publisher, editors.password)
    publisher.goto(edit_url)
    take_action(publisher, APPROVE)
    assert in_database(find_draft)[2:4] == (False, "Coalitiemoderatie")

    # The coalition's moderator approves the last step, which publishes it.
    moderator = new_context(device).new_page()
    log_in(moderator, editors.moderator, editors.password)
    moderator.goto(edit_url)
    take_action(moderator, APPROVE)
    assert in_database(find_draft)[2:4] == (True, None)

    # A resident finds it with the public search and opens it.
    resident = new_context(device).new_page()
    resident.goto("/nl/")
    resident.get_by_role("searchbox").fill(SEARCH_WORDS)
    resident.get_by_role("searchbox").press("Enter")
    resident.wait_for_url(re.compile(r"/zoeken/\?q="))
    resident.locator("#search-results").get_by_role("link", name=TITLE, exact=True).click()
    expect(resident).to_have_url(re.compile(rf"/nl/.+/{service_slug}/$"))
    expect(resident.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(resident.get_by_text(LOCATION)).to_be_visible()
    # Each building lists its own week: Thursday at both, Saturday at the second.
    week = resident.locator("[data-ww-location] table.ww-hours")
    expect(week).to_have_count(2)
    expect(week.first).to_contain_text("14:00")
    expect(week.first).not_to_contain_text("10:00")
    expect(week.last).to_contain_text("10:00")

    # Another partner's editor is refused the editor: sent back to her dashboard.
    other = new_context(device).new_page()
    log_in(other, editors.other_editor, editors.password)
    other.goto(edit_url)
    expect(other).to_have_url(re.compile(r"/admin/$"))
    expect(other.locator("#id_title")).to_have_count(0)
    expect(other.locator(".messages .error")).to_be_visible()
    screenshot(other)
