"""Serve Wagtail's public pages to anonymous visitors from the page cache.

Only what cannot differ between anonymous visitors is kept: a GET of a page
served by Wagtail (``wagtail_serve``: every page type, a theme's page, a
wijk's overview), answered 200, for a request without the session or
messages cookie (so nobody logged in, and no unlocked password page) and
with at most a page number or a partner type in its query. The response must
not set a cookie, use a CSRF token, carry a CSP nonce (one nonce for every
visitor would protect nothing), say its own Cache-Control, or vary on
anything but the cookie. Everything else passes through untouched.

It sits inside the middleware that sets the language cookie and the security
headers of the request, and outside the CSP and frame-options middleware:
a stored page keeps the Content-Security-Policy it was rendered with.

Public pages tell shared caches (a proxy, a CDN) that they may keep them for
``PAGE_CACHE_MAX_AGE`` seconds: purges here cannot reach them, so that is how
late a change may appear there. ``Vary: Cookie`` keeps a logged-in
professional's page out of their copies.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers

from directory import per_request

from . import store

CACHED_VIEWS = {"wagtail_serve"}
# Query parameters that make another cached variant; any other parameter is
# served uncached, so random queries cannot fill the cache (and push out the
# rate-limit counters that share it).
QUERY_PARAMETERS = {"page": re.compile(r"[0-9]{1,4}"), "type": re.compile(r"[a-z_-]{1,30}")}
# django.contrib.messages.storage.cookie.CookieStorage.cookie_name
MESSAGES_COOKIE = "messages"
HIT, MISS = "hit", "miss"


def _personal(request) -> bool:
    """A request that may see a page of its own: logged in, a password page
    unlocked in its session, a message waiting for it."""
    names = {settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE}
    return bool(names & set(request.COOKIES)) or "HTTP_AUTHORIZATION" in request.META


def _known_query(request) -> bool:
    for name, values in request.GET.lists():
        pattern = QUERY_PARAMETERS.get(name)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return False
    return True


def _anonymous_page(request, response) -> bool:
    """Whether ``response`` is a public page that any anonymous visitor gets alike."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    policy = response.get("Content-Security-Policy", "")
    return (
        request.method == "GET"
        and match is not None
        and match.url_name in CACHED_VIEWS
        and response.status_code == 200
        and not response.streaming
        and not _personal(request)
        and not (user is not None and user.is_authenticated)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not request.META.get("CSRF_COOKIE_USED")
        and "Cache-Control" not in response
        and vary <= {"cookie"}
        and "'nonce-" not in policy
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_TIMEOUT or request.method != "GET" or _personal(request):
            return self.get_response(request)
        cacheable = _known_query(request)
        found = store.lookup(request) if cacheable else None
        if found is not None:
            per_request.note_token(found.site)
        if found is not None and found.page is not None:
            response = store.rebuild(found.page)
            response["X-Page-Cache"] = HIT
            return response
        response = self.get_response(request)
        if not _anonymous_page(request, response):
            return response
        patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
        patch_vary_headers(response, ("Cookie",))
        if found is not None:
            store.store(found, response)
            response["X-Page-Cache"] = MISS
        return response
