"""A search is never a dead end: with no results the resident gets other words,
themes, Dutch services and numbers to call, in her language; a place the site
does not know is said at the top of the results."""

from dataclasses import replace

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory.models import Municipality, ServicePage, Theme
from search.alternatives import nearest_theme_slugs, no_results_help
from search.query import ServiceQuery, search_services
from search.thesaurus import Concept, Thesaurus

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "ar", "ti"]
# "schulden" with the key next to the s first: the search corrects typos after
# the first letter only, so this one finds nothing and the themes must help.
TYPO = "achulden"


def search_page(client, code: str, **params) -> BeautifulSoup:
    response = client.get(f"/{code}/zoeken/", params)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def no_results(page: BeautifulSoup):
    part = page.select_one("#search-results .ww-no-results")
    assert part is not None, "the page shows no help for a search without results"
    return part


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_typo_finds_nothing_but_offers_the_nearest_theme_in_her_language(client, code):
    page = search_page(client, code, q=TYPO)
    links = no_results(page).select("#no-results-themes ~ ul a")
    assert links, "no theme is offered for a mistyped word"
    theme = Theme.objects.filter(slug="geldzaken-en-schulden")
    named = theme.filter(locale__language_code=code).first() or theme.get(
        locale__language_code="nl"
    )
    assert links[0]["href"] == f"/{code}/themas/geldzaken-en-schulden/"
    assert links[0].get_text(strip=True) == named.name
    assert links[0]["lang"] == named.locale.language_code
    assert client.get(links[0]["href"]).status_code == 200


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_results_always_links_to_all_themes(client, code):
    page = search_page(client, code, q="xyzzy")
    part = no_results(page)
    assert not part.select("#no-results-themes ~ ul a"), "xyzzy is near no theme"
    with translation.override(code):
        all_themes = part.find("a", string=gettext("All themes"))
    assert all_themes["href"] == f"/{code}/themas/"


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_results_gives_the_crisis_numbers_and_the_municipality_number(client, code):
    part = no_results(search_page(client, code, q="xyzzy"))
    calls = {link["href"]: link for link in part.select("a[href^='tel:']")}
    assert set(calls) == {"tel:112", "tel:08000113", "tel:113", "tel:08002000", "tel:14030"}
    assert all(link["dir"] == "ltr" for link in calls.values())
    assert calls["tel:14030"].get_text() == "14 030"
    text = " ".join(part.get_text(" ").split())
    with translation.override(code):
        assert gettext("Need help now? Call") in text
        assert gettext("Emergency: police, fire brigade or ambulance") in text
        assert gettext("Domestic violence or child abuse. Free, day and night.") in text
        assert gettext("Municipality of %(name)s") % {"name": "Utrecht"} in text
    for name in ("113 Zelfmoordpreventie", "Veilig Thuis"):
        assert part.find("bdi", string=name).parent["lang"] == "nl"


def test_the_municipality_number_is_that_of_the_chosen_wijk(client, wijk):
    other = Municipality.objects.create(name="Elders", cbs_code="GM9999", phone="030 123 4567")
    part = no_results(search_page(client, "nl", q="xyzzy", wijk=wijk.cbs_code))
    numbers = [link["href"] for link in part.select("a[href^='tel:']")]
    assert "tel:14030" in numbers
    assert "tel:0301234567" not in numbers, f"{other} has no wijk here"


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_suggestion_from_the_backend_is_offered_as_a_link_that_runs_it(code, rf_request):
    """The backends fill ``suggestion`` (the engine's term suggester, the
    database's own later); the no-results part offers it as a search."""
    locale = Locale.objects.get(language_code=code)
    query = ServiceQuery(text=TYPO)
    with translation.override(code):
        results = replace(search_services(query, locale), suggestion="schuldhulp")
        assert results.total == 0
        html = render_to_string(
            "search/includes/results.html",
            {
                "query": query,
                "results": results,
                "no_results_help": no_results_help(rf_request, query, locale, results),
            },
            request=rf_request,
        )
        label = gettext("Did you mean:")
    did_you_mean = BeautifulSoup(html, "html.parser").select_one(".ww-did-you-mean")
    assert label in did_you_mean.get_text()
    assert did_you_mean.a["href"] == "?q=schuldhulp"
    assert did_you_mean.a.get_text() == "schuldhulp"


def test_dutch_words_on_an_arabic_page_find_the_dutch_service_in_arabic(client):
    """ "opsluiten" (locking someone up) is in the Dutch text of a service whose
    Arabic translation says it in Arabic, and in no thesaurus concept: the
    Arabic search finds nothing, the Dutch one finds it, and the link opens her
    Arabic translation."""
    page = search_page(client, "ar", q="opsluiten")
    part = no_results(page)
    dutch = part.select_one("section[aria-labelledby=no-results-dutch]")
    assert dutch is not None
    service = ServicePage.objects.get(
        slug="informatie-huiselijk-geweld", locale__language_code="nl"
    )
    arabic = service.get_translation(Locale.objects.get(language_code="ar"))
    link = dutch.select_one("ul a")
    assert link["href"] == arabic.url
    assert link["lang"] == "ar"
    assert link.get_text() == arabic.title
    everything = dutch.find("a", hreflang="nl")
    assert everything["href"] == "/nl/zoeken/?q=opsluiten"


def test_a_dutch_search_with_no_results_offers_no_dutch_matches(client):
    assert not no_results(search_page(client, "nl", q="xyzzy")).select(
        "section[aria-labelledby=no-results-dutch]"
    )


def test_a_search_with_filters_and_no_results_offers_the_search_without_them(client):
    part = no_results(search_page(client, "nl", q="huurachterstand", theme="onderwijs"))
    link = part.find("a", href="?q=huurachterstand")
    assert link is not None


def test_thesaurus_terms_in_any_language_lead_to_their_themes():
    """A Tigrinya word that no theme name contains finds its theme through the
    thesaurus; without the thesaurus it finds none."""
    debt = Concept(
        key="debt",
        terms={"nl": ("schulden",), "ti": ("ዕዳ", "ልቓሕ")},
        themes=("geldzaken-en-schulden",),
    )
    assert nearest_theme_slugs("ልቓሕ", Thesaurus(concepts=(debt,), version="1")) == [
        "geldzaken-en-schulden"
    ]
    assert nearest_theme_slugs("ልቓሕ", Thesaurus()) == []


@pytest.mark.parametrize(
    ("words", "theme"),
    [
        ("schuldhlup", "geldzaken-en-schulden"),
        ("wonnen", "wonen"),
        ("taalles", "taal-en-inburgering"),
        ("huisarts", "gezondheid-en-zorg"),
        ("ديون", "geldzaken-en-schulden"),
    ],
)
def test_misspelt_and_other_language_words_are_near_their_theme(words, theme):
    assert nearest_theme_slugs(words, Thesaurus())[0] == theme


@pytest.mark.parametrize("words", ["xyzzy", "1012 AB", "zwembadvergunning"])
def test_words_near_no_theme_offer_none(words):
    assert nearest_theme_slugs(words, Thesaurus()) == []


# An unknown place.


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_an_unknown_postcode_is_said_at_the_top_of_the_results(client, code):
    page = search_page(client, code, place="1012 AB")
    results = page.select_one("#search-results .ww-results")
    first = results.find(True)
    assert first.get("role") == "alert", "the notice is not the first thing in the results"
    assert "1012 AB" in first.get_text()
    with translation.override(code):
        assert gettext("Check the postcode") in first.get_text()
    assert first.a["href"] == "#search-place"
    # The field that says what is wrong is visible, not in a closed panel.
    assert page.select_one("details.ww-filters").has_attr("open")
    assert page.select_one("#search-place")["aria-invalid"] == "true"


def test_an_unknown_postcode_shows_the_results_without_distance(client):
    """She still needs help, so the results stay; the notice says they are not near her."""
    response = client.get("/nl/zoeken/", {"place": "1012 AB", "q": "schulden"})
    results = response.context["results"]
    assert (
        results.total == search_services(ServiceQuery(text="schulden"), Locale.get_default()).total
    )
    assert all(hit.distance_km is None for hit in results.page)


def test_a_known_postcode_gets_no_notice(client):
    page = search_page(client, "nl", place="3563 AB")
    assert not page.select("#search-results [role=alert]")


@pytest.fixture
def rf_request():
    request = RequestFactory().get("/", {"q": TYPO})
    request.META["HTTP_HOST"] = "localhost"
    return request
