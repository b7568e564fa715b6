"""The spreadsheet itself: its columns, the template written for a partner,
and reading an uploaded file back into plain rows, refusing unsafe files
before a cell is read.

Columns are found by their header in any of the site's languages, so a
sheet downloaded in Arabic can be uploaded by a colleague whose admin is in
Dutch, and a column left out of the sheet leaves that field as it is. Every
cell is read as text: a formula (``=HYPERLINK(...)``) is kept as the text it
is and never evaluated, and the template writes such texts back as text
cells, which spreadsheets do not run.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.models import Locale

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from directory.choices import Access, Cost, label
from directory.models import Audience, Language, PartnerPage, ServicePage, Theme, WijkPage
from hsds import mapping
from hsds.package import MAX_RATIO, RATIO_FLOOR

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 1000
# Empty rows below the services where the lists and text formats still apply.
SPARE_ROWS = 200
SEPARATOR = ";"


class SheetError(ValueError):
    """The file as a whole is refused; nothing in it is read further."""


@dataclass(frozen=True)
class Column:
    key: str
    # A field of ServicePage (its label is the editor form's), or a label of its own.
    field: str = ""
    label: str = ""
    many: bool = False
    width: int = 24

    def header(self) -> str:
        if self.label:
            return str(self.label)
        return capfirst(str(ServicePage._meta.get_field(self.field).verbose_name))


ID = "id"
COLUMNS = [
    Column(ID, label=gettext_lazy("Id (leave empty for a new service)"), width=38),
    Column("title", "title", width=40),
    Column("summary", "summary", width=50),
    Column("description", "body", width=60),
    Column("themes", "themes", many=True, width=36),
    Column("audiences", "audiences", many=True, width=30),
    Column("languages", "languages", many=True),
    Column("wijken", "wijken", many=True, width=36),
    Column("cost", "cost", width=16),
    Column("cost_note", "cost_note", width=30),
    Column("access", "access", width=20),
    Column("access_note", "access_note", width=30),
    Column("phone", "phone", width=18),
    Column("email", "email", width=30),
    Column("website", "website", width=36),
]
BY_KEY = {column.key: column for column in COLUMNS}
LISTED = ("themes", "audiences", "languages", "wijken", "cost", "access")
TEXT_FORMAT = ("phone",)


def dutch() -> Locale:
    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def wijk_label(wijk: WijkPage) -> str:
    return f"{wijk.title} ({wijk.cbs_code})"


def language_label(language: Language) -> str:
    return f"{language.name} ({language.code})"


def choices() -> dict[str, list[tuple[str, object]]]:
    """Per listed column, its values as (label, value) in list order. Terms and
    wijken are the Dutch ones (the sheet holds the Dutch services; translating
    stays in the admin); cost and access are labelled in the admin's language."""
    locale = dutch()
    return {
        "themes": [(t.name, t) for t in Theme.objects.filter(locale=locale)],
        "audiences": [(a.name, a) for a in Audience.objects.filter(locale=locale)],
        "languages": [(language_label(x), x) for x in Language.objects.order_by("sort_order")],
        "wijken": [
            (wijk_label(w), w) for w in WijkPage.objects.filter(locale=locale).order_by("title")
        ],
        "cost": [(str(label), value) for value, label in Cost.choices],
        "access": [(str(label), value) for value, label in Access.choices],
    }


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def write_text(sheet, row: int, column: int, text: str):
    cell = sheet.cell(row=row, column=column, value=text)
    if isinstance(text, str) and text.startswith("="):
        # Text, never a formula: openpyxl takes "=..." for one.
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def phone_text(number) -> str:
    """Dutch numbers the Dutch way, others with their country (as the site shows them)."""
    if not number:
        return ""
    return number.as_national if number.country_code == 31 else number.as_international


def service_values(page: ServicePage) -> dict[str, str]:
    join = f"{SEPARATOR} ".join
    return {
        ID: str(page.translation_key),
        "title": page.title,
        "summary": page.summary,
        "description": mapping.plain(page.body),
        "themes": join(t.name for t in page.themes.all()),
        "audiences": join(a.name for a in page.audiences.all()),
        "languages": join(language_label(x) for x in page.languages.all()),
        "wijken": join(wijk_label(w) for w in page.wijken.all()),
        # A value no longer among the choices is written as stored, as pages show it.
        "cost": label(Cost, page.cost) if page.cost else "",
        "cost_note": page.cost_note,
        "access": label(Access, page.access) if page.access else "",
        "access_note": page.access_note,
        "phone": phone_text(page.phone),
        "email": page.email,
        "website": page.website,
    }


def partner_services(partner: PartnerPage) -> list[ServicePage]:
    """The partner's Dutch services as their latest revisions hold them, so
    the sheet starts from what the editor sees in the admin."""
    pages = ServicePage.objects.child_of(partner).filter(locale=partner.locale).order_by("path")
    return [page.get_latest_revision_as_object() for page in pages]


def template(partner: PartnerPage) -> bytes:
    """The partner's services as an xlsx workbook, headers in the active language."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Services")[:31]
    bold = Font(bold=True)
    for number, column in enumerate(COLUMNS, start=1):
        write_text(sheet, 1, number, column.header()).font = bold
        letter = openpyxl.utils.get_column_letter(number)
        sheet.column_dimensions[letter].width = column.width
    sheet.column_dimensions["A"].hidden = True
    sheet.freeze_panes = "B2"
    services = partner_services(partner)
    for row, page in enumerate(services, start=2):
        values = service_values(page)
        for number, column in enumerate(COLUMNS, start=1):
            write_text(sheet, row, number, values[column.key])
    last = len(services) + 1 + SPARE_ROWS
    grey = PatternFill("solid", fgColor="EEEEEE")
    for row in range(2, last + 1):
        sheet.cell(row=row, column=1).fill = grey
        for key in TEXT_FORMAT:
            sheet.cell(row=row, column=COLUMNS.index(BY_KEY[key]) + 1).number_format = "@"

    lists = book.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    name = lists.title.replace("'", "''")
    for number, (key, values) in enumerate(choices().items(), start=1):
        column = BY_KEY[key]
        write_text(lists, 1, number, column.header())
        for row, (text, _value) in enumerate(values, start=2):
            write_text(lists, row, number, text)
        letter = openpyxl.utils.get_column_letter(number)
        validation = DataValidation(
            type="list",
            formula1=f"='{name}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
        )
        if column.many:
            # Several values in one cell: the list helps choose, the check is on upload.
            validation.showErrorMessage = False
            validation.promptTitle = column.header()[:32]
            validation.prompt = _("Choose from the list; several values separated by ;")
            validation.showInputMessage = True
        else:
            validation.showErrorMessage = True
            validation.errorTitle = column.header()[:32]
            validation.error = _("Choose a value from the list.")
        target = openpyxl.utils.get_column_letter(COLUMNS.index(column) + 1)
        validation.add(f"{target}2:{target}{last}")
        sheet.add_data_validation(validation)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


# Reading an upload


def header_keys() -> dict[str, str]:
    """Every column's header in every language of the site, to its key."""
    known = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for column in COLUMNS:
                known[column.header().casefold()] = column.key
    for column in COLUMNS:
        known.setdefault(column.key, column.key)
    return known


def check_archive(upload) -> None:
    """An xlsx file is a zip: refused when it is none, or when it would unpack
    to far more than a spreadsheet of services (a zip bomb), before openpyxl
    unpacks anything."""
    limit = f"{MAX_BYTES / 1024 / 1024:g} MB"
    if upload.size > MAX_BYTES:
        raise SheetError(
            _("The file is larger than %(limit)s; a spreadsheet of services is far smaller.")
            % {"limit": limit}
        )
    not_xlsx = _(
        "This is not an Excel workbook (.xlsx). Save the spreadsheet as an Excel "
        "workbook (.xlsx) and upload that."
    )
    if not upload.name.lower().endswith(".xlsx") or not zipfile.is_zipfile(upload):
        raise SheetError(not_xlsx)
    upload.seek(0)
    with zipfile.ZipFile(upload) as archive:
        infos = archive.infolist()
        if "xl/workbook.xml" not in {info.filename for info in infos}:
            raise SheetError(not_xlsx)
        total = 0
        for info in infos:
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO) or total > MAX_UNPACKED:
                raise SheetError(
                    _("The file unpacks to far more than a spreadsheet of services; refused.")
                )
    upload.seek(0)


def read(upload) -> dict:
    """The uploaded sheet as ``{"rows": [{"row": n, "cells": {key: text}}],
    "ignored": [headers]}``; nothing in the directory is touched."""
    check_archive(upload)
    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise SheetError(
            _("The workbook could not be read (%(error)s). Download the template again.")
            % {"error": type(error).__name__}
        ) from error
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None) or ()
        known = header_keys()
        keys, ignored = [], []
        for value in header:
            text = cell_text(value)
            key = known.get(text.casefold())
            if key in keys:
                key = None
            keys.append(key)
            if text and key is None:
                ignored.append(text)
        if ID not in keys:
            raise SheetError(
                _(
                    "The first sheet has no column %(column)s in its first row. Start from "
                    "the downloaded template."
                )
                % {"column": BY_KEY[ID].header()}
            )
        rows = []
        for number, values in enumerate(lines, start=2):
            cells = {
                key: cell_text(value)
                for key, value in zip(keys, values, strict=False)
                if key is not None
            }
            if not any(cells.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise SheetError(
                    _("The sheet has more than %(count)s services; split it in parts.")
                    % {"count": MAX_ROWS}
                )
            rows.append({"row": number, "cells": cells})
    finally:
        book.close()
    return {"rows": rows, "ignored": ignored, "columns": [k for k in keys if k]}
