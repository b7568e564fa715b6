"""Reading an HSDS 3.0 tabular data package (a folder or a zip file) for the
import, refusing what is unsafe before anything is written.

The package's own ``datapackage.json`` only says where each table's CSV is;
which tables and columns exist, which are required and what type each has
comes from Open Referral's descriptor (``spec/datapackage.json``), so a
package cannot loosen the rules by declaring its own. Refused outright, with
nothing read further: a file over the size limit, a zip whose members
unpack to more than the limit or at a ratio no real CSV has (a zip bomb:
checked from the zip's directory before a byte is unpacked, and counted
again while reading, in case the directory lies), a CSV that is not UTF-8,
a table without one of its required columns. Single cells of the wrong type
(a broken UUID, a date that is no date) are problems of their row only
(``Row.problems``): the importer refuses what that row belongs to.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .tabular import FORMULA_START, NUMBER, spec

MAX_MB = 200
# Real CSVs compress some 5 to 20 times; a bomb thousands of times.
MAX_RATIO = 100
# Below this a high ratio is harmless (a file of one repeated line).
RATIO_FLOOR = 1024 * 1024

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?\Z")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class PackageError(ValueError):
    """The package as a whole is refused; nothing is imported."""


@dataclass(frozen=True)
class Problem:
    """One refused row, or one part of it the directory cannot hold."""

    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}:{self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclass
class Row:
    file: str
    number: int  # as a spreadsheet counts: the header is row 1
    values: dict[str, object]
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str, default=None):
        value = self.values.get(name)
        return default if value in (None, "") else value

    def problem(self, column: str, reason: str) -> Problem:
        return Problem(self.file, self.number, column, reason)


def unescape(text: str) -> str:
    """The export's formula escape taken off again (hsds/tabular.escape):
    the text is kept as text; nothing here ever evaluates it."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START) and not NUMBER.match(text[1:]):
        return text[1:]
    return text


def parse(kind: str, form: str, text: str):
    """A cell as its Table Schema type; ValueError when it is not one."""
    if kind == "string":
        if form == "uuid":
            if not UUID.match(text):
                raise ValueError(f"{text!r} is not a UUID")
            return text.lower()
        return unescape(text) if form == "default" else text
    if kind == "number":
        number = float(text)
        if not math.isfinite(number):
            raise ValueError(f"{text!r} is not a number")
        return number
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        if text.lower() not in BOOLEANS:
            raise ValueError(f"{text!r} is not true or false")
        return BOOLEANS[text.lower()]
    if kind == "date":
        if len(text) != 10:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
        return datetime.date.fromisoformat(text)
    if kind == "time":
        if not TIME.match(text):
            raise ValueError(f"{text!r} is not a time (HH:MM:SS)")
        return datetime.time.fromisoformat(text)
    if kind == "datetime":
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(f"{text!r} has no time zone")
        return moment
    return text


class Source:
    """The files of a package, by name, in a folder or a zip file."""

    def __init__(self, path: Path, max_bytes: int):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.limit = f"{max_bytes / 1024 / 1024:g} MB"
        if not self.path.exists():
            raise PackageError(f"{self.path}: no such file or folder.")
        self.archive = None
        if self.path.is_dir():
            self.names = {p.name: p for p in self.path.iterdir() if p.is_file()}
            for name, file in self.names.items():
                if file.stat().st_size > max_bytes:
                    raise PackageError(f"{name}: larger than the limit of {self.limit}.")
        else:
            if self.path.stat().st_size > max_bytes:
                raise PackageError(f"{self.path.name}: larger than the limit of {self.limit}.")
            if not zipfile.is_zipfile(self.path):
                raise PackageError(
                    f"{self.path.name}: neither a folder nor a zip file with a datapackage.json."
                )
            self.archive = zipfile.ZipFile(self.path)
            self.names = {}
            total = 0
            for info in self.archive.infolist():
                if info.is_dir():
                    continue
                total += info.file_size
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
                    raise PackageError(
                        f"{info.filename}: unpacks {ratio:.0f} times larger than it is packed; "
                        "refused as a zip bomb."
                    )
                # A package may sit in one folder inside the zip.
                self.names[info.filename.rsplit("/", 1)[-1]] = info
            if total > max_bytes:
                raise PackageError(
                    f"{self.path.name}: unpacks to {total / 1024 / 1024:.0f} MB, more than the "
                    f"limit of {self.limit}."
                )

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def read(self, name: str) -> bytes | None:
        found = self.names.get(name)
        if found is None:
            return None
        if self.archive is None:
            return found.read_bytes()
        with self.archive.open(found) as member:
            # Counted while reading: the sizes in a zip's directory are claims.
            data = member.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise PackageError(f"{name}: unpacks to more than the limit of {self.limit}.")
        return data


def text_of(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PackageError(
            f"{name}: not UTF-8 (line {line}, byte {error.start}: {data[error.start]:#04x}). "
            "Save the file as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again."
        ) from None


class Package:
    """The tables of a package as lists of ``Row``, keyed by HSDS table name
    (``service``, ``organization``...); a table the package lacks is empty."""

    def __init__(self, path, max_mb: float = MAX_MB):
        self.tables: dict[str, list[Row]] = {}
        self.notes: list[Problem] = []
        path = Path(path)
        if path.suffix.lower() == ".json":
            self._read_json(path, int(max_mb * 1024 * 1024))
            return
        source = Source(path, int(max_mb * 1024 * 1024))
        try:
            self._read(source)
        finally:
            source.close()

    def _read_json(self, path: Path, max_bytes: int) -> None:
        """JSON from an HSDS API: a page of ``/services`` (full) or one
        service's detail, cut into the tables the export writes
        (hsds/tabular.rows) and read from there like a package, so every
        check is the same. A row number is the object's place among those
        of its type, counted as a CSV's rows are (the first is 2)."""
        from .tabular import KEEP_EMPTY, cell, rows

        if not path.exists():
            raise PackageError(f"{path}: no such file.")
        if path.stat().st_size > max_bytes:
            raise PackageError(
                f"{path.name}: larger than the limit of {max_bytes / 1024 / 1024:g} MB."
            )
        try:
            data = json.loads(text_of(path.name, path.read_bytes()))
        except ValueError as error:
            raise PackageError(f"{path.name}: not JSON ({error}).") from None
        items = data.get("contents", [data]) if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise PackageError(f"{path.name}: neither a list of services nor one service.")
        found: dict[str, list[dict]] = {}
        organizations = {}
        for item in items:
            for table, row in rows("service", item):
                found.setdefault(table, []).append(row)
            organization = item.get("organization")
            if isinstance(organization, dict) and organization.get("id") not in organizations:
                organizations[organization.get("id")] = organization
                for table, row in rows("organization", organization):
                    found.setdefault(table, []).append(row)
        self.language = None
        for resource in spec()["resources"]:
            name = resource["name"]
            kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
            objects = found.get(name, [])
            header = list(kinds) + sorted({key for row in objects for key in row} - set(kinds))
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            for row in objects:
                writer.writerow(cell(row.get(key), kinds.get(key, "string")) for key in header)
            label = f"{path.name} {resource['path'].removesuffix('.csv')}"
            empty = [] if name in KEEP_EMPTY else [""]
            table = self._table(label, resource, text.getvalue().encode(), empty)
            self.tables[name] = table
        if not self.tables["service"]:
            raise PackageError(f"{path.name}: no services in it.")

    def _read(self, source: Source) -> None:
        descriptor = source.read("datapackage.json")
        if descriptor is None:
            raise PackageError(f"{source.path.name}: no datapackage.json in it.")
        try:
            declared = json.loads(text_of("datapackage.json", descriptor))
            paths, missing = {}, {}
            for resource in declared.get("resources", []):
                paths[resource["name"]] = str(resource["path"]).rsplit("/", 1)[-1]
                # The one thing a package's own schema decides: whether an
                # empty cell is "no value" or an empty text (the export says
                # the latter for addresses, see hsds/tabular.KEEP_EMPTY).
                if resource.get("schema", {}).get("missingValues") == []:
                    missing[resource["name"]] = []
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise PackageError(f"datapackage.json: not a data package ({error}).") from None
        self.language = declared.get("language") if isinstance(declared, dict) else None
        for resource in spec()["resources"]:
            name = resource["name"]
            path = paths.get(name, resource["path"])
            data = source.read(path)
            empty = missing.get(name, [""])
            self.tables[name] = [] if data is None else self._table(path, resource, data, empty)
        if not self.tables["service"] and not self.tables["organization"]:
            raise PackageError(
                f"{source.path.name}: no organizations.csv or services.csv with rows in it."
            )

    def _table(self, path: str, resource: dict, data: bytes, empty: list[str]) -> list[Row]:
        reader = csv.reader(io.StringIO(text_of(path, data), newline=""))
        try:
            header = next(reader)
        except StopIteration:
            return []
        except csv.Error as error:
            raise PackageError(f"{path}: not a CSV file ({error}).") from None
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        required = [name for name, f in fields.items() if f.get("constraints", {}).get("required")]
        missing = [name for name in required if name not in header]
        if missing:
            raise PackageError(
                f"{path}: the required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing."
            )
        unknown = [name for name in header if name not in fields and not name.startswith("x_")]
        if unknown:
            self.notes.append(Problem(path, 1, ", ".join(unknown), "unknown columns, ignored"))
        rows = []
        try:
            for number, cells in enumerate(reader, start=2):
                if not any(cells):
                    continue
                row = Row(path, number, {})
                if len(cells) != len(header):
                    row.problems.append(
                        row.problem("", f"{len(cells)} cells where the header has {len(header)}")
                    )
                for name, text in zip(header, cells, strict=False):
                    if name not in fields:
                        row.values[name] = unescape(text) if name.startswith("x_") else text
                        continue
                    f = fields[name]
                    if text in empty or (text == "" and f["type"] != "string"):
                        if f.get("constraints", {}).get("required"):
                            row.problems.append(row.problem(name, "required, but empty"))
                        row.values[name] = None
                        continue
                    try:
                        row.values[name] = parse(f["type"], f.get("format", "default"), text)
                    except ValueError as error:
                        row.values[name] = None
                        row.problems.append(row.problem(name, str(error)))
                rows.append(row)
        except csv.Error as error:
            raise PackageError(f"{path}: not a CSV file ({error}).") from None
        return rows
