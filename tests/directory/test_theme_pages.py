"""A theme's page and the themes index show what the search finds with the
theme chosen, on either backend: the services shown in her language, then
the Dutch ones not translated into it, each in title order, and how many."""

from django.test import Client

from wagtail.models import Locale

import pytest

from directory import pagination
from directory.models import ServicePage, Theme, ThemeIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def listing(locale):
    return ServicePage.objects.for_listing(locale)


@pytest.mark.parametrize("code", ["nl", "en", "ar"])
def test_a_theme_page_lists_its_services_in_her_language_first_in_title_order(
    backend, monkeypatch, code
):
    monkeypatch.setattr(pagination, "PER_PAGE", 1000)
    locale = Locale.objects.get(language_code=code)
    index = ThemeIndexPage.objects.get(locale=locale)
    in_her_language = 0
    for theme in Theme.listed(locale):
        response = Client().get(f"{index.url}{theme.slug}/")
        assert response.status_code == 200
        listed = [service.pk for service in response.context["services"]]
        expected = list(
            listing(locale).filter(themes__slug=theme.slug).values_list("pk", flat=True)
        )
        assert listed == expected, theme.slug
        in_her_language += ServicePage.objects.filter(pk__in=listed, locale=locale).count()
    # The demo translates services into every language: the order is tested.
    assert in_her_language


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_the_themes_index_counts_each_theme_s_services(backend, code):
    locale = Locale.objects.get(language_code=code)
    response = Client().get(ThemeIndexPage.objects.get(locale=locale).url)
    counts = {theme.slug: n for theme, n in response.context["themes"]}
    assert counts == {
        theme.slug: listing(locale).filter(themes__slug=theme.slug).count()
        for theme in Theme.listed(locale)
    }
    assert any(counts.values())


def test_a_page_number_past_the_end_shows_the_last_page_and_a_bad_one_the_first(
    backend, monkeypatch
):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    nl = Locale.objects.get(language_code="nl")
    theme = Theme.listed(nl)[0]
    url = f"{ThemeIndexPage.objects.get(locale=nl).url}{theme.slug}/"
    expected = list(listing(nl).filter(themes__slug=theme.slug).values_list("pk", flat=True))
    assert len(expected) > 2

    def shown(number):
        response = Client().get(url, {"page": number})
        assert response.status_code == 200
        return [service.pk for service in response.context["services"]]

    assert shown("999") == expected[(len(expected) - 1) // 2 * 2 :]
    assert shown("x") == expected[:2]
