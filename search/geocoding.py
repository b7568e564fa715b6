"""Turn what a visitor types as a place (postcode, PC4 or coordinates) into a point.

The offline geocoder reads a table of PC4 centre points (``PC4_CENTROIDS_PATH``,
by default the shipped Utrecht table; ``manage.py import_pc4`` fills it from a
CBS or PDOK file) and needs no network; the PDOK Locatieserver geocoder can be chosen in production with
``GEOCODER=pdok``. Tests only ever use the offline one.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

SHIPPED_PC4_TABLE = Path(__file__).parent / "data" / "pc4_centroids.json"
_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
EARTH_RADIUS_KM = 6371.0088
_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s*(?:[A-Za-z]{2})?\s*$")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float

    def distance_km(self, other: Point) -> float:
        """Great-circle distance (haversine), good to a few metres at city scale."""
        lat1, lat2 = math.radians(self.latitude), math.radians(other.latitude)
        dlat = lat2 - lat1
        dlon = math.radians(other.longitude - self.longitude)
        a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
        return EARTH_RADIUS_KM * 2 * math.asin(math.sqrt(a))

    def nearest_km(self, locations) -> float | None:
        """Distance to the nearest of ``locations`` (anything with a latitude
        and a longitude), or None when there are none."""
        return min(
            (self.distance_km(Point(place.latitude, place.longitude)) for place in locations),
            default=None,
        )


class Geocoder(Protocol):
    def locate(self, text: str) -> Point | None: ...


def parse_coordinates(text: str) -> Point | None:
    match = _COORDINATES.match(text or "")
    if not match:
        return None
    latitude, longitude = float(match[1]), float(match[2])
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return Point(latitude, longitude)
    return None


def pc4_table_path() -> Path:
    return Path(settings.PC4_CENTROIDS_PATH)


@lru_cache(maxsize=2)
def _read_pc4_table(path: Path, modified: int) -> dict[str, Point]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {code: Point(row["latitude"], row["longitude"]) for code, row in data["pc4"].items()}


def pc4_table() -> dict[str, Point]:
    """The table, read once per version of the file: a new import is seen
    without a restart, at the price of one stat() per lookup."""
    path = pc4_table_path()
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        logger.error("PC4 table %s is missing; postcodes cannot be located", path)
        return {}
    return _read_pc4_table(path, modified)


class OfflinePC4Geocoder:
    """Coordinates typed as they are; a postcode (``3563 AB``) or PC4 (``3563``) by its PC4 centre."""

    def locate(self, text: str) -> Point | None:
        point = parse_coordinates(text)
        if point:
            return point
        match = _POSTCODE.match(text or "")
        return pc4_table().get(match[1]) if match else None


class PdokGeocoder:
    """The Dutch government's Locatieserver; falls back to the offline table when it fails."""

    url = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"

    def locate(self, text: str) -> Point | None:
        point = OfflinePC4Geocoder().locate(text)
        if point or not (text or "").strip():
            return point
        import requests

        try:
            response = requests.get(
                self.url,
                params={"q": text, "fq": "type:(postcode OR adres OR woonplaats)", "rows": 1},
                timeout=2,
            )
            response.raise_for_status()
            return self.parse(response.json())
        except (requests.RequestException, ValueError):
            logger.warning("PDOK geocoder failed for %r", text, exc_info=True)
            return None

    @staticmethod
    def parse(payload: dict) -> Point | None:
        """Read ``POINT(lon lat)`` from the first document of a Locatieserver answer."""
        docs = payload.get("response", {}).get("docs", [])
        match = docs and re.match(r"POINT\(([-\d.]+) ([-\d.]+)\)", docs[0].get("centroide_ll", ""))
        return Point(float(match[2]), float(match[1])) if match else None


def get_geocoder() -> Geocoder:
    return PdokGeocoder() if settings.GEOCODER == "pdok" else OfflinePC4Geocoder()
