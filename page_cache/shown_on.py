"""Which public addresses show a page: what a change to it must purge.

A page is shown at its own address in every language (slugs are the same in
every language, so the addresses differ only in the prefix, and an
untranslated page is shown in Dutch under every prefix) and on the pages that
list it:

- a service on its partner's page, on the pages of the wijken it serves
  (directly, or all wijken of a municipality it serves whole) and their
  overviews, on its themes' pages and the themes index (which counts them);
- a partner on the partner index, on its wijken's pages, and on its
  services' pages (their breadcrumb and "offered by") and wherever those
  are listed (the cards name the partner);
- a wijk on the home page, the wijk index, the pages of the partners active
  in it and of the services that name it.

Every other page (the home page, the index pages, text pages) is in the
menus or breadcrumbs of every page, so a change to one purges everything
(``EVERYTHING``). Everything is read from the database as it is when
called: callers take it before a change and after it, and purge both.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from wagtail.models import Page

from directory.models import PartnerPage, ServicePage, ThemeIndexPage, WijkPage
from directory.models.partner import PartnerIndexPage
from directory.models.wijk import WijkIndexPage

EVERYTHING = None
WIJK_OVERVIEW = "overzicht/"
MUNICIPALITY = "gemeente/"  # WijkIndexPage.municipality


def relative(url_path: str) -> str:
    """An address below the language's home page: "/home/partners/x/" -> "/partners/x/"."""
    parts = url_path.split("/", 2)
    return "/" + (parts[2] if len(parts) > 2 else "")


def in_every_language(relatives) -> set[str]:
    return {f"/{code}{path}" for path in relatives for code, _name in settings.LANGUAGES}


def _url_paths(queryset) -> set[str]:
    return {relative(url_path) for url_path in queryset.values_list("url_path", flat=True)}


def _wijken(queryset) -> set[str]:
    paths = _url_paths(queryset)
    return paths | {path + WIJK_OVERVIEW for path in paths}


def services(ids) -> set[str]:
    """The addresses (without language prefix) that show the services ``ids``."""
    from directory.models import Theme

    ids = list(ids)
    if not ids:
        return set()
    rows = list(ServicePage.objects.filter(pk__in=ids).values_list("url_path", "path"))
    paths = {relative(url_path) for url_path, _path in rows}
    partners = {path[: -Page.steplen] for _url_path, path in rows}
    paths |= _url_paths(Page.objects.filter(path__in=partners))
    # Two queries: as one (an OR over both joins) PostgreSQL joined every
    # wijk to every service of its municipality first, 2 s a publish at
    # 300,000 services.
    paths |= _wijken(WijkPage.objects.filter(services__in=ids))
    paths |= _wijken(WijkPage.objects.filter(municipality__services__in=ids))
    slugs = set(Theme.objects.filter(services__in=ids).values_list("slug", flat=True))
    for index in _url_paths(ThemeIndexPage.objects.all()):
        paths |= {index} | {f"{index}{slug}/" for slug in slugs}
    return paths


def theme_listings() -> set[str]:
    """The themes index and every theme's page: the search lists them
    (``ThemeIndexPage``), so what its index holds decides what they show."""
    from directory.models import Theme

    slugs = set(Theme.objects.values_list("slug", flat=True))
    return {
        path
        for index in _url_paths(ThemeIndexPage.objects.all())
        for path in {index} | {f"{index}{slug}/" for slug in slugs}
    }


def partners(ids) -> set[str]:
    ids = list(ids)
    paths = _url_paths(Page.objects.filter(pk__in=ids))
    paths |= _url_paths(PartnerIndexPage.objects.all())
    paths |= _wijken(WijkPage.objects.filter(active_partners__in=ids).distinct())
    below = Q(pk__in=[])
    for path in PartnerPage.objects.filter(pk__in=ids).values_list("path", flat=True):
        below |= Q(path__startswith=path, depth=len(path) // Page.steplen + 1)
    return paths | services(ServicePage.objects.filter(below).values_list("pk", flat=True))


def wijken(ids) -> set[str]:
    ids = list(ids)
    paths = _wijken(WijkPage.objects.filter(pk__in=ids))
    indexes = _url_paths(WijkIndexPage.objects.all())
    codes = set(
        WijkPage.objects.filter(pk__in=ids).values_list("municipality__cbs_code", flat=True)
    )
    paths |= {"/"} | indexes
    paths |= {f"{index}{MUNICIPALITY}{code.lower()}/" for index in indexes for code in codes}
    paths |= _url_paths(PartnerPage.objects.filter(wijken__in=ids).distinct())
    paths |= _url_paths(ServicePage.objects.filter(wijken__in=ids).distinct())
    return paths


PRECISE = {ServicePage: services, PartnerPage: partners, WijkPage: wijken}


def showing(page_class, ids) -> set[str] | None:
    """The addresses, in every language, that show the pages ``ids`` of
    ``page_class``; ``EVERYTHING`` for a page every page shows."""
    find = PRECISE.get(page_class)
    if find is None:
        return EVERYTHING
    return in_every_language(find(ids))
