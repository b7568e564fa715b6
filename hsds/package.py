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

Bounded memory: each CSV is read a line at a time and its rows go to a
spool, a temporary SQLite file beside the import (``Spool``), keyed by the
columns the importer looks rows up by; the importer then reads the services
from there a batch at a time, and each service's rows by its id. So 100,000
services take no more memory than 1,000; only the disk holds the package
twice for as long as the import runs.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import pickle
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
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
        with self.open(name) as stream:
            return b"".join(lines_of(name, stream, self.max_bytes, self.limit))

    def open(self, name: str):
        """The file as a binary stream, or None when the package lacks it."""
        found = self.names.get(name)
        if found is None:
            return None
        return found.open("rb") if self.archive is None else self.archive.open(found)


def lines_of(name: str, stream, max_bytes: int, limit: str) -> Iterator[bytes]:
    """A file's lines, counted while reading: the sizes in a zip's directory
    are claims, and a folder's file may grow while it is read."""
    read = 0
    while line := stream.readline(max_bytes - read + 1):
        read += len(line)
        if read > max_bytes:
            raise PackageError(f"{name}: unpacks to more than the limit of {limit}.")
        yield line


def text_lines(name: str, lines: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 lines (a byte order mark taken off), refused with the line and
    byte where a file is in another encoding."""
    offset = 0
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PackageError(
                f"{name}: not UTF-8 (line {number}, byte {offset + error.start}: "
                f"{line[error.start]:#04x}). Save the file as UTF-8 (in a spreadsheet: CSV "
                "UTF-8) and import it again."
            ) from None
        if number == 1:
            text = text.removeprefix("\ufeff")
        offset += len(line)
        yield text


def text_of(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PackageError(
            f"{name}: not UTF-8 (line {line}, byte {error.start}: {data[error.start]:#04x}). "
            "Save the file as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again."
        ) from None


# The columns the importer looks rows up by, per table (the rows of a
# service, of a location, of an organization; locations and terms by id).
LOOKUPS = {
    "phone": ("service_id", "organization_id"),
    "schedule": ("service_id", "service_at_location_id"),
    "service_area": ("service_id",),
    "service_at_location": ("service_id",),
    "address": ("location_id",),
    "accessibility": ("location_id",),
    "language": ("service_id",),
    "cost_option": ("service_id",),
    "attribute": ("link_id",),
    "organization_identifier": ("organization_id",),
    "location": ("id",),
    "taxonomy_term": ("id",),
}


class Spool:
    """A package's rows on disk, in a temporary SQLite file: read back in
    their order per table, or by the columns in ``LOOKUPS``. Rows are
    pickled (their values are already parsed: dates, times, numbers)."""

    CHUNK = 2000

    def __init__(self):
        self.folder = tempfile.TemporaryDirectory(prefix="hsds-import-")
        self.db = sqlite3.connect(Path(self.folder.name) / "rows.sqlite3")
        # A scratch file: nothing in it survives a crash, so nothing is synced.
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE row (id INTEGER PRIMARY KEY, tbl TEXT, data BLOB);
            CREATE TABLE link (tbl TEXT, col TEXT, value TEXT, row INTEGER);
            """
        )
        self.counts: dict[str, int] = {}
        self.next_id = 1
        self.indexed = False

    def add(self, table: str, rows: Iterable[Row]) -> None:
        keys = LOOKUPS.get(table, ())
        found, links = [], []
        for row in rows:
            found.append((self.next_id, table, pickle.dumps(row, pickle.HIGHEST_PROTOCOL)))
            for key in keys:
                value = row.values.get(key)
                if value not in (None, ""):
                    links.append((table, key, str(value).lower(), self.next_id))
            self.next_id += 1
            self.counts[table] = self.counts.get(table, 0) + 1
            if len(found) >= self.CHUNK:
                self._write(found, links)
                found, links = [], []
        self._write(found, links)
        self.counts.setdefault(table, 0)

    def _write(self, found, links) -> None:
        self.db.executemany("INSERT INTO row VALUES (?, ?, ?)", found)
        self.db.executemany("INSERT INTO link VALUES (?, ?, ?, ?)", links)

    def _index(self) -> None:
        if not self.indexed:
            self.db.executescript(
                """
                CREATE INDEX link_value ON link (tbl, col, value);
                CREATE INDEX row_table ON row (tbl, id);
                """
            )
            self.indexed = True

    def rows(self, table: str) -> Iterator[Row]:
        self._index()
        # Its own cursor, read as it goes: lookups may run in between.
        cursor = self.db.execute("SELECT data FROM row WHERE tbl = ? ORDER BY id", (table,))
        for (data,) in cursor:
            yield pickle.loads(data)  # noqa: S301 - written by this process just before

    def find(self, table: str, column: str, value: str) -> list[Row]:
        self._index()
        found = self.db.execute(
            "SELECT data FROM row WHERE id IN "
            "(SELECT row FROM link WHERE tbl = ? AND col = ? AND value = ?) ORDER BY id",
            (table, column, value.lower()),
        )
        return [pickle.loads(data) for (data,) in found]  # noqa: S301 - as above

    def close(self) -> None:
        self.db.close()
        self.folder.cleanup()


class SpooledTable:
    """One table of a package: iterated from the spool, counted, never held."""

    def __init__(self, spool: Spool, name: str):
        self.spool, self.name = spool, name

    def __iter__(self) -> Iterator[Row]:
        return self.spool.rows(self.name)

    def __len__(self) -> int:
        return self.spool.counts.get(self.name, 0)


class Package:
    """The tables of a package, keyed by HSDS table name (``service``,
    ``organization``...), each iterable as ``Row`` and countable; a table the
    package lacks is empty. ``rows_of`` finds rows by a column in
    ``LOOKUPS``. ``source`` is a folder, a zip file, a JSON file from an HSDS
    API, or an ``https://`` address of either (hsds/remote.py)."""

    def __init__(self, path, max_mb: float = MAX_MB, *, timeout: float | None = None):
        self.notes: list[Problem] = []
        self.language = None
        self.spool = Spool()
        self.tables: dict[str, SpooledTable] = {}
        self._json_state: dict = {"organizations": set(), "counts": {}}
        max_bytes = int(max_mb * 1024 * 1024)
        try:
            if isinstance(path, str) and path.lower().startswith(("https://", "http://")):
                from . import remote

                remote.read(self, path, max_bytes, timeout=timeout)
            else:
                path = Path(path)
                if path.suffix.lower() == ".json":
                    self._read_json(path, max_bytes)
                else:
                    self.read_source(Source(path, max_bytes))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.spool.close()

    def rows_of(self, table: str, column: str, value: str) -> list[Row]:
        return self.spool.find(table, column, value)

    def _set_tables(self) -> None:
        self.tables = {
            resource["name"]: SpooledTable(self.spool, resource["name"])
            for resource in spec()["resources"]
        }

    def read_source(self, source: Source) -> None:
        try:
            self._read(source)
        finally:
            source.close()

    def _read_json(self, path: Path, max_bytes: int) -> None:
        if not path.exists():
            raise PackageError(f"{path}: no such file.")
        if path.stat().st_size > max_bytes:
            raise PackageError(
                f"{path.name}: larger than the limit of {max_bytes / 1024 / 1024:g} MB."
            )
        self.add_json(path.name, path.read_bytes())
        self.finish_json(path.name)

    def add_json(self, name: str, data: bytes) -> dict:
        """JSON from an HSDS API: a page of ``/services`` (full) or one
        service's detail, cut into the tables the export writes
        (hsds/tabular.rows) and read from there like a package, so every
        check is the same. A row number is the object's place among those
        of its type, counted as a CSV's rows are (the first is 2), over all
        pages. Returns the JSON (for its paging fields)."""
        from .tabular import KEEP_EMPTY, cell, rows

        try:
            data = json.loads(text_of(name, data))
        except ValueError as error:
            raise PackageError(f"{name}: not JSON ({error}).") from None
        items = data.get("contents", [data]) if isinstance(data, dict) else data
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise PackageError(f"{name}: neither a list of services nor one service.")
        found: dict[str, list[dict]] = {}
        organizations = self._json_state["organizations"]
        for item in items:
            for table, row in rows("service", item):
                found.setdefault(table, []).append(row)
            organization = item.get("organization")
            if isinstance(organization, dict) and organization.get("id") not in organizations:
                organizations.add(organization.get("id"))
                for table, row in rows("organization", organization):
                    found.setdefault(table, []).append(row)
        counts = self._json_state["counts"]
        for resource in spec()["resources"]:
            table_name = resource["name"]
            objects = found.get(table_name, [])
            if not objects:
                continue
            kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
            header = list(kinds) + sorted({key for row in objects for key in row} - set(kinds))
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(header)
            for row in objects:
                writer.writerow(cell(row.get(key), kinds.get(key, "string")) for key in header)
            label = f"{name.split('?')[0]} {resource['path'].removesuffix('.csv')}"
            empty = [] if table_name in KEEP_EMPTY else [""]
            lines = io.StringIO(text.getvalue(), newline="")
            first = counts.get(table_name, 0)
            parsed = list(self._table(label, resource, lines, empty))
            for row in parsed:
                row.number += first
                row.problems = [
                    Problem(p.file, p.row + first, p.column, p.reason) for p in row.problems
                ]
            counts[table_name] = first + len(parsed)
            self.spool.add(table_name, parsed)
        return data if isinstance(data, dict) else {}

    def finish_json(self, name: str) -> None:
        self._set_tables()
        if not self.tables["service"]:
            raise PackageError(f"{name}: no services in it.")

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
            stream = source.open(path)
            if stream is None:
                self.spool.add(name, [])
                continue
            with stream:
                lines = text_lines(path, lines_of(path, stream, source.max_bytes, source.limit))
                self.spool.add(name, self._table(path, resource, lines, missing.get(name, [""])))
        self._set_tables()
        if not self.tables["service"] and not self.tables["organization"]:
            raise PackageError(
                f"{source.path.name}: no organizations.csv or services.csv with rows in it."
            )

    def _table(
        self, path: str, resource: dict, lines: Iterable[str], empty: list[str]
    ) -> Iterator[Row]:
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            return
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
                yield row
        except csv.Error as error:
            raise PackageError(f"{path}: not a CSV file ({error}).") from None
