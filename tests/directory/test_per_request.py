"""What a request reads once (directory/per_request.py) is read again by the
next request, or kept while the site's token stays the same: a change
between two page views shows on the second. And what
it takes from the routing's pages (the ancestors, their translations) is what
Wagtail would have read: restrictions above a page and on an alias's source
hold, the breadcrumbs name the same pages."""

from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from wagtail.models import Locale, PageViewRestriction
from wagtail.models.sites import SITE_ROOT_PATHS_CACHE_KEY

import pytest
from bs4 import BeautifulSoup

from directory import per_request
from directory.links import page_url
from directory.models import ContentPage, HomePage, PartnerIndexPage, ServicePage, Theme
from page_cache import store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def test_a_view_restriction_added_between_two_requests_holds_on_the_next():
    client = Client()
    partners = PartnerIndexPage.objects.get(locale__language_code="nl")
    assert client.get(partners.url).status_code == 200
    assert partners.url.encode() in client.get("/nl/").content
    PageViewRestriction.objects.create(page=partners, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(partners.url).status_code == 302
    assert partners.url.encode() not in client.get("/nl/").content


def _dutch_service_without_arabic():
    arabic = Locale.objects.get(language_code="ar")
    translated = ServicePage.objects.filter(locale=arabic).values("translation_key")
    return (
        ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .exclude(translation_key__in=translated)
        .order_by("path")
        .first()
    )


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_a_restriction_on_a_partner_holds_for_its_services(code):
    """The ancestors of a page come from the routing's query, not Wagtail's:
    a restriction above the page still holds, also on the Dutch fallback."""
    client = Client()
    service = _dutch_service_without_arabic()
    url = f"/{code}/{service.url.split('/', 2)[2]}"
    assert client.get(url).status_code == 200
    PageViewRestriction.objects.create(
        page=service.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(url)
    assert response.status_code == 302
    assert f"?next={url}" in response["Location"]


def test_an_alias_is_restricted_as_its_source():
    client = Client()
    service = _dutch_service_without_arabic()
    other_partner = (
        type(service.get_parent().specific)
        .objects.live()
        .filter(locale=service.locale)
        .exclude(pk=service.get_parent().pk)
        .first()
    )
    alias = service.create_alias(parent=other_partner, update_slug=f"{service.slug}-alias")
    assert client.get(alias.url).status_code == 200
    PageViewRestriction.objects.create(page=service, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(alias.url).status_code == 302


def test_breadcrumbs_name_the_ancestors_as_wagtail_reads_them():
    """On a Dutch page under /ar/ each ancestor shows in Arabic where it is
    translated: the routing's pages give what Wagtail's queries give."""
    service = _dutch_service_without_arabic()
    arabic = Locale.objects.get(language_code="ar")
    expected = []
    with translation.override("ar"):
        for ancestor in service.get_ancestors()[1:]:
            shown = ancestor.get_translation_or_none(arabic) or ancestor
            if not shown.live:
                shown = ancestor
            expected.append((shown.title, page_url(shown)))
    assert any(
        title != a.title
        for (title, _), a in zip(expected, service.get_ancestors()[1:], strict=True)
    )
    response = Client().get(f"/ar/{service.url.split('/', 2)[2]}")
    soup = BeautifulSoup(response.content, "html.parser")
    crumbs = soup.select(".ww-breadcrumbs__list a")
    assert [(a.get_text(), a["href"]) for a in crumbs] == expected


# What every page shows is kept per process while the site's token stays the
# same (``per_request.shared``).
KEPT_READS = (
    'FROM "wagtailcore_site"',
    'FROM "wagtailcore_locale"',
    'FROM "wagtailcore_pageviewrestriction"',
    'SELECT "directory_theme"."translation_key"',
    'SELECT "directory_audience"."translation_key"',
    # Every term (per_request.every), whose names the cards show.
    'FROM "directory_theme" ORDER BY',
    'FROM "directory_audience" ORDER BY',
)


def _kept_reads(url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return [q["sql"] for q in captured if any(read in q["sql"] for read in KEPT_READS)]


def _themes_shown(service) -> str:
    """The service page's list of its themes, by their names in Dutch."""
    soup = BeautifulSoup(Client().get(service.url).content, "html.parser")
    term = soup.find("dt", string="Thema's")
    return term.find_next_sibling("dd").get_text()


def _shown_theme(service) -> Theme:
    return service.themes.order_by("sort_order", "name").first()


def test_the_next_request_reads_nothing_of_what_every_page_shows():
    service = _dutch_service_without_arabic()
    assert _kept_reads(service.url), "the first request reads them"
    assert _kept_reads(service.url) == []
    assert _kept_reads("/nl/") == []


def test_a_renamed_theme_shows_on_the_next_request():
    service = _dutch_service_without_arabic()
    theme = _shown_theme(service)
    assert theme.name in _themes_shown(service)
    assert theme.name in Client().get("/nl/").content.decode()
    assert theme.name in Client().get("/nl/zoeken/").content.decode()
    theme.name = "Hernoemd thema"
    theme.save()
    assert "Hernoemd thema" in _themes_shown(service)
    assert "Hernoemd thema" in Client().get("/nl/").content.decode()
    assert "Hernoemd thema" in Client().get("/nl/zoeken/").content.decode()


def test_a_new_page_under_the_home_page_shows_in_the_menus_of_the_next_request():
    home = HomePage.objects.get(locale__language_code="nl")
    Client().get("/nl/")
    home.add_child(
        instance=ContentPage(
            title="Nieuw in het menu", slug="nieuw-in-het-menu", body="<p>Nieuw</p>"
        )
    )
    assert "Nieuw in het menu" in Client().get("/nl/").content.decode()


def test_a_change_no_signal_reports_shows_once_the_token_is_replaced_or_after_a_while(
    monkeypatch,
):
    """A bulk ``update()`` sends no signal: what the process kept stays
    until another process replaces the site's token or KEEP_SECONDS pass."""
    service = _dutch_service_without_arabic()
    theme = _shown_theme(service)
    assert theme.name in _themes_shown(service)
    Theme.objects.filter(pk=theme.pk).update(name="Stil hernoemd")
    assert theme.name in _themes_shown(service)
    store.purge_all()  # as any process does on a change every page shows
    assert "Stil hernoemd" in _themes_shown(service)

    Theme.objects.filter(pk=theme.pk).update(name="Later hernoemd")
    monkeypatch.setattr(per_request, "KEEP_SECONDS", 0)
    assert "Later hernoemd" in _themes_shown(service)


def _card(service, url) -> BeautifulSoup:
    soup = BeautifulSoup(Client().get(url).content, "html.parser")
    link = soup.find("a", string=service.title)
    return link.find_parent("article")


def test_a_card_shows_the_themes_and_languages_its_service_has_now():
    """Which terms a card shows is read with the cards every time; only the
    terms themselves are kept, even one added with no signal."""
    from directory.models import Language

    service = _dutch_service_without_arabic()
    partner = service.get_parent().url
    assert _card(service, partner) is not None  # the terms are kept now
    (unannounced,) = Theme.objects.bulk_create(
        [Theme(name="Zonder signaal", slug="zonder-signaal", locale=service.locale)]
    )
    other = Theme.objects.filter(locale=service.locale).exclude(pk__in=service.themes.all())[0]
    service.themes.set([other, unannounced])
    service.languages.set(Language.objects.filter(code__in=["so", "uk"]))
    service.save_revision().publish()

    card = _card(service, partner)
    assert {tag.get_text() for tag in card.select(".ww-tag")} == {other.name, "Zonder signaal"}
    assert {span["lang"] for span in card.select(".ww-card__languages [lang]")} == {"so", "uk"}


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_a_page_reads_the_sites_root_paths_from_the_cache_once(code, monkeypatch):
    """The routing and every link Wagtail builds share one read of them
    (in production a round trip to Redis)."""
    service = ServicePage.objects.live().filter(locale__language_code="nl").order_by("path").first()
    backend, reads = caches["default"], []
    read = backend.get

    def counted(key, *args, **kwargs):
        reads.append(key)
        return read(key, *args, **kwargs)

    client = Client()
    assert client.get(f"/{code}/").status_code == 200  # the cache holds them now
    url = f"/{code}/{service.url.split('/', 2)[2]}"
    monkeypatch.setattr(backend, "get", counted)
    response = client.get(url)
    assert response.status_code == 200
    assert reads.count(SITE_ROOT_PATHS_CACHE_KEY) == 1
