"""A public address finds the page Wagtail's walk down the tree would find
(``directory/routing.py`` reads them in one query): in every language, with
the Dutch fallback, for routable sub-pages, drafts and unknown addresses."""

import contextlib

from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from wagtail.models import Page, Site

import pytest

from directory import routing
from directory.models import ServicePage, Theme, ThemeIndexPage, WijkIndexPage, WijkPage

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "en"]


def wagtails_route(request, site, path):
    """Wagtail's ``Page.route_for_request``, then the Dutch fallback of
    ``directory.views.serve``, as they were before the one-query route."""
    components = [component for component in path.split("/") if component]
    with contextlib.suppress(Http404):
        return site.root_page.localized.specific.route(request, components)
    if translation.get_language() != "nl":
        with contextlib.suppress(Http404):
            return site.root_page.specific.route(request, components)
    return None


def found(route):
    if route is None:
        return None
    page, args, kwargs = route
    # A routable page's view, bound to the page instance each route made.
    return page.pk, tuple(getattr(arg, "__func__", arg) for arg in args), kwargs


def addresses() -> list[str]:
    """The address (below the language prefix) of every page in these
    languages, and of routable sub-pages and pages that do not exist."""
    paths = set()
    for page in Page.objects.filter(depth__gt=2, locale__language_code__in=LANGUAGES):
        paths.add("/".join(page.url_path.split("/")[2:]))
    wijk = WijkPage.objects.filter(locale__language_code="nl").order_by("path").first()
    themes = ThemeIndexPage.objects.get(locale__language_code="nl")
    theme = Theme.objects.filter(locale__language_code="nl").order_by("sort_order").first()
    index_path = "/".join(themes.url_path.split("/")[2:])
    wijk_path = "/".join(wijk.url_path.split("/")[2:])
    wijken_path = wijk_path.rsplit("/", 2)[0] + "/"
    paths |= {
        "",
        # The wijken index's own routes before its children.
        wijken_path + f"gemeente/{wijk.municipality.cbs_code}/",
        wijken_path + "gemeente/",
        wijk_path + "overzicht/",
        wijk_path + "bestaat-niet/",
        index_path + theme.slug + "/",
        index_path + "bestaat-niet/",
        "bestaat-niet/",
        "partners/bestaat-niet/ook-niet/",
    }
    return sorted(paths)


def compare_every_address(site) -> int:
    factory = RequestFactory()
    compared = 0
    for language in LANGUAGES:
        with translation.override(language):
            for path in addresses():
                request = factory.get(f"/{language}/{path}")
                fast = routing.route(request, site, path, language)
                assert fast is not routing.UNDECIDED, path
                assert found(fast) == found(wagtails_route(request, site, path)), (language, path)
                compared += 1
    return compared


def test_every_address_finds_what_wagtails_walk_finds_in_every_language():
    site = Site.objects.get(is_default_site=True)
    # A draft: its address is known in the tree but not served.
    draft = ServicePage.objects.live().filter(locale__language_code="nl").order_by("path")[0]
    draft.unpublish()
    assert compare_every_address(site) > 2 * 100


def test_a_routable_page_in_draft_hands_every_address_to_its_children_as_wagtail_does():
    """Wagtail tries a routable page's own routes only while it is live."""
    site = Site.objects.get(is_default_site=True)
    for index in WijkIndexPage.objects.all():
        index.unpublish()
    assert compare_every_address(site) > 2 * 100


def test_a_page_in_draft_is_not_found():
    site = Site.objects.get(is_default_site=True)
    service = ServicePage.objects.live().filter(locale__language_code="nl").order_by("path")[0]
    path = "/".join(service.url_path.split("/")[2:])
    request = RequestFactory().get(f"/nl/{path}")
    assert found(routing.route(request, site, path, "nl"))[0] == service.pk
    service.unpublish()
    assert routing.route(request, site, path, "nl") is None
