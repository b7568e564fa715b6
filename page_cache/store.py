"""Whole pages for anonymous visitors, kept in Django's cache (alias ``pages``).

A page is stored under its full address (scheme, host, path with the
language prefix, query) and the edition of the site that rendered it
(``edition``: the day, the templates and static files, the settings pages
show), together with the two tokens it was rendered under: one for its path
and one for the whole site. It is served only while both are still the
current ones, and one read fetches the page and the two tokens. Purging a
path replaces that path's token, so every stored variant of it (``?page=2``,
``?type=politie``) is refused at once; purging everything replaces the
site's token. A refused page is replaced by the next one rendered at its
address, or expires by itself (``PAGE_CACHE_TIMEOUT``).

The tokens also make a purge safe against a request that was rendering while
the change was saved: it stores the token it read before rendering, which the
purge has replaced, so its copy is never served.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

ALIAS = "pages"
SITE_KEY = "site"


def cache():
    return caches[ALIAS]


def timeout() -> int:
    return settings.PAGE_CACHE_TIMEOUT


def _path_key(path: str) -> str:
    return "path:" + hashlib.sha256(path.encode()).hexdigest()


# Settings that change what a page shows: a page rendered under others is not served.
SHOWN_SETTINGS = (
    "FRESHNESS_EXPIRED_STAY_PUBLIC",
    "FRESHNESS_EXPIRE_AFTER_DAYS",
    "MAP_TILE_URL",
    "MAP_TILE_ATTRIBUTION",
    "ROUTE_URL_TEMPLATE",
    "HELP_PHONE_NUMBER",
    "CONTENT_SECURITY_POLICY",
    "LANGUAGES",
    "STATIC_URL",
)


@once
def release() -> str:
    """The templates and the static files' manifest this process renders with:
    after a deploy no page of the old code is served, also from a cache the
    new processes share with the old ones."""
    from django.apps import apps

    digest = hashlib.sha256()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    # Our own apps' templates; installed packages change only with a deploy
    # that changes the manifest too, or their templates show nothing cached.
    folders += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in Path(app.path).parts
    ]
    files = [f for folder in folders if folder.is_dir() for f in sorted(folder.rglob("*.html"))]
    if settings.STATIC_ROOT:
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for file in files:
        if file.is_file():
            digest.update(str(file).encode() + file.read_bytes())
    return digest.hexdigest()


def edition() -> str:
    """What a stored page must have been rendered under to be served today:
    the release, the settings it shows, and the date (the exceptions to the
    hours a page lists, and the services hidden a year after their last
    check, change at midnight)."""
    shown = repr([getattr(settings, name, None) for name in SHOWN_SETTINGS])
    return f"{release()}\n{shown}\n{timezone.localdate().isoformat()}"


def _page_key(url: str) -> str:
    return "page:" + hashlib.sha256(f"{edition()}\n{url}".encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_hex(8)


@dataclass
class Lookup:
    """What a request found: the stored page, or the tokens to store it under."""

    url: str
    path: str
    site: str | None  # None only if the cache refused to keep a token
    path_token: str | None
    page: dict | None


def lookup(request: HttpRequest) -> Lookup:
    url = request.build_absolute_uri()
    path = request.path
    path_key, page_key = _path_key(path), _page_key(url)
    # One round trip: the page with the tokens it must still match.
    found = cache().get_many([SITE_KEY, path_key, page_key])
    site, path_token, page = found.get(SITE_KEY), found.get(path_key), found.get(page_key)
    if site is None:
        # The first page since the cache was empty: start the site's token
        # before rendering, so that a purge meanwhile replaces it.
        site = site_token()
    if page is not None and (
        path_token is None or page.get("site") != site or page.get("path") != path_token
    ):
        page = None
    return Lookup(url, path, site, path_token, page)


def store(found: Lookup, response: HttpResponse) -> None:
    """Keep ``response`` for the next anonymous visitor of the same address,
    under the tokens read before it was rendered: if a purge came meanwhile,
    it is never served."""
    site, path_token = found.site, found.path_token
    if site is None:
        return
    if path_token is None:
        path_token = _new_token()
        if not cache().add(_path_key(found.path), path_token, timeout=timeout()):
            return
    headers = {
        name: value for name, value in response.headers.items() if name.lower() != "set-cookie"
    }
    page = {"status": response.status_code, "headers": headers, "content": response.content}
    cache().set(_page_key(found.url), page | {"site": site, "path": path_token}, timeout=timeout())


def rebuild(page: dict) -> HttpResponse:
    response = HttpResponse(page["content"], status=page["status"])
    for name, value in page["headers"].items():
        response[name] = value
    return response


def purge_paths(paths) -> None:
    """Forget every stored variant of each path (with its language prefix)."""
    paths = set(paths)
    if paths:
        # A new token rather than a deletion: a request that read the old
        # token and is still rendering then stores where nobody looks.
        cache().set_many({_path_key(path): _new_token() for path in paths}, timeout=timeout())


def site_token() -> str | None:
    """The site's token, started here if there is none yet: what every page
    shows is kept per process while it stays the same
    (directory/per_request.py ``shared``)."""
    token = cache().get(SITE_KEY)
    if token is None:
        cache().add(SITE_KEY, _new_token(), timeout=None)
        token = cache().get(SITE_KEY)
    return token


def purge_all() -> None:
    cache().set(SITE_KEY, _new_token(), timeout=None)
