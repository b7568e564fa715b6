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

The same memory holds what a request read whole and others ask for again:
the locales (``Locale.get_active()``, the language of a page, a page's
``locale``), the pages the routing read by their address (their ancestors
for the breadcrumbs and the view restrictions, the translations of the home
page and of the ancestors, a service's partner) and the view restrictions
(Wagtail's check before serving a page, and ``public()``). What is not known
here, the caller reads as before.

What every page shows and editors seldom change (the locales, the view
restrictions, the site of a host name, the menus, the themes, audiences
and languages with their names) is also kept for the next requests of the same process, while the
site's token stays the same (``shared``). Whoever registers the token
(``share_while``: the page cache, page_cache/apps.py) replaces it whenever
such a thing changes, at once and again after the commit, in a cache every
process reads (Redis in production). A request reads the token before
anything it keeps, so what it read under an old token is never used under a
new one. Kept at most ``KEEP_SECONDS`` besides, in case a change came by a
way no signal reports (a bulk ``update()``, a restored database, caches of
their own per process).

When it can go: once Wagtail caches the active locale and the view
restrictions per request itself (it does not as of Wagtail 8);
``tests/directory/test_query_counts.py`` then still passes without it.
"""

import time
from contextvars import ContextVar

from django.db.models import Q

from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, PageViewRestriction, sites
from wagtail.models.i18n import LocaleManager
from wagtail.query import PageQuerySet

_memo: ContextVar[dict | None] = ContextVar("directory_per_request", default=None)
_upstream_get_for_language = LocaleManager.get_for_language
_upstream_private_q = PageQuerySet.private_q
_upstream_get_site_for_hostname = sites.get_site_for_hostname

KEEP_SECONDS = 60
_token_source = None
# (token, when it was first read, what was kept under it); replaced whole,
# never changed in place under another token, so threads need no lock.
_kept: tuple[str | None, float, dict] = (None, 0.0, {})


def share_while(source) -> None:
    """Keep what ``shared`` reads for the requests of this process while
    ``source()`` (the site's token, a string; None for none yet) returns the
    same."""
    global _token_source
    _token_source = source


def note_token(token: str | None) -> None:
    """The site's token as the caller just read it, so that this request
    need not read it again."""
    memo = _memo.get()
    if memo is not None and token is not None and "token" not in memo:
        memo["token"] = token


def _process_memory(memo: dict) -> dict | None:
    global _kept
    if _token_source is None:
        return None
    if "token" not in memo:
        memo["token"] = _token_source()
    token = memo["token"]
    if token is None:
        return None
    kept_token, since, kept = _kept
    now = time.monotonic()
    if kept_token != token or now - since > KEEP_SECONDS:
        kept = {}
        _kept = (token, now, kept)
    return kept


def shared(key, read):
    """What ``read()`` returns: read once per request, and kept for the next
    requests of this process while the site's token stays the same. Outside
    a request, read every time. What it returns is shared between requests
    and threads: callers must not change it."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        kept = _process_memory(memo)
        if kept is None:
            memo[key] = read()
        else:
            if key not in kept:
                kept[key] = read()
            memo[key] = kept[key]
    return memo[key]


def every(model) -> list:
    """Every row of ``model``, a small table every page may show (themes,
    languages), in its order: kept as ``shared`` says."""
    return shared((model, "every"), lambda: list(model.objects.all()))


def every_by_key(model) -> dict:
    """``every(model)`` by primary key, in the same order."""
    return shared((model, "by key"), lambda: {row.pk: row for row in every(model)})


def forget_process_memory() -> None:
    """Drop what this process kept (tests: a rolled-back change sends no signal)."""
    global _kept
    _kept = (None, 0.0, {})


def locales() -> dict[int, Locale] | None:
    """Every locale by its key, kept as ``shared`` says; None outside a request."""
    if _memo.get() is None:
        return None
    return shared("locales", lambda: {locale.pk: locale for locale in Locale.objects.all()})


def _get_for_language(self, language_code):
    known = locales() if self.db == "default" else None
    if known is None:
        return _upstream_get_for_language(self, language_code)
    code = get_supported_content_language_variant(language_code)
    for locale in known.values():
        if locale.language_code == code:
            return locale
    # No such locale: Wagtail's own lookup raises what callers expect.
    return _upstream_get_for_language(self, language_code)


def with_known_locale(page: Page) -> Page:
    """``page`` with its ``locale`` taken from the request's locales, where
    they are known, so that reading it costs no query."""
    known = locales()
    if known is not None and page.locale_id in known:
        page.locale = known[page.locale_id]
    return page


def view_restrictions() -> list[PageViewRestriction] | None:
    """Every view restriction with its page, kept as ``shared`` says; None
    outside a request."""
    if _memo.get() is None:
        return None
    return shared(
        "view_restrictions", lambda: list(PageViewRestriction.objects.select_related("page"))
    )


def _private_q(self) -> Q:
    restrictions = view_restrictions() if self.db == "default" else None
    if restrictions is None:
        return _upstream_private_q(self)

    def read():
        # Wagtail's private_q, from the restrictions read once.
        q = Q()
        for restriction in restrictions:
            q |= self.descendant_of_q(restriction.page, inclusive=True)
        return q if q else Q(pk__in=[])

    return shared("private_q", read)


def _get_site_for_hostname(hostname, port):
    # Wagtail reads the site of the request's host on every request.
    return shared(("site", hostname, port), lambda: _upstream_get_site_for_hostname(hostname, port))


def remember_pages(pages) -> None:
    """Keep ``pages`` (base ``Page`` rows with all their fields, as a plain
    ``Page.objects`` query reads them) for the lookups below."""
    memo = _memo.get()
    if memo is None:
        return
    known = memo.setdefault("pages", {})
    for page in pages:
        known[page.path] = page


def _pages() -> dict[str, Page]:
    memo = _memo.get()
    return memo.get("pages", {}) if memo is not None else {}


def known_page(path: str) -> Page | None:
    """The page at ``path`` in the tree if this request read it already."""
    return _pages().get(path)


def known_ancestors(page: Page) -> list[Page] | None:
    """What ``page.get_ancestors()`` reads, from the root down, if this
    request read every one of them already; else None."""
    known = _pages()
    ancestors = []
    for depth in range(1, page.depth):
        ancestor = known.get(page.path[: depth * page.steplen])
        if ancestor is None:
            return None
        ancestors.append(ancestor)
    return ancestors


def known_translation(page: Page, locale: Locale) -> Page | None:
    """What ``page.get_translation_or_none(locale)`` reads, if this request
    read that translation already; None when it did not (which does not mean
    there is none). Of a specific page, its translation of the same class,
    with the fields of that class read on first use."""
    for candidate in _pages().values():
        if candidate.translation_key == page.translation_key and candidate.locale_id == locale.pk:
            # get_translation reads the same class as the page it is asked of.
            if type(candidate) is type(page):
                return candidate
            if candidate.specific_class is type(page):
                return candidate.specific_deferred
            return None
    return None


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
    sites.get_site_for_hostname = _get_site_for_hostname
