"""Reading the Dutch open geography files as their publishers ship them.

CBS and PDOK publish CSV with a byte-order mark, ``;`` (Statline) or ``,`` (PDOK,
spreadsheets) between fields, and codes padded with spaces (``WK034401  ``);
GeoJSON comes in WGS84 or in the Dutch grid RD New (EPSG:28992). Everything here
turns those into plain Python values, and names the file, row and column of what
it cannot read, so an import can refuse one row without guessing.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# A national file is a few MB; this only stops a wrong file (a dump, a video).
MAX_FILE_BYTES = 200 * 1024 * 1024


class OpenDataError(Exception):
    """The file as a whole cannot be read; nothing was imported."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.reason}"


@dataclass
class Table:
    """A CSV file read whole: its column names and its rows (row 2 is the first
    data row, as a spreadsheet numbers it)."""

    path: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def find_column(self, *names: str) -> str | None:
        """The first column named like one of ``names``, ignoring case and
        Statline's numbered suffix (``Codering_3`` is ``Codering``)."""
        wanted = [name.lower() for name in names]
        for name in wanted:
            for column in self.columns:
                if base_name(column) == name or column.lower() == name:
                    return column
        return None


def base_name(column: str) -> str:
    """``MeestVoorkomendePostcode_118`` -> ``meestvoorkomendepostcode``: Statline
    numbers its columns, and the number changes from year to year."""
    return re.sub(r"_\d+$", "", column.strip()).lower()


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise OpenDataError(f"{path}: {size // 1_000_000} MB is more than a CBS file can be.")
        data = path.read_bytes()
    except OSError as exc:
        raise OpenDataError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenDataError(
            f"{path}: not UTF-8 text (byte {exc.start}). CBS and PDOK publish UTF-8; "
            "if you saved the file from a spreadsheet, save it again as 'CSV UTF-8'."
        ) from exc
    if not text.strip():
        raise OpenDataError(f"{path}: the file is empty.")
    return text


def read_table(path: str | Path) -> Table:
    """Read a CSV with ``;`` or ``,`` between fields, with or without a BOM."""
    path = Path(path)
    text = _read_text(path)
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [column.strip().strip('"') for column in next(reader)]
        rows = []
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            rows.append((number, {c: v.strip() for c, v in zip(header, values, strict=False)}))
    except csv.Error as exc:
        raise OpenDataError(f"{path}: not a CSV file ({exc}).") from exc
    if not rows:
        raise OpenDataError(f"{path}: the file has a header but no rows.")
    return Table(str(path), header, rows)


def read_geojson(path: str | Path) -> list[tuple[int, dict, dict | None]]:
    """The features of a GeoJSON FeatureCollection as (number, properties, geometry)."""
    path = Path(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OpenDataError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}).") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise OpenDataError(f"{path}: not a GeoJSON FeatureCollection.")
    return [
        (number, feature.get("properties") or {}, feature.get("geometry"))
        for number, feature in enumerate(data.get("features") or [], start=1)
        if isinstance(feature, dict)
    ]


def property_of(properties: dict, *names: str):
    """A GeoJSON property by one of its names, ignoring case."""
    lowered = {str(key).lower(): value for key, value in properties.items()}
    for name in names:
        if lowered.get(name.lower()) not in (None, ""):
            return lowered[name.lower()]
    return None


# --- Coordinates ------------------------------------------------------------


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New (EPSG:28992) metres to WGS84 (latitude, longitude).

    The polynomial approximation of Schreutelkamp and Strang van Hees
    ("Benaderingsformules voor de transformatie tussen RD- en WGS84-
    kaartcoördinaten", 2001), accurate to about a metre within the Netherlands;
    good enough for centre points, and it needs no PROJ installation.
    """
    dx = (x - 155000) * 1e-5
    dy = (y - 463000) * 1e-5
    north = (
        3235.65389 * dy
        - 32.58297 * dx**2
        - 0.24750 * dy**2
        - 0.84978 * dx**2 * dy
        - 0.06550 * dy**3
        - 0.01709 * dx**2 * dy**2
        - 0.00738 * dx
        + 0.00530 * dx**4
        - 0.00039 * dx**2 * dy**3
        + 0.00033 * dx**4 * dy
        - 0.00012 * dx * dy
    )
    east = (
        5260.52916 * dx
        + 105.94684 * dx * dy
        + 2.45656 * dx * dy**2
        - 0.81885 * dx**3
        + 0.05594 * dx * dy**3
        - 0.05607 * dx**3 * dy
        + 0.01199 * dy
        - 0.00256 * dx**3 * dy**2
        + 0.00128 * dx * dy**4
        + 0.00022 * dy**2
        - 0.00022 * dx**2
        + 0.00026 * dx**5
    )
    return 52.15517440 + north / 3600, 5.38720621 + east / 3600


def looks_like_rd(x: float, y: float) -> bool:
    """RD New metres (x 0-300 km, y 300-625 km) cannot be degrees."""
    return abs(x) > 180 or abs(y) > 90


Ring = list[tuple[float, float]]  # (longitude, latitude) as GeoJSON orders them


def _to_wgs84(ring: Sequence[Sequence[float]]) -> Ring:
    points = [(float(p[0]), float(p[1])) for p in ring if len(p) >= 2]
    if points and looks_like_rd(*points[0]):
        return [tuple(reversed(rd_to_wgs84(x, y))) for x, y in points]
    return points


def polygons(geometry: dict | None) -> list[list[Ring]]:
    """A Polygon or MultiPolygon as a list of polygons (outer ring, holes) in WGS84."""
    if not isinstance(geometry, dict):
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        coordinates = [coordinates]
    elif kind != "MultiPolygon":
        return []
    return [[_to_wgs84(ring) for ring in polygon] for polygon in coordinates if polygon]


def _ring_area_and_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed area and centroid (shoelace formula) of a ring in degrees.

    Degrees are not metres, but at the scale of a wijk the distortion is the
    same everywhere in the ring, so the centroid is right."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return area, cx / (6 * area), cy / (6 * area)


def centre_point(geometry: dict | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a Point, or the area centroid of a (Multi)Polygon
    with its holes taken out."""
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        ring = _to_wgs84([geometry.get("coordinates") or []])
        return (ring[0][1], ring[0][0]) if ring else None
    total = sx = sy = 0.0
    for polygon in polygons(geometry):
        for index, ring in enumerate(polygon):
            if len(ring) < 3:
                continue
            area, cx, cy = _ring_area_and_centroid(ring)
            # Outer rings count positive, holes negative, whatever their winding.
            weight = abs(area) if index == 0 else -abs(area)
            total += weight
            sx += cx * weight
            sy += cy * weight
    if total <= 0:
        return None
    return sy / total, sx / total


def _simplify(ring: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iteratively (a national outline would overflow recursion)."""
    if len(ring) < 4:
        return ring
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        start, end = stack.pop()
        (x0, y0), (x1, y1) = ring[start], ring[end]
        length = math.hypot(x1 - x0, y1 - y0)
        farthest, distance = None, tolerance
        for i in range(start + 1, end):
            x, y = ring[i]
            if length:
                d = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
            else:
                d = math.hypot(x - x0, y - y0)
            if d > distance:
                farthest, distance = i, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(start, farthest), (farthest, end)]
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def simplified_outline(geometry: dict | None, max_points: int = 200) -> dict | None:
    """The largest polygon's outer ring, simplified to at most ``max_points``
    points rounded to 5 decimals (about a metre): enough to draw a wijk on a
    city map, small enough to keep on its page."""
    rings = [polygon[0] for polygon in polygons(geometry) if polygon and len(polygon[0]) >= 4]
    if not rings:
        return None
    ring = max(rings, key=lambda r: abs(_ring_area_and_centroid(r)[0]))
    tolerance = 0.00005
    simplified = _simplify(ring, tolerance)
    while len(simplified) > max_points:
        tolerance *= 2
        simplified = _simplify(ring, tolerance)
    coordinates = [[round(x, 5), round(y, 5)] for x, y in simplified]
    if coordinates[0] != coordinates[-1]:
        coordinates.append(coordinates[0])
    return {"type": "Polygon", "coordinates": [coordinates]}


def parse_number(value: str) -> float:
    """A number from a CSV cell; a decimal comma (``52,0907``, as Dutch
    spreadsheets write it) is read as a point. Raises ValueError."""
    value = value.strip()
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number
