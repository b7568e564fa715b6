"""A sitemap for a directory of any size: an index of numbered files, none
over the protocol's 50,000 addresses, together listing every page once in
every language."""

from collections import Counter
from urllib.parse import urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import Site

import pytest

from directory.sitemap import MAX_ADDRESSES, LanguageSitemap

pytestmark = pytest.mark.django_db

SITEMAP = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def locations(content: bytes, path: str) -> list[str]:
    root = ElementTree.fromstring(content)  # noqa: S314 - our own response
    return [loc.text for loc in root.findall(path, SITEMAP)]


def files_of_index(client) -> list[str]:
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    return locations(index.content, "sm:sitemap/sm:loc")


def test_every_file_stays_within_the_protocols_limit():
    assert LanguageSitemap.limit * 2 * len(settings.LANGUAGES) <= MAX_ADDRESSES


def test_a_directory_larger_than_one_file_is_split_and_every_page_is_listed_once(
    client, monkeypatch
):
    monkeypatch.setattr(LanguageSitemap, "limit", 40)
    # The Dutch tree: each of its pages stands for its translations too,
    # which have the same address under their own prefix.
    home = Site.objects.get(is_default_site=True).root_page
    public_pages = home.get_descendants(inclusive=True).live().public().count()

    files = files_of_index(client)

    assert len(files) == -(-public_pages // 40)  # rounded up
    assert files[0] == "http://testserver/sitemap-pages.xml"
    assert files[1:] == [
        f"http://testserver/sitemap-pages.xml?p={number}" for number in range(2, len(files) + 1)
    ]
    listed = Counter()
    for address in files:
        parts = urlsplit(address)
        response = client.get(parts.path, {"p": parts.query[2:]} if parts.query else {})
        assert response.status_code == 200
        in_file = locations(response.content, "sm:url/sm:loc")
        assert len(in_file) <= 40 * 2 * len(settings.LANGUAGES)
        listed.update(in_file)
    assert set(listed.values()) == {1}
    # Every public page at its address under each language prefix, and one
    # page more per theme under each prefix (the theme pages of the themes index).
    themes_per_language = (len(listed) - public_pages * len(settings.LANGUAGES)) / len(
        settings.LANGUAGES
    )
    assert themes_per_language == int(themes_per_language) > 0


def test_the_index_does_not_load_the_pages():
    with CaptureQueriesContext(connection) as queries:
        files_of_index(Client())

    # The number of pages and the latest publication, not each page's date.
    assert len(queries) <= 4


def test_a_file_past_the_last_is_not_found(client):
    assert client.get("/sitemap-pages.xml", {"p": 999}).status_code == 404
    assert client.get("/sitemap-elsewhere.xml").status_code == 404
