"""A check of a tabular data package's CSV files against its
``datapackage.json``, as Frictionless's Table Schema defines it, for what
HSDS's descriptor uses: headers, missing values, required, types and formats,
enums, unique fields and primary keys, foreign keys."""

import csv
import datetime
import json
import math
import re
from pathlib import Path
from urllib.parse import urlsplit

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d\Z")
BOOLEANS = {"true", "True", "TRUE", "1", "false", "False", "FALSE", "0"}


def valid(field: dict, text: str) -> bool:
    kind, form = field["type"], field.get("format", "default")
    try:
        if kind == "string" and form == "uuid":
            return bool(UUID.match(text))
        if kind == "string" and form == "email":
            return bool(EMAIL.match(text))
        if kind == "string" and form == "uri":
            parts = urlsplit(text)
            return bool(parts.scheme and parts.netloc)
        if kind == "string":
            return True
        if kind == "number":
            return math.isfinite(float(text))
        if kind == "integer":
            int(text)
            return True
        if kind == "boolean":
            return text in BOOLEANS
        if kind == "date":
            return len(text) == 10 and bool(datetime.date.fromisoformat(text))
        if kind == "time":
            return bool(TIME.match(text))
        if kind == "datetime":
            return bool(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo)
        if kind == "array":
            return isinstance(json.loads(text), list)
    except ValueError:
        return False
    raise AssertionError(f"type {kind} is not checked here")


def read(folder: Path, resource: dict) -> tuple[list[str], list[dict]]:
    with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def problems(folder: Path) -> list[str]:
    """Everything in the package at ``folder`` its descriptor does not allow."""
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    found, tables = [], {}
    for resource in package["resources"]:
        schema = resource["schema"]
        header, rows = read(folder, resource)
        tables[resource["name"]] = rows
        names = [field["name"] for field in schema["fields"]]
        if header != names:
            found.append(f"{resource['path']}: header {header} is not {names}")
            continue
        missing = schema.get("missingValues", [""])
        for field in schema["fields"]:
            constraints = field.get("constraints", {})
            seen = set()
            for number, row in enumerate(rows, start=2):
                where = f"{resource['path']} row {number} {field['name']}"
                value = row[field["name"]]
                if value in missing:
                    if constraints.get("required"):
                        found.append(f"{where}: required")
                    continue
                if not valid(field, value):
                    found.append(f"{where}: {value!r} is not a {field['type']}")
                if "enum" in constraints and value not in constraints["enum"]:
                    found.append(f"{where}: {value!r} not in {constraints['enum']}")
                if constraints.get("unique") or field["name"] == schema.get("primaryKey"):
                    if value in seen:
                        found.append(f"{where}: {value!r} is not unique")
                    seen.add(value)
    for resource in package["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            target = key["reference"]
            known = {row[target["fields"]] for row in tables[target["resource"]]}
            for number, row in enumerate(tables[resource["name"]], start=2):
                value = row[key["fields"]]
                if value and value not in known:
                    found.append(
                        f"{resource['path']} row {number} {key['fields']}: {value} is not in "
                        f"{target['resource']}"
                    )
    return found
