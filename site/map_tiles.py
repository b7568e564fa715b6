"""The one other host a map may ask for: the tile server a deployment configures.

By default (``MAP_TILE_URL`` empty) the maps draw only the project's own data and
the Content-Security-Policy lets images come from the site alone. Read by the
settings, so it imports nothing from Django.
"""

from urllib.parse import urlsplit

# Stands in for Leaflet's {s} subdomain while the address is parsed.
_SUBDOMAIN = "tile-subdomain-placeholder."


def tile_source(url: str) -> str | None:
    """The CSP source that lets the browser fetch the tiles of ``url`` (a
    Leaflet tile template such as ``https://host/{z}/{x}/{y}.png``): its
    scheme and host, with a ``{s}`` subdomain widened to ``*.``. None when no
    tiles are configured."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", _SUBDOMAIN))
    host = parts.netloc.replace(_SUBDOMAIN, "*.")
    if parts.scheme not in {"https", "http"} or not host or "{" in host:
        raise ValueError(f"MAP_TILE_URL must be an http(s) address, not {url!r}")
    return f"{parts.scheme}://{host}"
