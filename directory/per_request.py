"""What every public page asks the database several times, read once per request.

Why: Wagtail reads the database on every call of ``Locale.get_active()``
(through ``Locale.objects.get_for_language``) and of ``PageQuerySet.public()``
(the list of view restrictions), and an uncached public page calls each of
them four or five times: Wagtail's routing, the navigation, the breadcrumbs,
the language switcher, the names of themes and audiences, the listings.

What: inside a GET or HEAD request (``PerRequestMiddleware``), both keep what
they read in a context variable that the middleware opens for the request
and closes after it, so nothing is shared between requests, users or
threads. Outside a request (commands, tests that call models directly) and in
a request that may change things (a POST in the admin) they read the
database as before.

When it can go: once Wagtail caches the active locale and the view
restrictions per request itself (it does not as of Wagtail 8);
``tests/directory/test_query_counts.py`` then still passes without it.
"""

from contextvars import ContextVar

from django.db.models import Q

from wagtail.models.i18n import LocaleManager
from wagtail.query import PageQuerySet

_memo: ContextVar[dict | None] = ContextVar("directory_per_request", default=None)
_upstream_get_for_language = LocaleManager.get_for_language
_upstream_private_q = PageQuerySet.private_q


def _get_for_language(self, language_code):
    memo = _memo.get()
    if memo is None or self.db != "default":
        return _upstream_get_for_language(self, language_code)
    key = ("locale", language_code)
    if key not in memo:
        memo[key] = _upstream_get_for_language(self, language_code)
    return memo[key]


def _private_q(self) -> Q:
    memo = _memo.get()
    if memo is None or self.db != "default":
        return _upstream_private_q(self)
    if "private_q" not in memo:
        memo["private_q"] = _upstream_private_q(self)
    return memo["private_q"]


class PerRequestMiddleware:
    """Opens the per-request memory around everything after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def install():
    LocaleManager.get_for_language = _get_for_language
    PageQuerySet.private_q = _private_q
