"""What the maps draw: the project's own data, handed to the page as JSON.

A service page gives each location with coordinates a small map with its
marker and, where the import_wijken command kept one, the outline of the wijk
it lies in; the search page puts the current page of results on a map. The
data is all the default map shows: no tile layer, so a page asks no other host
for anything. A deployment that wants a background sets ``MAP_TILE_URL``
(see ``tile_source``); the site's JavaScript (static/wijkwijzer/map.js) draws
it with Leaflet, loaded only when a map is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from .links import page_url


def tiles() -> dict | None:
    """The configured background tiles for the map script, or None (offline)."""
    if not settings.MAP_TILE_URL:
        return None
    return {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def _contains(ring: list[list[float]], lon: float, lat: float) -> bool:
    """Whether the point lies inside the ring (GeoJSON order: lon, lat), by
    counting the edges a ray to the east crosses."""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def wijk_around(location, wijken: Iterable) -> object | None:
    """The first of ``wijken`` whose outline contains ``location``. Only the
    wijken the service serves are tried: its own wijk is nearly always one, and
    a page never carries the outlines of a whole municipality."""
    lat, lon = float(location.latitude), float(location.longitude)
    for wijk in wijken:
        outline = wijk.outline or {}
        rings = outline.get("coordinates") or []
        if outline.get("type") == "Polygon" and rings and _contains(rings[0], lon, lat):
            return wijk
    return None


def _point(latitude, longitude) -> list[float]:
    return [round(float(latitude), 6), round(float(longitude), 6)]


def location_map(location, wijken: Iterable) -> dict | None:
    """The map of one location of a service: its marker and its wijk's outline."""
    if location.latitude is None or location.longitude is None:
        return None
    wijk = wijk_around(location, wijken)
    return {
        "markers": [{"at": _point(location.latitude, location.longitude), "label": str(location)}],
        "areas": [{"name": wijk.title, "outline": wijk.outline}] if wijk else [],
        "tiles": tiles(),
    }


def results_map(services: Iterable, request=None) -> dict:
    """The map of a page of search results: a marker per place, with a link to
    each service found there in the visitor's language. A marker of one
    service is named after it; services sharing a place (a community centre,
    a team's office) share one marker named after the place, so that no
    marker hides another."""
    places: dict[tuple, dict] = {}
    for service in services:
        url = page_url(service, request=request)
        for location in service.locations.all():
            if location.latitude is None or location.longitude is None:
                continue
            at = _point(location.latitude, location.longitude)
            marker = places.setdefault(
                tuple(at), {"at": at, "label": "", "place": str(location), "links": []}
            )
            if not any(link["url"] == url for link in marker["links"]):
                marker["links"].append({"label": service.title, "url": url})
    markers = list(places.values())
    for marker in markers:
        links = marker["links"]
        marker["label"] = links[0]["label"] if len(links) == 1 else marker["place"]
    return {"markers": markers, "areas": [], "tiles": tiles()}
