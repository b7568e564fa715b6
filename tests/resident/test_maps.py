"""The maps residents see: each location of a service on a small map, and a page
of search results on a map, drawn from the project's own data. By default no
other host is asked for anything; a deployment may add background tiles, and
then their host alone is allowed by the Content-Security-Policy."""

import json
import os
import subprocess
import sys

from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.utils.translation import override

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory.links import page_url
from directory.models import ServicePage, WijkPage
from wijkwijzer.map_tiles import tile_source

pytestmark = pytest.mark.django_db

PDOK = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"


def soup_of(client, url, **params) -> BeautifulSoup:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def maps_on(soup) -> list:
    return soup.select("[data-ww-map]")


def data_of(element) -> dict:
    return json.loads(element["data-ww-map"])


def square_around(location, half: float = 0.01) -> dict:
    """A made-up square outline (GeoJSON: longitude, latitude) around ``location``."""
    lat, lon = float(location.latitude), float(location.longitude)
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def served_wijk_service() -> ServicePage:
    """A Dutch demo service for a wijk of its own, with one located place."""
    return (
        ServicePage.objects.live()
        .filter(locale__language_code="nl", wijken__isnull=False)
        .filter(locations__latitude__isnull=False)
        .distinct()
        .order_by("path")
        .first()
    )


def test_a_location_with_coordinates_gets_a_map_with_its_marker(client, service):
    soup = soup_of(client, service.url)
    located = list(service.locations.all())
    maps = maps_on(soup)
    assert len(maps) == len(located)
    first = data_of(maps[0])
    assert first["markers"] == [
        {
            "at": [float(located[0].latitude), float(located[0].longitude)],
            "label": str(located[0]),
        }
    ]
    assert first["tiles"] is None
    # A named region, hidden until the script draws it; loaded only when seen.
    assert maps[0]["role"] == "region"
    assert maps[0]["aria-label"] == f"Kaart van {located[0]}"
    assert maps[0].has_attr("hidden")
    assert maps[0].has_attr("data-ww-map-lazy")


def test_the_map_beside_the_address_and_route_links_which_stay(client, service):
    soup = soup_of(client, service.url)
    where = soup.find(id="where-title").parent
    assert where.find("address")
    assert where.select(".ww-route a[href^='geo:']")
    assert where.select("[data-ww-map]")


def test_the_map_outlines_the_served_wijk_the_location_lies_in(client, served_wijk_service):
    service = served_wijk_service
    location = service.locations.exclude(latitude=None).first()
    wijk = service.wijken.first()
    outline = square_around(location)
    WijkPage.objects.filter(pk=wijk.pk).update(outline=outline)

    data = data_of(maps_on(soup_of(client, service.url))[0])

    assert data["areas"] == [{"name": wijk.title, "outline": outline}]


def test_an_outline_the_location_lies_outside_is_left_off(client, served_wijk_service):
    service = served_wijk_service
    location = service.locations.exclude(latitude=None).first()
    far_away = location.__class__(latitude=location.latitude + 1, longitude=location.longitude)
    WijkPage.objects.filter(pk__in=service.wijken.all()).update(outline=square_around(far_away))

    data = data_of(maps_on(soup_of(client, service.url))[0])

    assert data["areas"] == []


def test_leaflet_is_not_loaded_by_the_page_itself_but_named_for_the_script(client, service):
    soup = soup_of(client, service.url)
    loaded = [tag.get("src", "") for tag in soup.find_all("script")] + [
        tag.get("href", "") for tag in soup.find_all("link")
    ]
    assert not [url for url in loaded if "leaflet" in url or "map.js" in url]
    assets = maps_on(soup)[0]["data-ww-map-assets"].split()
    assert [url.rsplit("/", 1)[-1] for url in assets] == ["leaflet.css", "leaflet.js", "map.js"]
    for url in assets:
        assert finders.find(url.removeprefix(django_settings.STATIC_URL)), url


def test_the_map_labels_are_in_the_visitors_language(client, service):
    arabic = service.get_translation(Locale.objects.get(language_code="ar"))
    [first, *_] = maps_on(soup_of(client, arabic.url))
    assert first["data-ww-zoom-in"] == "تكبير"
    assert first["aria-label"].startswith("خريطة ")


@pytest.mark.parametrize("language", ["nl", "ar", "ti"])
def test_the_search_map_links_each_service_found_in_the_visitors_language(client, language):
    response = client.get(f"/{language}/zoeken/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    [search_map] = maps_on(soup)
    markers = data_of(search_map)["markers"]

    expected = {}
    with override(language):
        for hit in response.context["results"].page:
            for location in hit.service.locations.all():
                point = (float(location.latitude), float(location.longitude))
                link = {"label": hit.service.title, "url": page_url(hit.service, language)}
                if link not in expected.setdefault(point, []):
                    expected[point].append(link)
    assert expected
    assert {tuple(m["at"]): m["links"] for m in markers} == expected
    assert all(link["url"].startswith(f"/{language}/") for m in markers for link in m["links"])


def test_services_at_one_place_share_a_marker_named_after_the_place(client):
    response = client.get("/nl/zoeken/")
    markers = data_of(maps_on(BeautifulSoup(response.content, "html.parser"))[0])["markers"]
    shared = [m for m in markers if len(m["links"]) > 1]
    single = [m for m in markers if len(m["links"]) == 1]
    assert shared and single
    assert all(m["label"] == m["place"] for m in shared)
    assert all(m["label"] == m["links"][0]["label"] for m in single)
    assert len({tuple(m["at"]) for m in markers}) == len(markers)


def test_the_search_page_offers_list_or_map_only_with_javascript(client):
    soup = soup_of(client, "/nl/zoeken/", q="schulden")
    switch = soup.select_one(".ww-view-switch")
    assert switch.has_attr("hidden")
    assert [b.get_text() for b in switch.find_all("button")] == ["Lijst", "Kaart"]
    assert soup.select_one("#search-map").has_attr("hidden")
    assert not soup.select_one("#search-list").has_attr("hidden")


def test_no_results_means_no_map(client):
    soup = soup_of(client, "/nl/zoeken/", q="qqqxyzzyqqq")
    assert maps_on(soup) == []


def test_by_default_images_come_from_the_site_alone(client, service):
    policy = client.get(service.url)["Content-Security-Policy"]
    [img_src] = [d.strip() for d in policy.split(";") if d.strip().startswith("img-src")]
    assert img_src == "img-src 'self' data:"


def test_configured_tiles_reach_the_map_script(client, service, settings):
    settings.MAP_TILE_URL = PDOK
    settings.MAP_TILE_ATTRIBUTION = "Kaartgegevens © Kadaster"
    data = data_of(maps_on(soup_of(client, service.url))[0])
    assert data["tiles"] == {"url": PDOK, "attribution": "Kaartgegevens © Kadaster"}


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", None),
        (PDOK, "https://service.pdok.nl"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://localhost:8080/tiles/{z}/{x}/{y}.png", "http://localhost:8080"),
    ],
)
def test_the_tile_host_is_the_only_source_a_tile_address_adds(url, source):
    assert tile_source(url) == source


@pytest.mark.parametrize("url", ["ftp://tiles.example/{z}/{x}/{y}", "/tiles/{z}/{x}/{y}.png"])
def test_a_tile_address_that_is_not_http_is_refused(url):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        tile_source(url)


def test_the_tile_setting_adds_exactly_its_host_to_the_policy():
    """The settings read from the environment, as a deployment starts them."""
    program = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))"
    )

    def directives(**environment) -> dict:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wijkwijzer.settings.test", **environment}
        output = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    plain = directives(MAP_TILE_URL="")
    tiled = directives(MAP_TILE_URL=PDOK, MAP_TILE_ATTRIBUTION="© Kadaster")
    assert plain["img-src"] == ["'self'", "data:"]
    assert tiled["img-src"] == ["'self'", "data:", "https://service.pdok.nl"]
    assert {k: v for k, v in tiled.items() if k != "img-src"} == {
        k: v for k, v in plain.items() if k != "img-src"
    }
