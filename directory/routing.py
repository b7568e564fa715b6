"""A public page found by its address in one query, not one per tree level.

Why: Wagtail routes ``/nl/partners/buurtteam/schuldhulp/`` by asking the home
page for its child ``partners``, that one for ``buurtteam`` and so on, each a
query and each page made specific (another query): eight queries before a
service page renders anything, a quarter of its database time.

What: the site's root page in the visitor's language comes from Wagtail's
cached list of site root paths; every page whose ``url_path`` is a prefix of
the address comes in one query. Walking down that list gives what Wagtail's
walk would give as long as each page on the way routes its children the
default way; the first page that routes otherwise (a wijk, the themes index)
gets the rest of the address, as Wagtail would hand it over. A
``RoutablePageMixin`` page whose own routes do not match the rest of the
address hands it to its child, as Wagtail's walk would: the wijken index
hands ``west/`` to the wijk without being read itself. The page found still
answers through its own ``route`` (only a
live page is served, a routable page resolves its sub-page) and is served by
Wagtail's ``serve`` view with its hooks: view restrictions, redirects of a
404, the page cache, are untouched. Previews do not route.

The pages read stay with the request (``per_request.remember_pages``): the
ancestors of the page found are among them, for its breadcrumbs, its view
restrictions and a service's partner, and so are their translations on the
way in the visitor's language. The tree's root comes along in the same query,
so that the ancestors are complete.

When it can go: once Wagtail routes by ``url_path`` itself (not as of Wagtail 8).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page, Site

from . import per_request

# The answer for an address that the fast walk cannot decide: Wagtail routes it.
UNDECIDED = object()


def _prefixes(root_path: str, components: list[str]) -> list[str]:
    paths = [root_path]
    for component in components:
        paths.append(paths[-1] + component + "/")
    return paths


def _walk(request, pages: dict[str, Page], root_path: str, components: list[str]):
    """Wagtail's ``root.route(request, components)`` from the pages read."""
    paths = _prefixes(root_path, components)
    current = pages.get(root_path)
    if current is None:
        return UNDECIDED
    depth = 0
    while depth < len(components):
        model = current.specific_class
        if model is None or not _routes_to_child(model, current, components[depth:]):
            break
        child = pages.get(paths[depth + 1])
        if child is None:
            raise Http404
        current, depth = child, depth + 1
    return current.specific.route(request, components[depth:])


def _routes_to_child(model, page: Page, components: list[str]) -> bool:
    """Whether ``page`` (of ``model``) hands ``components`` to its child by
    the first of them, as ``Page.route`` does."""
    if model.route is Page.route:
        return True
    if model.route is not RoutablePageMixin.route:
        return False
    # RoutablePageMixin.route: a live page's own routes first, from the class.
    if not page.live:
        return True
    try:
        model.get_resolver().resolve("/" + "/".join(components) + "/")
    except Http404:
        return True
    return False


def route(request, site: Site, path: str, language: str):
    """The route Wagtail would find for ``path`` on ``site`` in ``language``
    (``Page.route_for_request``); failing that, in another language than
    Dutch, the route from the Dutch home page (the fallback of
    ``directory.views.serve``). A ``RouteResult``, None for no page (a 404),
    or ``UNDECIDED``."""
    # Kept on the request where Wagtail keeps them for every link the page
    # builds (``Page._get_site_root_paths``): one cache read per page, not
    # two (a round trip to Redis in production).
    root_paths = Site.get_site_root_paths()
    request._wagtail_cached_site_root_paths = root_paths
    roots = {root.language_code: root.root_path for root in root_paths if root.site_id == site.pk}
    dutch = roots.get(settings.LANGUAGE_CODE)
    if dutch is None:
        return UNDECIDED
    own = roots.get(language, dutch)
    components = [component for component in path.split("/") if component]
    wanted = {"/", *_prefixes(own, components), *_prefixes(dutch, components)}
    pages = {page.url_path: page for page in Page.objects.filter(url_path__in=wanted)}
    per_request.remember_pages(pages.values())
    dutch_root = pages.get(dutch)
    if dutch_root is None or dutch_root.pk != site.root_page_id:
        return UNDECIDED
    # Read already: the navigation asks the request's site for it next.
    site.root_page = dutch_root
    own_root = pages.get(own)
    # As Page.localized: a translation of the home page in draft is not used.
    if own_root is None or not own_root.live:
        own = dutch
    try:
        return _with_known_locale(_walk(request, pages, own, components))
    except Http404:
        if language == settings.LANGUAGE_CODE:
            return None
    try:
        return _with_known_locale(_walk(request, pages, dutch, components))
    except Http404:
        return None


def _with_known_locale(found):
    # The page's template and context ask for its locale, which the request
    # has read already.
    if found is not None and found is not UNDECIDED:
        per_request.with_known_locale(found[0])
    return found
