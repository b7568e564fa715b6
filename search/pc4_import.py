"""Load PC4 centre points for the offline geocoder from a CBS or PDOK file.

Accepted: a CSV with a PC4 column and either latitude/longitude or RD New x/y
(converted with ``opendata.rd_to_wgs84``), or a GeoJSON of PC4 areas or points
(the centroid of each area). The table is a JSON file of about 4,000 entries
nationally (~250 kB), read once into a dict: lookups stay a dict access.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from directory.validators import NL_LATITUDE, NL_LONGITUDE, PC4_RE

from .opendata import (
    OpenDataError,
    Problem,
    centre_point,
    looks_like_rd,
    parse_number,
    property_of,
    rd_to_wgs84,
    read_geojson,
    read_table,
)

POSTCODE_COLUMNS = ("pc4", "postcode4", "postcode", "postcode_4", "pc4_code", "postcode4_code")
LATITUDE_COLUMNS = ("latitude", "lat", "breedtegraad")
LONGITUDE_COLUMNS = ("longitude", "lon", "lng", "lengtegraad")
X_COLUMNS = ("x", "rd_x", "x_rd", "xcoord", "x_coord")
Y_COLUMNS = ("y", "rd_y", "y_rd", "ycoord", "y_coord")


@dataclass
class Pc4Report:
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    table: dict[str, dict[str, float]] = field(default_factory=dict)


def _pc4(value) -> str | None:
    text = str(value if value is not None else "").strip().replace(" ", "")
    text = text[:4] if len(text) == 6 and text[4:].isalpha() else text
    return text if PC4_RE.match(text) else None


def _in_netherlands(latitude: float, longitude: float) -> bool:
    return (
        NL_LATITUDE[0] <= latitude <= NL_LATITUDE[1]
        and NL_LONGITUDE[0] <= longitude <= NL_LONGITUDE[1]
    )


def read_points(path: str | Path) -> tuple[dict[str, tuple[float, float]], list[Problem]]:
    """PC4 -> (latitude, longitude) from a CSV or GeoJSON file, and the refused rows."""
    path = Path(path)
    if path.suffix.lower() in {".json", ".geojson"}:
        return _read_geojson_points(path)
    return _read_csv_points(path)


def _read_csv_points(path: Path):
    table = read_table(path)
    postcode = table.find_column(*POSTCODE_COLUMNS)
    latitude, longitude = (
        table.find_column(*LATITUDE_COLUMNS),
        table.find_column(*LONGITUDE_COLUMNS),
    )
    x, y = table.find_column(*X_COLUMNS), table.find_column(*Y_COLUMNS)
    if not postcode:
        raise OpenDataError(
            f"{path}: no postcode column; expected one of {', '.join(POSTCODE_COLUMNS)}."
        )
    if not (latitude and longitude) and not (x and y):
        raise OpenDataError(
            f"{path}: no coordinates; expected latitude and longitude columns, "
            "or x and y in RD New (EPSG:28992)."
        )
    points, problems = {}, []
    for number, row in table.rows:
        code = _pc4(row.get(postcode))
        if not code:
            problems.append(
                Problem(
                    table.path, number, postcode, f"not a 4-digit postcode: {row.get(postcode)!r}"
                )
            )
            continue
        try:
            if latitude and longitude and row.get(latitude) and row.get(longitude):
                point = parse_number(row[latitude]), parse_number(row[longitude])
            else:
                rd_x, rd_y = parse_number(row.get(x) or ""), parse_number(row.get(y) or "")
                point = rd_to_wgs84(rd_x, rd_y) if looks_like_rd(rd_x, rd_y) else (rd_y, rd_x)
        except ValueError:
            column = latitude if latitude and row.get(latitude) else (x or latitude)
            problems.append(Problem(table.path, number, column, "coordinates are not numbers"))
            continue
        if not _in_netherlands(*point):
            problems.append(
                Problem(
                    table.path,
                    number,
                    latitude or x,
                    f"{point[0]:.4f}, {point[1]:.4f} lies outside the Netherlands",
                )
            )
            continue
        if code in points:
            problems.append(Problem(table.path, number, postcode, f"postcode {code} appears twice"))
            continue
        points[code] = point
    return points, problems


def _read_geojson_points(path: Path):
    points, problems = {}, []
    for number, properties, geometry in read_geojson(path):
        raw = property_of(properties, *POSTCODE_COLUMNS)
        code = _pc4(raw)
        if not code:
            problems.append(
                Problem(str(path), number, "postcode", f"not a 4-digit postcode: {raw!r}")
            )
            continue
        point = centre_point(geometry)
        if point is None:
            problems.append(Problem(str(path), number, "geometry", "no point or polygon"))
            continue
        if not _in_netherlands(*point):
            problems.append(Problem(str(path), number, "geometry", "lies outside the Netherlands"))
            continue
        points[code] = point
    return points, problems


def import_pc4(
    source: str | Path, target: str | Path, *, replace: bool = False, dry_run: bool = False
) -> Pc4Report:
    """Merge the file's PC4 centre points into the table at ``target`` (or replace
    it with ``replace``). Refused rows are reported; the others are written.
    Writing goes through a temporary file, so the geocoder never reads half a table."""
    points, problems = read_points(source)
    target = Path(target)
    existing: dict[str, dict[str, float]] = {}
    if target.exists():
        existing = json.loads(target.read_text(encoding="utf-8")).get("pc4", {})
    report = Pc4Report(problems=problems)
    table = {} if replace else dict(existing)
    for code, (latitude, longitude) in sorted(points.items()):
        entry = {"latitude": round(latitude, 5), "longitude": round(longitude, 5)}
        before = existing.get(code)
        if before is None:
            report.counts["created"] += 1
        elif (round(before["latitude"], 5), round(before["longitude"], 5)) == tuple(entry.values()):
            report.counts["unchanged"] += 1
            entry = before
        else:
            report.counts["updated"] += 1
        table[code] = entry
    if replace:
        report.counts["removed"] = len(set(existing) - set(points))
    report.counts["refused"] = len(problems)
    report.table = dict(sorted(table.items()))
    changed = report.counts["created"] or report.counts["updated"] or report.counts["removed"]
    if not dry_run and changed:
        _write(target, report.table, source)
    return report


def _write(target: Path, table: dict, source) -> None:
    document = {
        "version": 1,
        "source": f"Imported from {Path(source).name} with manage.py import_pc4.",
        "pc4": table,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".pc4-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=1, ensure_ascii=False)
            out.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
