"""What residents see on cards and service pages: open or closed, where it
is and how to get there, and the error page when something fails."""

import json
from urllib.parse import quote

from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import override

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory.models import OpeningHours, OpeningHoursException, ServiceLocation, ServicePage
from wijkwijzer.errors import server_error

pytestmark = pytest.mark.django_db


def soup_of(client, url) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def closed_today(service) -> ServicePage:
    """The service, in every language, closed today for a study day."""
    today = timezone.localdate()
    for version in ServicePage.objects.filter(translation_key=service.translation_key):
        OpeningHoursException.objects.create(
            page=version, start_date=today, end_date=today, closed=True, note="Studiedag"
        )
    return service


def card_of(soup, service):
    for card in soup.select(".ww-card"):
        if card.find("a", string=service.title):
            return card
    raise AssertionError(f"no card for {service.title}")


def test_a_card_on_the_partner_page_says_closed_today_and_why(client, closed_today):
    soup = soup_of(client, closed_today.get_parent().url)
    line = card_of(soup, closed_today).find(class_="ww-opening")
    assert line.find(class_="ww-opening__text").get_text().startswith("Vandaag gesloten")
    assert line.find(class_="ww-opening__note").get_text() == "Studiedag"


def test_a_search_result_card_says_it_in_the_visitors_language(client, closed_today):
    english = closed_today.get_translation(Locale.objects.get(language_code="en"))
    soup = soup_of(client, f"/en/zoeken/?q={quote(english.title)}")
    text = card_of(soup, english).find(class_="ww-opening__text").get_text()
    assert text.startswith("Closed today")


def labels_of(soup, line) -> list[dict]:
    """What the script reads for ``line``: its moments, each with its label
    from the page's table."""
    table = json.loads(soup.find(id="ww-opening-labels").string)
    numbers = [int(number) for number in line["data-ww-opening"].split(" ")]
    labels, start = [], 0
    for delta, number in zip(numbers[::2], numbers[1::2], strict=True):
        start += delta
        is_open, text, note = table[number]
        labels.append({"start": start, "open": bool(is_open), "text": text, "note": note})
    return labels


def test_the_card_carries_the_labels_of_the_coming_week_for_the_script(client, closed_today):
    soup = soup_of(client, closed_today.get_parent().url)
    line = card_of(soup, closed_today).find(class_="ww-opening")
    labels = labels_of(soup, line)
    assert labels[0]["text"] == line.find(class_="ww-opening__text").get_text()
    starts = [label["start"] for label in labels]
    assert starts == sorted(starts)
    assert abs(starts[0] - timezone.now().timestamp()) < 60
    assert starts[-1] - starts[0] <= 7 * 24 * 3600
    # Tomorrow the study day is over: the note goes with it.
    assert any(label["note"] == "" for label in labels)


def test_a_label_shared_by_cards_is_sent_once_per_page(client, closed_today):
    soup = soup_of(client, closed_today.get_parent().url)
    table = json.loads(soup.find(id="ww-opening-labels").string)
    assert len(table) == len({tuple(label) for label in table})
    lines = soup.select("[data-ww-opening]")
    used = {label["text"] for line in lines for label in labels_of(soup, line)}
    assert used == {text for _open, text, _note in table}


def test_the_service_page_says_open_or_closed_too(client, closed_today):
    soup = soup_of(client, closed_today.url)
    assert (
        soup.select_one(".ww-page-intro .ww-opening__text")
        .get_text()
        .startswith("Vandaag gesloten")
    )


def test_the_script_that_keeps_the_label_right_is_our_own(client, service):
    soup = soup_of(client, service.url)
    sources = [tag["src"] for tag in soup.find_all("script", src=True)]
    assert any(src.startswith("/static/wijkwijzer/wijkwijzer") for src in sources)
    assert client.get(sources[0]).status_code == 200


def test_a_service_without_hours_says_nothing_about_opening(client, service):
    OpeningHours.objects.filter(page=service).delete()
    soup = soup_of(client, service.get_parent().url)
    assert card_of(soup, service).find(class_="ww-opening") is None


def test_each_location_has_a_geo_link_and_a_route_planner_link(client, service, settings):
    settings.ROUTE_URL_TEMPLATE = "https://route.example/?to={lat},{lon}"
    soup = soup_of(client, service.url)
    location = service.locations.first()
    lat, lon = f"{location.latitude:.6f}", f"{location.longitude:.6f}"
    hrefs = [a["href"] for a in soup.select(".ww-route a")]
    assert f"geo:{lat},{lon}?q={lat},{lon}({quote(str(location), safe='')})" in hrefs
    assert f"https://route.example/?to={lat},{lon}" in hrefs


def test_an_address_keeps_its_dutch_order_on_a_right_to_left_page(client, service):
    arabic = service.get_translation(Locale.objects.get(language_code="ar"))
    soup = soup_of(client, arabic.url)
    assert soup.html["dir"] == "rtl"
    location = service.locations.first()
    place = soup.find("address").find(class_="ww-address__place")
    assert place["dir"] == "ltr"
    assert place.get_text() == f"{location.postcode} {location.city}"
    assert soup.find("address").find(class_="ww-address__street")["dir"] == "ltr"


@pytest.mark.urls("tests.resident.raising_urls")
@pytest.mark.parametrize(
    ("path", "language", "direction", "title"),
    [
        ("/ar/kapot/", "ar", "rtl", "حدث خطأ ما"),
        ("/nl/kapot/", "nl", "ltr", "Er ging iets mis"),
        ("/ti/kapot/", "ti", "ltr", "ገለ ጌጋ ኣጋጢሙ"),
    ],
)
def test_a_failing_page_shows_the_error_page_in_the_language_of_its_address(
    client, path, language, direction, title
):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert (soup.html["lang"], soup.html["dir"]) == (language, direction)
    assert soup.h1.get_text() == title
    assert soup.find("a", href=f"/{language}/") is not None
    assert {"tel:14030", "tel:112"} <= {a["href"] for a in soup.find_all("a", href=True)}
    stylesheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    assert "/static/wijkwijzer/wijkwijzer.css" in stylesheets


def test_the_error_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/fa/zoeken/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert 'lang="fa" dir="rtl"' in response.content.decode()


def test_an_address_without_a_language_gets_the_dutch_error_page():
    with override("en"):
        response = server_error(RequestFactory().get("/sitemap.xml"))
    assert '<html lang="nl" dir="ltr"' in response.content.decode()


def _with_database_out_of_reach(handler, request):
    """Call the error handler as Django does, while a real connection to a
    database that cannot be opened fails."""
    from django.db import OperationalError
    from django.db.utils import ConnectionHandler

    unreachable = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/db.sqlite3"}}
    )
    try:
        unreachable["default"].ensure_connection()
    except OperationalError:
        return handler(request)
    raise AssertionError("the database was reachable")


@pytest.mark.parametrize(
    ("language", "direction", "title"),
    [
        ("nl", "ltr", "Wijkwijzer is even niet bereikbaar"),
        ("ar", "rtl", "Wijkwijzer غير متاح مؤقتًا"),
    ],
)
def test_a_database_out_of_reach_gives_a_503_page_in_her_language_with_retry_after(
    language, direction, title
):
    response = _with_database_out_of_reach(server_error, RequestFactory().get(f"/{language}/"))
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    soup = BeautifulSoup(response.content, "html.parser")
    assert (soup.html["lang"], soup.html["dir"], soup.h1.get_text()) == (language, direction, title)
    assert {"tel:14030", "tel:112"} <= {a["href"] for a in soup.find_all("a", href=True)}


def test_any_other_failure_still_gets_the_500_page():
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(RequestFactory().get("/nl/"))
    assert response.status_code == 500


def test_the_site_uses_this_error_page():
    from wijkwijzer import urls

    assert urls.handler500 == "wijkwijzer.errors.server_error"


def test_a_search_result_card_names_the_organisation_and_the_place(client, service):
    soup = soup_of(client, f"/nl/zoeken/?q={quote(service.title)}")
    where = card_of(soup, service).find(class_="ww-card__where")
    assert where.find(class_="ww-card__partner").get_text() == service.get_parent().title
    assert where.find(class_="ww-card__place").get_text() == service.locations.first().city


def test_a_card_of_a_service_in_several_places_says_so(client, service):
    location = service.locations.first()
    ServiceLocation.objects.create(
        page=service,
        address="Tweede Straat 2",
        postcode=location.postcode,
        city=location.city,
        latitude=location.latitude,
        longitude=location.longitude,
    )
    soup = soup_of(client, service.get_parent().url)
    assert card_of(soup, service).find(class_="ww-card__place").get_text() == "Meerdere locaties"


def test_a_service_page_offers_its_link_in_the_visitors_language_to_share(client, service):
    arabic = service.get_translation(Locale.objects.get(language_code="ar"))
    soup = soup_of(client, arabic.url)
    share = soup.find(attrs={"data-ww-share": True})
    link = share.find("input", id="ww-share-link")
    assert link["value"] == f"http://testserver{arabic.url}"
    assert "/ar/" in link["value"]
    assert share.find("label", attrs={"for": "ww-share-link"}) is not None
    # Without the script: the link to select, and no button that would do nothing.
    assert share.find("button").has_attr("hidden")
    assert share.find(attrs={"aria-live": "polite"}) is not None
