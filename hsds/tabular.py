"""The directory as an HSDS 3.0 tabular data package: ``datapackage.json``
and one CSV per HSDS object, for ``manage.py export_hsds`` and the
moderators' download in the admin.

The rows are the API's objects (hsds/mapping.py, the one mapping) cut into
tables: every nested list becomes rows of its own table, embedded copies of
objects that have a table of their own (a service's organization, an
attribute's taxonomy term) are left out. Tables and columns are Open
Referral's (``spec/datapackage.json``, unchanged); the profile's ``x_``
extensions follow as extra columns at the end, declared in the package.
Tables we never fill (contact, program, funding, required_document,
metadata) are there with their header only, so the package is complete.

It streams: services are read in chunks and their rows written at once, so
the memory needed does not grow with the size of the directory (only with
the number of partners and taxonomy terms).
"""

from __future__ import annotations

import copy
import csv
import datetime
import json
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from wagtail.models import Locale

from directory.models import PartnerPage

from . import mapping
from .views import shown_partners, shown_services, with_relations

SPEC = Path(__file__).with_name("spec") / "datapackage.json"
CHUNK_SIZE = 500

# A nested list (or object) in the mapping's output and the table its items go to.
NESTED = {
    "organization_identifiers": "organization_identifier",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "location": "location",
    "addresses": "address",
    "accessibility": "accessibility",
    "languages": "language",
    "cost_options": "cost_option",
    "attributes": "attribute",
}
# Copies of objects that have rows of their own elsewhere in the package.
EMBEDDED = {"organization", "taxonomy_term", "service"}

LANGUAGE_FIELD = {
    "name": "x_language",
    "type": "string",
    "title": "Language",
    "description": "Wijkwijzer profile: the language of this row's texts (ISO 639-1), "
    "the language exported or Dutch where not translated.",
}
# The profile's extensions (docs/hsds-profile/extensions.json) as columns.
EXTENSIONS = {
    "organization": [LANGUAGE_FIELD],
    "service": [
        LANGUAGE_FIELD,
        {
            "name": "x_page_url",
            "type": "string",
            "format": "uri",
            "title": "Page URL",
            "description": "Wijkwijzer profile: the service's page on the site.",
        },
        {
            "name": "x_channels",
            "type": "array",
            "title": "Ways to reach the service",
            "description": "Wijkwijzer profile: a JSON array of the service's ways to reach "
            "it, each with id, kind (desk, phone, whatsapp, email, video, interpreter), value "
            "(the number or address), languages (ISO 639 codes spoken on it), hours_note "
            "and, for a desk, service_at_location_id. Phone and WhatsApp channels are also "
            "rows of phone.csv (same id) with their languages in language.csv (phone_id).",
        },
    ],
    "service_at_location": [LANGUAGE_FIELD],
    "location": [LANGUAGE_FIELD],
    "taxonomy_term": [LANGUAGE_FIELD],
    "schedule": [
        {
            "name": "x_closed",
            "type": "boolean",
            "title": "Closed",
            "description": "Wijkwijzer profile: on an exception (valid_from to valid_to, no "
            "freq), closed on those dates. Exceptions replace the weekly schedules.",
        }
    ],
    "service_area": [
        {
            "name": "x_cbs_code",
            "type": "string",
            "title": "CBS code",
            "description": "Wijkwijzer profile: the CBS code of the wijk or municipality.",
        },
        {
            "name": "x_cbs_code_type",
            "type": "string",
            "title": "CBS code type",
            "description": "Wijkwijzer profile: CBS-wijk or CBS-gemeente.",
            "constraints": {"enum": [mapping.CBS_WIJK, mapping.CBS_MUNICIPALITY]},
        },
    ],
}
# HSDS requires address.state_province; the directory records no provinces,
# so the API gives it present and empty (see the profile). In a CSV an empty
# cell means "missing" unless the table says otherwise, so the address table
# says that an empty cell is an empty text (all its fields are texts).
KEEP_EMPTY = {"address"}

# Spreadsheets run a cell that starts with one of these as a formula. A
# number (an E.164 phone number, a negative coordinate) is left alone: it
# calls nothing, and its readers need it as it is.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?\Z")


def escape(text: str) -> str:
    """A cell that a spreadsheet would run as a formula, made text with a
    leading single quote (the convention spreadsheets themselves use)."""
    if text.startswith(FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


def spec() -> dict:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def descriptor(locale: Locale, base_url: str = "") -> dict:
    """``datapackage.json``: Open Referral's tables with the profile's columns
    added at the end of theirs."""
    official = spec()
    resources = []
    for resource in official["resources"]:
        resource = copy.deepcopy(resource)
        resource["encoding"] = "utf-8"
        resource["schema"]["fields"] += EXTENSIONS.get(resource["name"], [])
        if resource["name"] in KEEP_EMPTY:
            resource["schema"]["missingValues"] = []
        resources.append(resource)
    return {
        "name": "wijkwijzer-hsds",
        "title": "Wijkwijzer: neighbourhood help as HSDS 3.0",
        "description": "The live, public services of the Wijkwijzer directory, their "
        "organizations and locations, as Open Referral's Human Services Data "
        "Specification 3.0 (tabular), with the Wijkwijzer Dutch profile.",
        "profile": "tabular-data-package",
        "version": official["version"],
        "homepage": base_url or official["homepage"],
        "language": locale.language_code,
        "x_hsds_profile": settings.HSDS_PROFILE_URL or base_url + reverse("hsds:profile"),
        "x_formula_escape": "Cells that would start with = + - @ (other than plain numbers) "
        "start with a single quote (') added on export; remove it on import.",
        "resources": resources,
    }


def cell(value, kind: str) -> str:
    """One value as Table Schema writes a field of this type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        # Table Schema's array and object: JSON.
        return escape(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    text = str(value)
    if kind == "time" and len(text) == 5:
        text += ":00"  # the mapping's HH:MM; Table Schema's time is HH:MM:SS
    elif kind == "datetime" and text:
        moment = datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)
        text = moment.isoformat().replace("+00:00", "Z")
    return escape(text)


class PackageWriter:
    """One open CSV writer per table; rows go to disk as they come."""

    def __init__(self, directory: Path, resources: list[dict]):
        self.directory = directory
        self.resources = resources
        self.counts = {resource["name"]: 0 for resource in resources}

    def __enter__(self) -> PackageWriter:
        self._stack = ExitStack()
        self.tables = {}
        for resource in self.resources:
            handle = self._stack.enter_context(
                (self.directory / resource["path"]).open("w", encoding="utf-8", newline="")
            )
            fields = resource["schema"]["fields"]
            writer = csv.writer(handle)
            writer.writerow(field["name"] for field in fields)
            self.tables[resource["name"]] = (writer, [(f["name"], f["type"]) for f in fields])
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def write(self, table: str, row: dict) -> None:
        writer, fields = self.tables[table]
        unknown = set(row) - {name for name, _kind in fields}
        if unknown:
            # A field the mapping gained that the package does not declare:
            # fail loudly rather than drop it.
            raise ValueError(f"{table} has no column for {sorted(unknown)}")
        writer.writerow(cell(row.get(name), kind) for name, kind in fields)
        self.counts[table] += 1

    def write_object(self, table: str, obj: dict) -> None:
        for name, row in rows(table, obj):
            self.write(name, row)


def rows(table: str, obj: dict) -> Iterator[tuple[str, dict]]:
    """An HSDS object of the mapping as table rows: its own, then its children's."""
    own, children = {}, []
    for key, value in obj.items():
        if key in NESTED:
            items = value if isinstance(value, list) else [value]
            children += [(NESTED[key], child) for child in items]
        elif key not in EMBEDDED:
            own[key] = value
    yield table, own
    for name, child in children:
        yield from rows(name, child)


def chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export(
    directory: Path,
    locale: Locale,
    *,
    partner: PartnerPage | None = None,
    base_url: str = "",
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, int]:
    """Write the package into ``directory`` (which must exist); the number
    of rows per table."""
    directory = Path(directory)
    package = descriptor(locale, base_url)
    (directory / "datapackage.json").write_text(
        json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    context = mapping.Context(locale=locale, base_url=base_url)
    services = with_relations(shown_services(locale), True)
    partners = shown_partners(locale)
    if partner is not None:
        services = services.filter(partner.in_any_version(children_only=True))
        partners = partners.filter(translation_key=partner.translation_key)

    with PackageWriter(directory, package["resources"]) as out:
        out.write(
            "meta_table_description",
            {
                "id": mapping.derived_id("meta_table_description", locale.language_code),
                "name": package["title"],
                "language": locale.language_code,
                "character_set": "UTF-8",
            },
        )
        for info in mapping.TAXONOMIES:
            out.write("taxonomy", mapping.taxonomy(info))
        context.load_terms()
        for term in sorted(
            context.terms.values(), key=lambda t: (t.hsds_taxonomy.key, str(t.translation_key))
        ):
            out.write_object("taxonomy_term", mapping.taxonomy_term(term, context))

        # Services first: the partners they name are then known, and a
        # partner that is not listed itself (not public) still gets its row.
        referred = set()
        rows_of = services.order_by("translation_key").iterator(chunk_size=chunk_size)
        for chunk in chunks(rows_of, chunk_size):
            context.load_partners(chunk)
            for page in chunk:
                data = mapping.service(page, context, full=True)
                referred.add(data["organization_id"])
                out.write_object("service", data)
        written = set()
        for page in partners.order_by("translation_key").iterator(chunk_size=chunk_size):
            out.write_object("organization", mapping.organization(page, context, full=True))
            written.add(str(page.translation_key))
        for page in sorted(context.partners.values(), key=lambda p: p.locale_id != locale.pk):
            key = str(page.translation_key)
            if key in referred - written:
                out.write_object("organization", mapping.organization(page, context, full=True))
                written.add(key)
        return out.counts


def export_zip(target, locale: Locale, **options) -> dict[str, int]:
    """The package as a zip archive written to ``target`` (a path or a
    binary file), by way of a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="hsds-export-") as folder:
        counts = export(Path(folder), locale, **options)
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return counts


def find_partner(value: str) -> PartnerPage:
    """A partner by its HSDS id (UUID), page id or slug; the Dutch version."""
    partners = PartnerPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
    try:
        found = partners.filter(translation_key=uuid.UUID(value))
    except ValueError:
        found = partners.filter(pk=int(value)) if value.isdigit() else partners.filter(slug=value)
    partner = found.first()
    if partner is None:
        raise PartnerPage.DoesNotExist(f"No partner {value!r} (give its slug, id or HSDS id).")
    return partner
