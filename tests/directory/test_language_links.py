"""A resident reading the site in her language stays in it: every link on a
page in language X leads to the X version of its target (its translation, or
the Dutch page under /X/ with a notice), and Dutch text is marked as Dutch."""

from urllib.parse import urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory.demo.translations import TRANSLATED_SERVICES
from directory.models import (
    ContentPage,
    PartnerIndexPage,
    PartnerPage,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkIndexPage,
    WijkPage,
)

pytestmark = pytest.mark.django_db

OTHER_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "nl"]
ONLY_IN_DUTCH = "Only in Dutch"
SITEMAP = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


def soup(response):
    assert response.status_code == 200, response
    return BeautifulSoup(response.content, "html.parser")


def dutch(model):
    return model.objects.live().filter(locale__language_code="nl")


def untranslated_service() -> ServicePage:
    translated = {path.split("/")[1] for path in TRANSLATED_SERVICES}
    return dutch(ServicePage).exclude(slug__in=translated).order_by("path").first()


def translated_service() -> ServicePage:
    _partner, slug = TRANSLATED_SERVICES[0].split("/")
    return dutch(ServicePage).get(slug=slug)


def under(code: str, page) -> str:
    """The page's address under the prefix ``code`` (slugs are the same in every language)."""
    return f"/{code}{page.url[3:]}"


def pages_to_read(code: str) -> list[str]:
    """One page of every kind, in ``code``: translated ones and Dutch fallbacks."""
    theme = Theme.objects.filter(locale__language_code="nl").first()
    themes = dutch(ThemeIndexPage).get()
    wijk = dutch(WijkPage).get(cbs_code="WK034403")  # Overvecht, with the most services
    untranslated = untranslated_service()
    return [
        f"/{code}/",
        under(code, themes),
        f"{under(code, themes)}{theme.slug}/",
        under(code, dutch(WijkIndexPage).get()),
        under(code, wijk),
        under(code, dutch(PartnerIndexPage).get()),
        under(code, untranslated.get_parent()),
        under(code, translated_service().get_parent()),
        under(code, untranslated),
        under(code, translated_service()),
        under(code, dutch(ContentPage).first()),
        f"/{code}/zoeken/",
        f"/{code}/zoeken/?q=hulp",
        f"/{code}/zoeken/?page=2",
    ]


def site_links(page: BeautifulSoup) -> list[tuple[str, object]]:
    """Every address on the page that leads to a page of this site."""
    links = []
    for element in page.find_all(["a", "link", "form"]):
        address = element.get("href") or element.get("action") or ""
        if address.startswith("http"):
            parts = urlsplit(address)
            if parts.netloc != "testserver":
                continue
            address = parts.path
        path = address
        if path.startswith("/") and not path.startswith(("/static/", "/media/", "/admin/")):
            links.append((path, element))
    return links


def is_language_choice(element) -> bool:
    """The language switcher's options, the hreflang alternates and a link
    that says which language it leads to (a machine translation's "Read the
    Dutch original"), which name other languages on purpose."""
    if element.name == "link":
        return element.get("rel") == ["alternate"] and element.has_attr("hreflang")
    if element.name == "a" and element.has_attr("hreflang"):
        return True
    return element.find_parent("nav", class_="ww-languages") is not None


@pytest.mark.parametrize("code", ["ti", "ar", "so", "en"])
def test_no_page_in_her_language_links_to_the_dutch_site(client, code):
    for address in pages_to_read(code):
        page = soup(client.get(address))
        for path, element in site_links(page):
            if is_language_choice(element):
                continue
            assert path.startswith(f"/{code}/"), (address, path, str(element)[:120])


def test_the_arabic_overvecht_page_links_only_to_arabic_pages(client):
    wijk = dutch(WijkPage).get(cbs_code="WK034403")
    page = soup(client.get(under("ar", wijk)))
    services = page.select("#services-title ~ ul a")
    assert len(services) > 50
    assert all(a["href"].startswith("/ar/") for a in services)


def test_every_link_in_her_language_opens_in_her_language(client):
    """The links lead somewhere: each target answers in Tigrinya."""
    seen = set()
    for address in pages_to_read("ti")[:5]:
        for path, element in site_links(soup(client.get(address))):
            if is_language_choice(element) or path in seen or element.name == "form":
                continue
            seen.add(path)
            response = client.get(path)
            assert response.status_code == 200, path
            assert BeautifulSoup(response.content, "html.parser").html["lang"] == "ti", path
    assert len(seen) > 40


def test_a_translated_service_links_its_wijken_and_partner_in_her_language(client):
    service = translated_service().get_translation(Locale.objects.get(language_code="ar"))
    page = soup(client.get(service.url))
    wijk_links = page.select("#area-title ~ p a")
    assert wijk_links
    assert all(a["href"].startswith("/ar/wijken/") for a in wijk_links)
    partner = page.select_one(".ww-page-intro a")
    assert partner["href"] == under("ar", translated_service().get_parent())


def test_the_language_switcher_on_a_theme_keeps_the_theme(client):
    theme = Theme.objects.filter(locale__language_code="nl").first()
    address = f"{under('ti', dutch(ThemeIndexPage).get())}{theme.slug}/"
    switcher = {
        a["hreflang"]: a["href"] for a in soup(client.get(address)).select(".ww-languages a")
    }
    assert switcher["ar"] == f"/ar{address[3:]}"
    assert switcher["nl"] == f"/nl{address[3:]}"


@pytest.mark.parametrize("code", ["ti", "ar"])
def test_a_dutch_only_card_says_so_in_her_language_and_marks_the_dutch(client, code):
    # Her 22 services fill the first page; the Dutch ones follow.
    page = soup(client.get(f"/{code}/zoeken/?q=&page=2"))
    with translation.override(code):
        label = gettext(ONLY_IN_DUTCH)
    assert label != ONLY_IN_DUTCH
    cards = page.select(".ww-results .ww-card")
    dutch_cards = [card for card in cards if card.select_one(".ww-only-dutch")]
    assert dutch_cards
    for card in dutch_cards:
        assert card.select_one(".ww-only-dutch").get_text(strip=True) == label
        title = card.select_one(".ww-card__title a")
        assert title["lang"] == "nl"
        assert title.get("dir") == ("ltr" if code == "ar" else None)
    for card in cards:
        if card not in dutch_cards:
            assert not card.select_one(".ww-card__title a").has_attr("lang")


@pytest.mark.parametrize("code", ["ti", "ar"])
def test_the_fallback_page_says_only_in_dutch_and_marks_its_text(client, code):
    page = soup(client.get(under(code, untranslated_service())))
    with translation.override(code):
        label = gettext(ONLY_IN_DUTCH)
    assert page.select_one(".ww-untranslated .ww-only-dutch").get_text(strip=True) == label
    assert page.h1["lang"] == "nl"
    assert page.h1.get("dir") == ("ltr" if code == "ar" else None)
    # The interface around the Dutch text stays in her language.
    assert page.select_one("#contact-title").find_parent(attrs={"lang": "nl"}) is None


def test_the_dutch_site_marks_nothing_as_dutch(client):
    page = soup(client.get(untranslated_service().url))
    assert page.select_one(".ww-only-dutch") is None
    assert not page.h1.has_attr("lang")


def test_a_suggestion_links_to_her_language(client):
    service = translated_service().get_translation(Locale.objects.get(language_code="ar"))
    response = client.get("/ar/zoeken/suggesties/", {"q": service.title[:4]})
    urls = [suggestion["url"] for suggestion in response.json()["suggestions"]]
    assert urls
    assert all(url.startswith("/ar/") for url in urls)


def test_the_sitemap_lists_every_language_version_on_the_requested_host(client):
    index = client.get("/sitemap.xml", secure=True)
    assert index.status_code == 200
    files = [
        loc.text
        for loc in ElementTree.fromstring(index.content).findall("sm:sitemap/sm:loc", SITEMAP)  # noqa: S314
    ]
    # The demo fits in one file, on the host that was asked.
    assert files == ["https://testserver/sitemap-pages.xml"]
    response = client.get("/sitemap-pages.xml", secure=True)
    assert response.status_code == 200
    assert "localhost" not in response.content.decode()
    urls = ElementTree.fromstring(response.content).findall("sm:url", SITEMAP)  # noqa: S314
    locations = [url.findtext("sm:loc", namespaces=SITEMAP) for url in urls]
    assert all(loc.startswith("https://testserver/") for loc in locations)
    service = untranslated_service()
    for code, _name in settings.LANGUAGES:
        assert f"https://testserver{under(code, service)}" in locations
    translated = translated_service()
    entry = urls[locations.index(f"https://testserver{under('ti', translated)}")]
    alternates = {
        link.get("hreflang"): link.get("href") for link in entry.findall("xhtml:link", SITEMAP)
    }
    assert set(alternates) == {*(code for code, _name in settings.LANGUAGES), "x-default"}
    assert alternates["ar"] == f"https://testserver{under('ar', translated)}"
    # Only real translations are alternates, as in the page's head.
    entry = urls[locations.index(f"https://testserver{under('ti', service)}")]
    assert {link.get("hreflang") for link in entry.findall("xhtml:link", SITEMAP)} == {
        "nl",
        "x-default",
    }
    theme = Theme.objects.filter(locale__language_code="nl").first()
    themes = dutch(ThemeIndexPage).get()
    assert f"https://testserver{under('so', themes)}{theme.slug}/" in locations


def test_partners_without_translation_are_linked_under_her_prefix(client):
    partner = dutch(PartnerPage).exclude(
        translation_key__in=PartnerPage.objects.filter(locale__language_code="ti").values(
            "translation_key"
        )
    )
    assert partner.exists()
    page = soup(client.get(under("ti", dutch(PartnerIndexPage).get())))
    hrefs = {a["href"] for a in page.select(".ww-card__title a")}
    assert under("ti", partner.first()) in hrefs


@pytest.mark.parametrize("code", ["ti", "ar"])
def test_a_theme_lists_her_language_first_then_the_dutch_fallbacks(client, code):
    themes = dutch(ThemeIndexPage).get()
    locale = Locale.objects.get(language_code=code)
    theme = max(
        Theme.objects.filter(locale__language_code="nl"),
        key=lambda theme: (
            ServicePage.objects.for_listing(locale)
            .filter(themes__slug=theme.slug, locale=locale)
            .count()
        ),
    )
    page = soup(client.get(f"{under(code, themes)}{theme.slug}/"))
    dutch_only = [bool(card.select_one(".ww-only-dutch")) for card in page.select(".ww-card")]
    assert False in dutch_only and True in dutch_only
    assert dutch_only == sorted(dutch_only)


def test_an_address_written_in_full_keeps_its_host_and_takes_her_prefix():
    """With more than one site Wagtail writes an address in full; her link
    is the address Django's ``translate_url`` makes of it, host and all."""
    from django.urls import translate_url

    from wagtail.models import Site

    from directory.links import page_url

    default = Site.objects.get(is_default_site=True)
    Site.objects.create(hostname="tweede.example", port=443, root_page=default.root_page)
    service = dutch(ServicePage).live().first()
    written = service.get_url()
    assert written.startswith("http"), written
    with translation.override("nl"):
        expected = translate_url(written, "ar")
    assert expected != written
    assert page_url(service, "ar") == expected
