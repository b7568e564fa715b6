"""Links that keep a resident in her language.

A page read in Tigrinya links to the Tigrinya version of every other page: its
translation, or, where there is none yet, the same address under ``/ti/``,
which shows the Dutch page with a notice (``directory.views.serve``). Both are
the same address: slugs are synchronised from the Dutch source and cannot be
overridden (``PAGE_TRANSLATABLE_FIELDS``), so a page's address differs between
languages only in its prefix. That is what lets every link be built without a
query, whether the target is translated or not.

Every link the site renders to a page goes through :func:`page_url` (in
templates through ``{% localized_pageurl %}``); a link built from
``page.url`` would switch a resident to Dutch whenever the target is an
untranslated Dutch page, and save Dutch as her language.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import translate_url
from django.utils import translation

from wagtail.models import Locale, Page

from . import per_request


def language_of(page: Page, request=None) -> str:
    """The language code of ``page``'s content: one query per request for all
    the pages it links (the request's locales, directory/per_request.py),
    read into the request."""
    codes = getattr(request, "_locale_codes", None)
    if codes is None or page.locale_id not in codes:
        known = per_request.locales()
        if known is not None and page.locale_id in known:
            codes = {pk: locale.language_code for pk, locale in known.items()}
        else:
            codes = dict(Locale.objects.values_list("pk", "language_code"))
        if request is not None:
            request._locale_codes = codes
    return codes[page.locale_id]


def page_url(
    page: Page,
    language: str | None = None,
    request=None,
    route: str | None = None,
    args: tuple = (),
) -> str:
    """The address of ``page`` in ``language`` (the active one by default):
    ``route`` names a sub-page of a routable page (a theme of the themes
    index), with its ``args``. Empty for a page that has no address (not
    routable from any site)."""
    language = language or translation.get_language()
    url = page.get_url(request)
    if not url:
        return ""
    if route is not None:
        url = url.rstrip("/") + "/" + page.specific.reverse_subpage(route, args=args).lstrip("/")
    own = language_of(page, request)
    if own == language:
        return url
    # Swapped in place: a third of the time of resolving the address again
    # (a wijk page links some sixty pages).
    swapped = with_prefix(url, own, language)
    if swapped is not None:
        return swapped
    # translate_url resolves the address in the language it is written in.
    with translation.override(own):
        return translate_url(url, language)


def with_prefix(url: str, own: str, language: str) -> str | None:
    """``url`` under ``language``'s prefix instead of ``own``'s: the
    addresses differ only there (see above). Relative, or written in full on
    another site's host; None where ``url`` has no ``own`` prefix."""
    origin = "" if url.startswith("/") else "{0.scheme}://{0.netloc}".format(urlsplit(url))
    prefix = f"{origin}/{own}/"
    if url.startswith(prefix):
        return f"{origin}/{language}/{url[len(prefix) :]}"
    return None
