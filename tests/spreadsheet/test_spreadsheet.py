"""A partner's editor changes her services through a spreadsheet, in the admin:
the template she downloads, the preview of what an upload would change with
every problem named by row and column, the submit to her partner's workflow,
and the refusals (another partner's services, broken files)."""

import csv
import io
import re
import zipfile

from django.contrib.auth import get_user_model
from django.urls import reverse

from wagtail.models import Page, PageLogEntry, Revision
from wagtail.users.models import UserProfile

import openpyxl
import pytest

from coalition.models import PartnerAccess
from coalition.roles import ADMIN_ACCESS, permissions
from directory.models import ServicePage, Theme
from hsds import tabular
from spreadsheet import sheet
from spreadsheet.views import XLSX
from tests.coalition.helpers import logged_in, staff_of

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://voorbeeld.invalid/","klik hier")'


@pytest.fixture
def own(db) -> PartnerAccess:
    """A partner with at least three services: two to change, one left alone."""
    for access in PartnerAccess.objects.order_by("partner__path"):
        if len(services_of(access.partner)) >= 3:
            return access
    raise AssertionError("the demo has no partner with three services")


@pytest.fixture
def other(own) -> PartnerAccess:
    return (
        PartnerAccess.objects.exclude(pk=own.pk)
        .filter(partner__locale__language_code="nl")
        .order_by("partner__path")
        .first()
    )


@pytest.fixture
def editor(own, django_user_model):
    return staff_of(django_user_model, own, "redacteur-sheet")


@pytest.fixture
def other_editor(other, django_user_model):
    return staff_of(django_user_model, other, "redacteur-elders")


def speaks(user, language: str):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def download(client, partner) -> openpyxl.Workbook:
    response = client.get(reverse("spreadsheet:template", args=(partner.pk,)))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def columns(book) -> dict[str, int]:
    """Column numbers by key, found by header as the upload finds them."""
    known = sheet.header_keys()
    header = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    return {known[str(value).casefold()]: number for number, value in enumerate(header, 1)}


def row_of(book, key) -> int:
    where = columns(book)
    for row in range(2, book.worksheets[0].max_row + 1):
        if book.worksheets[0].cell(row, where[sheet.ID]).value == str(key):
            return row
    raise AssertionError(f"{key} not in the sheet")


def empty_row(book) -> int:
    """The first row below the services (the template styles spare rows below them)."""
    where = columns(book)
    row = 2
    while book.worksheets[0].cell(row, where["title"]).value:
        row += 1
    return row


def put(book, row: int, **cells):
    where = columns(book)
    for key, value in cells.items():
        book.worksheets[0].cell(row, where[key], value)


def as_upload(book, name="diensten.xlsx"):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = name
    buffer.seek(0)
    return buffer


def upload(client, partner, file):
    return client.post(reverse("spreadsheet:upload", args=(partner.pk,)), {"file": file})


def preview(client, partner):
    response = client.get(reverse("spreadsheet:preview", args=(partner.pk,)))
    assert response.status_code == 200, response.status_code
    return response


def states(page: str) -> list[str]:
    return re.findall(r'<tr data-row="\d+" data-state="(\w+)"', page)


def services_of(partner) -> list[ServicePage]:
    return list(
        ServicePage.objects.child_of(partner).filter(locale=partner.locale).order_by("path")
    )


def changed_two_and_new_one(book, services):
    first, second = services[:2]
    put(book, row_of(book, first.translation_key), summary="Nieuwe samenvatting uit het blad.")
    put(
        book,
        row_of(book, second.translation_key),
        cost_note="€ 1 per keer",
        cost="Small contribution",
    )
    row = empty_row(book)
    theme = Theme.objects.filter(locale__language_code="nl").order_by("sort_order").first()
    put(
        book,
        row,
        title="Naaicafé uit het blad (test)",
        summary="Samen kleding herstellen.",
        description="Elke week.\n\nNeem je eigen stof mee.",
        themes=f"{theme.name}; {Theme.objects.filter(locale=theme.locale).exclude(pk=theme.pk).first().name}",
        audiences="iedereen",
        languages="nl",
        wijken="WK034403",
        phone="030 799 1234",
    )
    return first, second


def test_the_template_holds_her_partners_services_with_headers_in_her_language(editor, own):
    client = logged_in(speaks(editor, "en"))
    book = download(client, own.partner)
    services_sheet = book.worksheets[0]
    header = [c.value for c in next(services_sheet.iter_rows(max_row=1))]
    assert header[1:5] == ["Title", "Summary", "Full description", "Themes"]
    assert services_sheet.column_dimensions["A"].hidden
    ids = [services_sheet.cell(row, 1).value for row in range(2, empty_row(book))]
    assert ids == [str(s.translation_key) for s in services_of(own.partner)]
    # Lists for the columns with choices, from a hidden sheet.
    lists = book.worksheets[1]
    assert lists.sheet_state == "hidden"
    themes = [c.value for c in next(lists.iter_cols(min_col=1, max_col=1)) if c.value][1:]
    assert themes == [t.name for t in Theme.objects.filter(locale__language_code="nl")]
    validated = {str(v.sqref).split(":")[0] for v in services_sheet.data_validations.dataValidation}
    where = columns(book)
    for key in ("themes", "audiences", "languages", "wijken", "cost", "access"):
        assert f"{openpyxl.utils.get_column_letter(where[key])}2" in validated, key


def test_values_no_longer_among_the_choices_are_written_as_stored(editor, own):
    """A cost or access stored under an earlier list of choices does not stop
    her downloading the sheet."""
    service = services_of(own.partner)[0]
    ServicePage.objects.filter(pk=service.pk).update(cost="naar_inkomen", access="per_brief")
    book = download(logged_in(editor), own.partner)
    row, where = row_of(book, service.translation_key), columns(book)
    assert book.worksheets[0].cell(row, where["cost"]).value == "naar_inkomen"
    assert book.worksheets[0].cell(row, where["access"]).value == "per_brief"


def test_the_headers_follow_the_admin_language(editor, own):
    book = download(logged_in(speaks(editor, "nl")), own.partner)
    header = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    assert header[1:3] == ["Titel", "Samenvatting"]


def test_another_partners_spreadsheet_is_refused_with_403(editor, other):
    client = logged_in(editor)
    for name in ("template", "upload", "preview"):
        response = client.get(reverse(f"spreadsheet:{name}", args=(other.partner.pk,)))
        assert response.status_code == 403, name


def test_the_preview_shows_new_changed_and_unchanged_rows_and_writes_nothing(editor, own):
    client = logged_in(speaks(editor, "en"))
    book = download(client, own.partner)
    services = services_of(own.partner)
    changed_two_and_new_one(book, services)
    revisions = Revision.objects.count()
    response = upload(client, own.partner, as_upload(book))
    assert response.status_code == 302
    page = preview(client, own.partner).content.decode()
    assert states(page) == ["changed", "changed"] + ["unchanged"] * (len(services) - 2) + ["new"]
    assert "Summary" in page and "About the cost" in page
    assert Revision.objects.count() == revisions
    assert len(services_of(own.partner)) == len(services)


def test_submitting_saves_revisions_in_the_partners_workflow(editor, own):
    client = logged_in(editor)
    book = download(client, own.partner)
    services = services_of(own.partner)
    first, second = changed_two_and_new_one(book, services)
    upload(client, own.partner, as_upload(book))
    response = client.post(reverse("spreadsheet:preview", args=(own.partner.pk,)))
    assert response.status_code == 200

    first = ServicePage.objects.get(pk=first.pk)
    assert first.summary != "Nieuwe samenvatting uit het blad."  # the live page waits
    draft = first.get_latest_revision_as_object()
    assert draft.summary == "Nieuwe samenvatting uit het blad."
    assert draft.title == services[0].title  # what the sheet did not change stays
    second = ServicePage.objects.get(pk=second.pk).get_latest_revision_as_object()
    assert (second.cost, second.cost_note) == ("contribution", "€ 1 per keer")
    new = ServicePage.objects.get(title="Naaicafé uit het blad (test)")
    assert new.get_parent().pk == own.partner.pk
    assert not new.live
    assert new.body == "<p>Elke week.</p><p>Neem je eigen stof mee.</p>"
    assert new.themes.count() == 2
    assert [w.cbs_code for w in new.wijken.all()] == ["WK034403"]
    for page in (first, second, new):
        state = Page.objects.get(pk=page.pk).current_workflow_state
        assert state is not None
        assert state.current_task_state.task.name.startswith("Partnerreview")
        assert state.requested_by == editor
    unchanged = services[2] if len(services) > 2 else None
    if unchanged is not None:
        assert Page.objects.get(pk=unchanged.pk).current_workflow_state is None
    # The session's upload is spent: submitting twice changes nothing more.
    again = client.post(reverse("spreadsheet:preview", args=(own.partner.pk,)))
    assert again.status_code == 302


def test_every_problem_is_named_by_row_and_column_and_those_rows_are_not_submitted(editor, own):
    client = logged_in(speaks(editor, "en"))
    book = download(client, own.partner)
    services = services_of(own.partner)
    put(book, row_of(book, services[0].translation_key), themes="Bestaat niet", email="geen-adres")
    put(book, row_of(book, services[1].translation_key), summary="")
    row = empty_row(book)
    put(book, row, id="niet-een-id", title="Kapot")
    put(book, row + 1, title="Omgekeerd \u202etekst", summary="Kort.", phone="030 799 1234")
    put(book, row + 2, id="7f0c3a55-2c1e-4d0e-9d6b-000000000000", title="Weg")
    log_entries = PageLogEntry.objects.count()
    upload(client, own.partner, as_upload(book))
    page = preview(client, own.partner).content.decode()
    html = page.replace("&quot;", '"').replace("&#x27;", "'")
    assert "<strong>Themes</strong>: “Bestaat niet” is not in the list of Themes." in html
    assert "<strong>E-mail</strong>: Enter a valid email address." in html
    assert "<strong>Summary</strong>: This field is required." in html
    assert "“niet-een-id” is not a service id" in html
    assert "<strong>Title</strong>: This text contains invisible characters" in html
    assert "No service has this id" in html
    # A new row without themes is refused the way the editor form refuses it.
    assert "<strong>Themes</strong>: This field is required." in html
    client.post(reverse("spreadsheet:preview", args=(own.partner.pk,)))
    assert PageLogEntry.objects.count() == log_entries
    assert not ServicePage.objects.filter(title__in=["Kapot", "Weg"]).exists()


def test_another_partners_editor_is_refused_those_services_per_row(
    editor, other_editor, own, other
):
    book = download(logged_in(editor), own.partner)
    services = services_of(own.partner)
    for service in services[:2]:
        put(book, row_of(book, service.translation_key), summary="Overgenomen door een ander.")
    client = logged_in(speaks(other_editor, "en"))
    log_entries = PageLogEntry.objects.count()
    # Uploaded to her own partner: the ids are not her partner's.
    assert upload(client, other.partner, as_upload(book)).status_code == 302
    page = preview(client, other.partner).content.decode()
    assert page.count("This service belongs to another partner.") == len(services)
    assert own.partner.title not in page
    client.post(reverse("spreadsheet:preview", args=(other.partner.pk,)))
    assert PageLogEntry.objects.count() == log_entries
    for service in services[:2]:
        draft = ServicePage.objects.get(pk=service.pk).get_latest_revision_as_object()
        assert draft.summary != "Overgenomen door een ander."
    # And to the first partner's own address: 403.
    assert upload(client, own.partner, as_upload(book)).status_code == 403


def test_a_formula_is_stored_as_text_and_written_back_as_text(editor, own):
    client = logged_in(editor)
    book = download(client, own.partner)
    service = services_of(own.partner)[0]
    put(book, row_of(book, service.translation_key), title=FORMULA)
    assert book.worksheets[0].cell(row_of(book, service.translation_key), 2).data_type == "f"
    upload(client, own.partner, as_upload(book))
    client.post(reverse("spreadsheet:preview", args=(own.partner.pk,)))
    draft = ServicePage.objects.get(pk=service.pk).get_latest_revision_as_object()
    assert draft.title == FORMULA
    again = download(client, own.partner)
    cell = again.worksheets[0].cell(row_of(again, service.translation_key), columns(again)["title"])
    assert (cell.value, cell.data_type) == (FORMULA, "s")
    # Published, the open-data export writes it escaped, as every formula-like cell.
    ServicePage.objects.get(pk=service.pk).get_latest_revision().publish()
    archive = io.BytesIO()
    tabular.export_zip(archive, own.partner.locale, partner=own.partner)
    with zipfile.ZipFile(archive) as package:
        services = list(csv.DictReader(io.StringIO(package.read("services.csv").decode())))
    assert "'" + FORMULA in [row["name"] for row in services]


def zip_bomb() -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    buffer.seek(0)
    buffer.name = "bom.xlsx"
    return buffer


def named(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (lambda: named(b"titel;samenvatting\nA;B\n", "diensten.csv"), "not an Excel workbook"),
        (lambda: named(b"%PDF-1.4\n%%EOF\n", "diensten.xlsx"), "not an Excel workbook"),
        (lambda: named(b"0" * (sheet.MAX_BYTES + 1), "groot.xlsx"), "larger than 5 MB"),
        (zip_bomb, "unpacks to far more"),
    ],
    ids=["csv", "not-a-zip", "huge", "zip-bomb"],
)
def test_a_broken_file_is_refused_with_a_message_and_nothing_kept(editor, own, file, message):
    client = logged_in(speaks(editor, "en"))
    response = upload(client, own.partner, file())
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f"spreadsheet-{own.partner.pk}" not in client.session


def test_a_sheet_without_the_id_column_is_refused(editor, own):
    client = logged_in(speaks(editor, "en"))
    book = openpyxl.Workbook()
    book.active.append(["Title", "Summary"])
    book.active.append(["Iets", "Iets anders"])
    response = upload(client, own.partner, as_upload(book))
    assert "Start from the downloaded template" in response.content.decode()


def test_the_menu_item_shows_for_partner_staff_only(editor, django_user_model):
    assert "spreadsheet/" in logged_in(editor).get(reverse("wagtailadmin_home")).content.decode()
    nobody = get_user_model().objects.create_user("zonder-partner", password="x" * 20)
    nobody.user_permissions.add(*permissions([ADMIN_ACCESS]))
    client = logged_in(nobody)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("spreadsheet:index") not in home
    assert client.get(reverse("spreadsheet:index")).status_code == 403


def test_her_partner_page_in_the_admin_offers_the_spreadsheet(editor, own, other):
    client = logged_in(editor)
    upload_url = reverse("spreadsheet:upload", args=(own.partner.pk,))
    page = client.get(reverse("wagtailadmin_explore", args=(own.partner.pk,))).content.decode()
    assert upload_url in page
    elsewhere = client.get(reverse("wagtailadmin_explore", args=(other.partner.pk,)))
    assert reverse("spreadsheet:upload", args=(other.partner.pk,)) not in elsewhere.content.decode()
