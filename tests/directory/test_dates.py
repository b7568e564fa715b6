"""Dates in every language come from CLDR (through Babel): Tigrinya and Somali
month names, and the genitive in Ukrainian and Polish ("24 грудня", not
"24 Грудень")."""

import datetime

from django.urls import translate_url
from django.utils import translation

import pytest
from bs4 import BeautifulSoup

from directory import localized
from directory.models import OpeningHoursException, ServicePage

pytestmark = pytest.mark.django_db

CHRISTMAS_EVE = datetime.date(2026, 12, 24)

# As each language writes the day, checked against CLDR by people who read it.
LAST_CHECKED = {
    "nl": "24 december 2026",
    "ti": "ታሕሳስ 24, 2026",
    "so": "Diseembar 24, 2026",
    "uk": "24 грудня 2026",
    "pl": "24 grudnia 2026",
    "ar": "24 ديسمبر 2026",
}


@pytest.fixture
def checked_on_christmas_eve(service) -> ServicePage:
    """The service, in every language it is translated into, last checked on
    24 December 2026 and closed over Christmas 2099."""
    translations = ServicePage.objects.filter(translation_key=service.translation_key)
    translations.update(last_verified=CHRISTMAS_EVE)
    for page in translations:
        OpeningHoursException.objects.create(
            page=page,
            start_date=datetime.date(2099, 12, 24),
            end_date=datetime.date(2099, 12, 26),
            closed=True,
        )
    return service


def service_page(client, service, code) -> BeautifulSoup:
    with translation.override("nl"):  # the Dutch address resolves only in Dutch
        url = translate_url(service.url, code)
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize(("code", "expected"), LAST_CHECKED.items())
def test_a_service_page_says_when_it_was_checked_in_the_readers_language(
    client, checked_on_christmas_eve, code, expected
):
    text = service_page(client, checked_on_christmas_eve, code).find(class_="ww-verified")
    assert expected in text.get_text()


@pytest.mark.parametrize(
    ("code", "month"),
    [("ti", "ታሕሳስ"), ("so", "Diseembar"), ("uk", "грудня"), ("pl", "grudnia")],
)
def test_other_opening_hours_name_the_month_in_the_readers_language(
    client, checked_on_christmas_eve, code, month
):
    page = service_page(client, checked_on_christmas_eve, code)
    heading = page.find(id="hours-title").parent
    period = " ".join(heading.find("ul").get_text(" ").split())
    assert period.count(month) == 2, period
    assert "december" not in period.lower() or code == "nl"


@pytest.mark.parametrize("code", ["uk", "pl"])
def test_ukrainian_and_polish_dates_never_use_the_nominative(code):
    nominative = {"uk": "Грудень", "pl": "Grudzień"}[code]
    with translation.override(code):
        assert nominative not in localized.day(CHRISTMAS_EVE)
        assert nominative.lower() not in localized.day(CHRISTMAS_EVE)


def test_numbers_use_the_readers_decimal_separator():
    assert localized.decimal(1.5, 1, "nl") == "1,5"
    assert localized.decimal(1.5, 1, "en") == "1,5"  # English as written in the Netherlands
    assert localized.decimal(1.5, 1, "ar") == "1.5"
    assert localized.decimal(1234.5, 1, "uk") == "1\xa0234,5"


def test_times_are_on_the_24_hour_clock_in_every_language():
    for code in ("nl", "en", "ar", "ti", "so"):
        assert localized.clock(datetime.time(17, 30), code) == "17:30"


def test_a_language_babel_does_not_know_falls_back_to_dutch():
    assert localized.day(CHRISTMAS_EVE, "xx") == "24 december 2026"
