"""Nine languages: every page in every language, right-to-left where needed,
translated listings, and the Dutch page with a notice where none exists yet."""

import json
import re

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from wagtail.models import Locale
from wagtail_localize.models import Translation

import polib
import pytest
from bs4 import BeautifulSoup

from directory.demo.translations import TRANSLATED_SERVICES
from directory.models import (
    Audience,
    PartnerPage,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkPage,
)

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
RIGHT_TO_LEFT = {"ar", "fa"}
NOTICE = "This page has not been translated into your language yet. Below is the Dutch text."


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def translated_service(code: str) -> ServicePage:
    partner_slug, slug = TRANSLATED_SERVICES[0].split("/")
    source = ServicePage.objects.get(slug=slug, locale__language_code="nl")
    return source.get_translation(Locale.objects.get(language_code=code))


def untranslated_service() -> ServicePage:
    translated = {path.split("/")[1] for path in TRANSLATED_SERVICES}
    return (
        ServicePage.objects.filter(locale__language_code="nl").exclude(slug__in=translated).first()
    )


def test_the_site_offers_the_nine_languages():
    assert LANGUAGES == ["nl", "en", "ar", "fa", "ti", "uk", "tr", "pl", "so"]
    assert set(Locale.objects.values_list("language_code", flat=True)) == set(LANGUAGES)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_page_type_renders_with_the_right_language_and_direction(client, code):
    wijk = WijkPage.objects.filter(locale__language_code="nl").first()
    service = untranslated_service()
    paths = [
        "/",
        wijk.get_parent().url[3:],
        wijk.url[3:],
        service.get_parent().url[3:],
        service.url[3:],
        ThemeIndexPage.objects.get(locale__language_code="nl").url[3:],
        "/zoeken/?q=schulden",
    ]
    for path in paths:
        response = client.get(f"/{code}{path}")
        assert response.status_code == 200, (code, path)
        html = soup(response).html
        assert html["lang"] == code
        assert html["dir"] == ("rtl" if code in RIGHT_TO_LEFT else "ltr")


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != "nl"])
def test_an_untranslated_page_shows_the_dutch_text_with_a_notice_in_her_language(client, code):
    service = untranslated_service()
    response = client.get(f"/{code}{service.url[3:]}")
    assert response.status_code == 200
    with translation.override(code):
        notice = gettext(NOTICE)
    assert notice != NOTICE or code == "en"
    page = soup(response)
    with translation.override(code):
        label = gettext("Only in Dutch")
    assert page.select_one(".ww-untranslated").get_text(" ", strip=True) == f"{label} {notice}"
    assert page.h1["lang"] == "nl"
    assert page.h1.get("dir") == ("ltr" if code in RIGHT_TO_LEFT else None)
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == "nl"


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code != "nl"])
def test_a_translated_service_reads_in_her_language(client, code):
    service = translated_service(code)
    assert service.live
    response = client.get(service.url)
    page = soup(response)
    assert page.h1.get_text(strip=True) == service.title
    assert page.select_one(".ww-untranslated") is None
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["inLanguage"] == code
    dutch = ServicePage.objects.get(
        translation_key=service.translation_key, locale__language_code="nl"
    )
    assert service.title != dutch.title or code == "en"


def test_themes_and_audiences_exist_in_every_language():
    for code in LANGUAGES:
        assert Theme.objects.filter(locale__language_code=code).count() == 12, code
        assert Audience.objects.filter(locale__language_code=code).count() == 6, code


def test_the_language_switcher_keeps_the_visitor_on_the_same_page(client):
    service = translated_service("ar")
    page = soup(client.get(service.url))
    links = {a["hreflang"]: a["href"] for a in page.select(".ww-languages a")}
    assert set(links) == set(LANGUAGES)
    assert links["uk"] == translated_service("uk").url
    assert (
        links["nl"]
        == ServicePage.objects.get(
            translation_key=service.translation_key, locale__language_code="nl"
        ).url
    )
    other = untranslated_service()
    links = {
        a["hreflang"]: a["href"]
        for a in soup(client.get(f"/ti{other.url[3:]}")).select(".ww-languages a")
    }
    assert links["so"] == f"/so{other.url[3:]}"


def test_alternates_name_only_real_translations(client):
    service = translated_service("ar")
    page = soup(client.get(service.url))
    alternates = {link["hreflang"] for link in page.find_all("link", rel="alternate")}
    assert alternates == {*LANGUAGES, "x-default"}
    other = untranslated_service()
    page = soup(client.get(other.url))
    assert {link["hreflang"] for link in page.find_all("link", rel="alternate")} == {
        "nl",
        "x-default",
    }


def test_the_browser_language_is_honoured_on_the_first_visit(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/")


def test_the_last_language_read_is_remembered(client):
    client.get("/tr/")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert response["Location"].startswith("/tr/")


@pytest.mark.parametrize("code", sorted(RIGHT_TO_LEFT))
def test_phone_numbers_and_postcodes_stay_left_to_right(client, code):
    service = translated_service(code)
    page = soup(client.get(service.url))
    phone = page.select_one('a[href^="tel:"]')
    assert phone["dir"] == "ltr"
    assert all(span["dir"] == "ltr" for span in page.select("address span"))


def test_tigrinya_and_somali_have_language_data():
    from django.utils.translation import get_language_info

    assert get_language_info("ti")["name_local"] == "ትግርኛ"
    assert get_language_info("so")["bidi"] is False


def test_machine_translation_is_off_unless_configured():
    assert not getattr(settings, "WAGTAILLOCALIZE_MACHINE_TRANSLATOR", None)


def test_a_translation_round_trips_through_a_po_file(admin_client):
    service = translated_service("ar")
    job = Translation.objects.get(
        source__object_id=service.translation_key, target_locale__language_code="ar"
    )
    download = admin_client.get(reverse("wagtail_localize:download_pofile", args=[job.pk]))
    assert download.status_code == 200
    po = polib.pofile(download.content.decode())
    summary = next(entry for entry in po if entry.msgctxt == "summary")
    summary.msgstr = "ملخص جديد من المترجم"
    upload = admin_client.post(
        reverse("wagtail_localize:upload_pofile", args=[job.pk]),
        {"file": SimpleUploadedFile("ar.po", str(po).encode(), "text/x-gettext-translation")},
    )
    assert upload.status_code == 302
    job.save_target(publish=True)
    service.refresh_from_db()
    assert service.summary == "ملخص جديد من المترجم"


def test_a_hard_dutch_summary_gets_a_plain_language_warning_but_is_saved(admin_client):
    from tests.directory.test_page_tree import service_form_data

    partner = PartnerPage.objects.filter(locale__language_code="nl").first()
    wijk = WijkPage.objects.filter(locale__language_code="nl").first()
    hard = "U dient een aanvraag voor de kinderopvangtoeslagregeling tijdig in te dienen."
    response = admin_client.post(
        reverse("wagtailadmin_pages:add", args=("directory", "servicepage", partner.pk)),
        service_form_data(wijk, summary=hard),
        follow=True,
    )
    assert ServicePage.objects.filter(summary=hard).exists()
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert any("kinderopvangtoeslagregeling" in warning for warning in warnings)


def test_interface_strings_are_translated_in_every_language():
    from pathlib import Path

    catalogs = {
        path.parent.parent.name
        for path in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po")
    }
    assert catalogs == set(LANGUAGES)
    for code in LANGUAGES:
        po = polib.pofile(str(Path(settings.BASE_DIR, "locale", code, "LC_MESSAGES", "django.po")))
        assert po.percent_translated() == 100, code
        assert re.search(r"Review status", po.header), code


def test_an_arabic_query_finds_the_arabic_translation(backend):
    from search.query import ServiceQuery, search_services

    service = translated_service("ar")
    word = max(re.findall(r"[\u0600-\u06FF]+", service.title), key=len)
    results = search_services(
        ServiceQuery(text=word), Locale.objects.get(language_code="ar"), per_page=200
    )
    assert results.backend == backend
    assert service.pk in {hit.service.pk for hit in results.page}
    assert all(hit.service.locale.language_code == "ar" for hit in results.page)


@pytest.mark.parametrize(
    ("asked", "shown", "direction", "sidebar"),
    [
        ("ti", "en", "ltr", "Sidebar"),
        ("so", "en", "ltr", "Sidebar"),
        ("fa", "fa", "rtl", "نوار کناری"),
    ],
)
def test_the_admin_speaks_one_whole_language_to_every_editor(
    admin_client, asked, shown, direction, sidebar
):
    """Wagtail has no Tigrinya or Somali admin: such an editor gets all of it in
    English (not Dutch fallbacks marked as Tigrinya); a Dari reader gets Persian."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = asked
    page = soup(admin_client.get("/admin/pages/", HTTP_ACCEPT_LANGUAGE=asked))
    assert (page.html["lang"], page.html["dir"]) == (shown, direction)
    assert page.find(attrs={"aria-label": sidebar}) is not None


def test_an_editor_chooses_among_the_admin_languages_wagtail_speaks(admin_client):
    page = soup(admin_client.get(reverse("wagtailadmin_account")))
    offered = {
        option["value"] for option in page.select("select[name='locale-preferred_language'] option")
    }
    assert {"nl", "en", "ar", "fa", "uk", "tr", "pl"} <= offered
    assert not offered & {"ti", "so"}
