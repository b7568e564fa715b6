"""The public search page: free text and filters on the database backend."""

import pytest
from bs4 import BeautifulSoup

from directory.models import ServicePage

pytestmark = pytest.mark.django_db

URL = "/nl/zoeken/"


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def result_pks(response):
    return [hit.service.pk for hit in response.context["results"].page]


def all_results(client, **params):
    response = search(client, **params)
    results = response.context["results"]
    pks = []
    for number in results.page.paginator.page_range:
        pks += result_pks(search(client, page=number, **params))
    assert len(pks) == results.total
    return ServicePage.objects.filter(pk__in=pks)


def test_without_a_query_every_live_service_is_listed(client):
    response = search(client)
    assert (
        response.context["results"].total
        == ServicePage.objects.live().filter(locale__language_code="nl").count()
    )


def test_free_text_finds_debt_help(client):
    found = all_results(client, q="schulden")
    assert found.exists()
    assert found.filter(themes__slug="geldzaken-en-schulden").exists()


def test_a_phrase_without_any_full_match_falls_back_to_some_words(client):
    response = search(client, q="schulden zwembadvergunning")
    results = response.context["results"]
    assert results.matched_some_words
    assert results.total > 0


def test_theme_filter_keeps_only_that_theme(client):
    found = all_results(client, theme="wonen")
    assert found.exists()
    assert all(s.themes.filter(slug="wonen").exists() for s in found)
    assert (
        found.count()
        == ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .filter(themes__slug="wonen")
        .count()
    )


def test_wijk_filter_includes_services_for_the_whole_municipality(client, wijk):
    found = set(all_results(client, wijk=wijk.cbs_code).values_list("pk", flat=True))
    direct = set(
        ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .filter(wijken=wijk)
        .values_list("pk", flat=True)
    )
    citywide = set(
        ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .filter(municipalities=wijk.municipality)
        .values_list("pk", flat=True)
    )
    assert found == direct | citywide


def test_filters_combine_and_values_within_a_filter_are_alternatives(client):
    found = all_results(client, audience=["ouderen", "jongeren"], language="ar")
    expected = (
        ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .filter(audiences__slug__in=["ouderen", "jongeren"])
        .filter(languages__code="ar")
        .distinct()
    )
    assert set(found) == set(expected)


def test_facet_counts_match_the_results_of_choosing_them(client):
    facets = search(client, wijk="WK034403").context["results"].facets
    for theme, count in list(facets["themes"].items())[:4]:
        total = search(client, wijk="WK034403", theme=theme).context["results"].total
        assert total == count, theme


def test_an_unknown_filter_value_is_reported_and_the_rest_still_applies(client):
    response = search(client, theme=["wonen", "bestaat-niet"], q="")
    form = response.context["form"]
    assert "theme" in form.errors
    assert (
        response.context["results"].total
        == ServicePage.objects.live().filter(locale__language_code="nl").count()
    )
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select(".utrecht-form-field-error-message")


def test_a_very_long_query_is_refused_with_a_message(client):
    response = search(client, q="schuld " * 2000)
    assert "q" in response.context["form"].errors
    assert (
        response.context["results"].total
        == ServicePage.objects.live().filter(locale__language_code="nl").count()
    )


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script>',
        "schulden OR 1=1; DROP TABLE x; --",
        '"unclosed',
        "AND OR NOT (",
        "💸 🏠",
        "*:*",
    ],
)
def test_hostile_or_odd_queries_are_answered_safely(client, text):
    response = search(client, q=text)
    assert b'<script>alert("x")' not in response.content


def test_results_are_paginated(client):
    first = search(client)
    second = search(client, page=2)
    assert first.context["results"].page.has_next()
    assert not set(result_pks(first)) & set(result_pks(second))


def test_the_search_page_works_without_javascript(client):
    soup = BeautifulSoup(search(client, theme="wonen").content, "html.parser")
    form = soup.find("form", class_="ww-search")
    assert form["method"] == "get"
    assert form.find("button", type="submit")
    assert soup.find("input", attrs={"name": "theme", "value": "wonen", "checked": True})


def test_a_postcode_narrows_to_nearby_services_nearest_first(client):
    response = search(client, place="3563 AB", radius="2", sort="distance")
    hits = list(response.context["results"].page)
    assert hits
    distances = [hit.distance_km for hit in hits]
    assert distances == sorted(distances)
    assert max(distances) <= 2
    assert b"km hiervandaan" in response.content


def test_an_unknown_postcode_is_reported_and_the_rest_still_applies(client):
    response = search(client, place="9999 ZZ", theme="wonen")
    assert "place" in response.context["form"].errors
    assert "Deze plaats kennen wij niet" in response.content.decode()
    assert (
        response.context["results"].total
        == ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .filter(themes__slug="wonen")
        .count()
    )


def test_open_now_and_the_other_filters_reach_the_query(client):
    response = search(client, open_now="on", partner_type="politie", cost="free", access="walk_in")
    query = response.context["query"]
    assert query.open_at is not None
    assert query.partner_types == ("politie",)
    assert query.costs == ("free",)
    assert query.accesses == ("walk_in",)


def test_the_page_loads_its_scripts_from_our_own_server(client):
    soup = BeautifulSoup(search(client).content, "html.parser")
    scripts = soup.find_all("script", src=True)
    assert scripts
    assert all(script["src"].startswith("/static/") for script in scripts)


def test_suggestions_complete_service_titles(client):
    response = client.get("/nl/zoeken/suggesties/", {"q": "schuldh"})
    assert response.status_code == 200
    titles = [item["title"] for item in response.json()["suggestions"]]
    assert titles
    assert all("schuldh" in title.lower() for title in titles)


def test_suggestions_for_nothing_are_empty(client):
    assert client.get("/nl/zoeken/suggesties/", {"q": "<"}).json() == {"suggestions": []}
