"""A partner's editor changes her services through a spreadsheet in a real browser:
she downloads the template, changes two services and adds one in it, uploads it,
checks the preview and submits; the partner's publisher and the coalition's
moderator approve, and residents see the changes. Another partner's editor who
uploads the same sheet is refused every one of those services, row by row."""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from spreadsheet.sheet import ID, header_keys

from .conftest import DESKTOP
from .test_editor_journeys import APPROVE, log_in, take_action

MARK = "(blad-test)"
NEW_TITLE = f"Naaicafé {MARK}"
NEW_SUMMARY = "Samen kleding herstellen, met koffie."
CHANGED_SUMMARY = "Nu ook op zaterdag, zei het blad."


@pytest.fixture
def sheet_services(editors, demo, in_database):
    """Two published services of Team Inburgering made for this journey; they, the
    service the journey adds, their revisions, workflow states and log entries are
    deleted afterwards, whatever happened."""

    def make():
        from directory.models import Audience, Language, PartnerPage, ServicePage, Theme, WijkPage

        partner = PartnerPage.objects.get(pk=editors.partner_id)
        made = []
        for letter in ("a", "b"):
            page = ServicePage(
                title=f"Taalmaatje {letter.upper()} {MARK}",
                slug=f"taalmaatje-{letter}-blad-test",
                summary="Een vrijwilliger oefent Nederlands met je.",
                phone="+31307995999",
            )
            partner.add_child(instance=page)
            page.themes.set([Theme.objects.get(pk=editors.theme)])
            page.audiences.set([Audience.objects.get(pk=editors.audience)])
            page.languages.set([Language.objects.get(pk=editors.language)])
            page.wijken.set([WijkPage.objects.get(pk=editors.wijk)])
            page.save_revision().publish()
            made.append((str(page.translation_key), page.url))
        theme = Theme.objects.get(pk=editors.theme).name
        return made, theme

    made, theme = in_database(make)
    yield made, theme

    def delete():
        from wagtail.models import Page, PageLogEntry

        from directory.models import ServicePage

        pages = ServicePage.objects.filter(title__contains=MARK)
        keys = list(pages.values_list("translation_key", flat=True))
        every = list(Page.objects.filter(translation_key__in=keys).values_list("pk", flat=True))
        for page in Page.objects.filter(pk__in=every).order_by("-depth"):
            page.delete()
        PageLogEntry.objects.filter(page_id__in=every).delete()

    in_database(delete)


def edit_sheet(path, made, theme, wijk_code) -> None:
    book = openpyxl.load_workbook(path)
    services = book.worksheets[0]
    known = header_keys()
    where = {known[str(cell.value).casefold()]: cell.column for cell in services[1] if cell.value}
    rows = {services.cell(r, where[ID]).value: r for r in range(2, services.max_row + 1)}
    first, second = (rows[key] for key, _url in made)
    services.cell(first, where["summary"], CHANGED_SUMMARY)
    services.cell(second, where["cost"], "Kleine eigen bijdrage")
    services.cell(second, where["cost_note"], "€ 1 per keer")
    empty = next(
        r for r in range(2, services.max_row + 2) if not services.cell(r, where["title"]).value
    )
    for key, value in {
        "title": NEW_TITLE,
        "summary": NEW_SUMMARY,
        "themes": theme,
        "audiences": "iedereen",
        "languages": "nl",
        "wijken": wijk_code,
        "phone": "030 799 5998",
    }.items():
        services.cell(empty, where[key], value)
    book.save(path)


def test_a_spreadsheet_round_trip_is_reviewed_moderated_and_published(
    new_context, editors, demo, sheet_services, in_database, tmp_path
):
    made, theme = sheet_services
    editor = new_context(DESKTOP).new_page()
    log_in(editor, editors.editor, editors.password)
    editor.goto("/admin/")
    expect(editor.get_by_role("link", name="Spreadsheet-import")).to_have_count(1)
    editor.goto("/admin/spreadsheet/")
    row = editor.locator(f"#spreadsheet-partners tr[data-partner='{editors.partner_id}']")
    with editor.expect_download() as download:
        row.get_by_role("link", name="Spreadsheet downloaden").click()
    path = tmp_path / "diensten.xlsx"
    download.value.save_as(path)
    edit_sheet(path, made, theme, demo.wijk_code)

    row.get_by_role("link", name="Ingevulde spreadsheet uploaden").click()
    editor.locator("input[type=file]").set_input_files(path)
    editor.get_by_role("button", name="Wijzigingen tonen").click()
    rows = "#spreadsheet-rows tbody tr"
    expect(editor.locator(f"{rows}[data-state='changed']")).to_have_count(2)
    expect(editor.locator(f"{rows}[data-state='new']")).to_have_count(1)
    expect(editor.locator(f"{rows}[data-state='refused']")).to_have_count(0)
    expect(editor.locator("#spreadsheet-rows")).to_contain_text("Samenvatting")
    editor.get_by_role("button", name=re.compile("Nieuwe en gewijzigde diensten indienen")).click()
    expect(editor.locator(".messages")).to_contain_text("Ingediend voor de partnerreview: 3.")

    def pages():
        from directory.models import ServicePage

        found = ServicePage.objects.filter(title__contains=MARK).order_by("pk")
        return [
            (
                p.pk,
                p.url,
                p.live,
                p.current_workflow_state.current_task_state.task.name
                if p.current_workflow_state
                else None,
            )
            for p in found
        ]

    submitted = in_database(pages)
    assert len(submitted) == 3
    assert all(task and task.startswith("Partnerreview") for *_rest, task in submitted)

    # The partner's publisher, then the coalition's moderator, approve each one.
    for name in (editors.publisher, editors.moderator):
        reviewer = new_context(DESKTOP).new_page()
        log_in(reviewer, name, editors.password)
        for pk, *_rest in submitted:
            reviewer.goto(f"/admin/pages/{pk}/edit/")
            take_action(reviewer, APPROVE)
    published = in_database(pages)
    assert [(live, task) for _pk, _url, live, task in published] == [(True, None)] * 3

    resident = new_context(DESKTOP).new_page()
    resident.goto(made[0][1])
    expect(resident.get_by_text(CHANGED_SUMMARY)).to_be_visible()
    resident.goto(made[1][1])
    expect(resident.locator("main")).to_contain_text("€ 1 per keer")
    resident.goto(published[2][1])
    expect(resident.get_by_role("heading", level=1)).to_have_text(NEW_TITLE)
    expect(resident.get_by_text(NEW_SUMMARY)).to_be_visible()

    # Another partner's editor uploads the same sheet to her own partner: every
    # row with an id is refused, and she learns nothing of whose they are.
    other = new_context(DESKTOP).new_page()
    log_in(other, editors.other_editor, editors.password)
    other.goto("/admin/spreadsheet/")
    other.get_by_role("link", name="Ingevulde spreadsheet uploaden").first.click()
    other.locator("input[type=file]").set_input_files(path)
    other.get_by_role("button", name="Wijzigingen tonen").click()
    refused = other.locator("#spreadsheet-rows tr[data-state='refused']")
    expect(refused.first).to_contain_text("hoort bij een andere partner")
    assert refused.count() == len(
        [
            r
            for r in other.locator("#spreadsheet-rows tbody tr").all()
            if r.get_attribute("data-state") != "new"
        ]
    )
    # Her own direct address to the first partner's upload is a 403.
    response = other.goto(f"/admin/spreadsheet/{editors.partner_id}/upload/")
    assert response.status == 403
