"""The sitemap: every page in every language, on the host that was asked.

Wagtail's sitemap lists each page once, at its address on the Wagtail site's
configured root URL (``http://localhost`` in the demo). Residents reach every
page under every language prefix (its translation, or the Dutch page with a
notice), so each of those addresses is listed, with the real translations as
``hreflang`` alternates, as in each page's head.

A sitemap file may hold 50,000 addresses. A national directory has some
300,000 pages in its Dutch tree, each at nine addresses: ``/sitemap.xml`` is
an index of numbered sitemap files, each of ``LanguageSitemap.limit`` pages.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Max

from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from .links import language_of, page_url

# Addresses per sitemap file, by the sitemaps protocol.
MAX_ADDRESSES = 50_000
# A page's own addresses, and for the themes index, each theme's as well.
ADDRESSES_PER_PAGE = 2 * len(settings.LANGUAGES)


class LanguageSitemap(Sitemap):
    # Pages per sitemap file: every page gives one address per language,
    # and the themes index one per theme besides, which the margin holds.
    limit = MAX_ADDRESSES // ADDRESSES_PER_PAGE

    def get_latest_lastmod(self):
        """For the index: the latest publication, in one query (Django's
        default asks every page for its date, loading each)."""
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]

    def _urls(self, page, protocol, domain):
        items = list(self.paginator.page(page).object_list)
        translated = defaultdict(set)
        for key, code in (
            Page.objects.live()
            .public()
            .filter(translation_key__in=[item.translation_key for item in items])
            .values_list("translation_key", "locale__language_code")
        ):
            translated[key].add(code)
        urls, last_mods = [], set()
        for item in items:
            source = language_of(item, self.request)
            for info in item.get_sitemap_urls(self.request):
                # A routable page lists its sub-pages (the themes) after itself.
                sub_path = urlsplit(info["location"]).path[len(urlsplit(item.url).path) :]
                addresses = {
                    code: self.request.build_absolute_uri(page_url(item, code, self.request))
                    + sub_path
                    for code, _name in settings.LANGUAGES
                }
                alternates = [
                    {"lang_code": code, "location": addresses[code]}
                    for code in addresses
                    if code in translated[item.translation_key]
                ]
                if source in translated[item.translation_key]:
                    alternates.append({"lang_code": "x-default", "location": addresses[source]})
                for address in addresses.values():
                    urls.append(
                        {
                            "location": address,
                            "lastmod": info.get("lastmod"),
                            "alternates": alternates,
                        }
                    )
                last_mods.add(info.get("lastmod"))
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
