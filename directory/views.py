import contextlib

from django.conf import settings
from django.http import Http404
from django.utils.translation import get_language

from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from . import routing


def serve(request, path):
    """Wagtail's page view, showing the Dutch page when a page has no
    translation in the visitor's language yet, instead of a 404.

    Wagtail itself falls back only at the root: once the home page is
    translated, an untranslated page below it would be a 404. The templates
    see that the page's locale differs from the visitor's language and say so.

    Both routes are looked up in one query where they can be (directory/routing.py).
    """
    if not hasattr(request, "_wagtail_route_for_request"):
        site = Site.find_for_request(request)
        if site is not None:
            found = routing.route(request, site, path, get_language())
            if found is not routing.UNDECIDED:
                # The Dutch fallback was part of that lookup: a None is a 404.
                request._wagtail_route_for_request = found
                return wagtail_serve(request, path)
    if get_language() != settings.LANGUAGE_CODE and Page.route_for_request(request, path) is None:
        site = Site.find_for_request(request)
        if site is not None:
            components = [component for component in path.split("/") if component]
            with contextlib.suppress(Http404):
                request._wagtail_route_for_request = site.root_page.specific.route(
                    request, components
                )
    return wagtail_serve(request, path)
