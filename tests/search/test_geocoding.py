"""Places typed by visitors become points without any network call."""

import pytest

from search.geocoding import OfflinePC4Geocoder, PdokGeocoder, Point, get_geocoder


@pytest.mark.parametrize("typed", ["3563 AB", "3563ab", "3563", " 3563 "])
def test_a_postcode_or_pc4_becomes_its_pc4_centre(typed):
    point = OfflinePC4Geocoder().locate(typed)
    assert point == OfflinePC4Geocoder().locate("3563")
    assert 52.0 < point.latitude < 52.2 and 5.0 < point.longitude < 5.2


def test_coordinates_are_taken_as_typed():
    assert OfflinePC4Geocoder().locate("52.0907, 5.1214") == Point(52.0907, 5.1214)


@pytest.mark.parametrize("typed", ["9999 ZZ", "1012", "Utrecht", "", "91.0, 5.0"])
def test_unknown_places_are_not_guessed(typed):
    assert OfflinePC4Geocoder().locate(typed) is None


def test_distances_are_great_circle_kilometres():
    dom = Point(52.0907, 5.1214)
    station = Point(52.0894, 5.1100)
    assert 0.7 < dom.distance_km(station) < 0.9
    assert dom.distance_km(dom) == 0


def test_the_offline_geocoder_is_the_default(settings):
    settings.GEOCODER = "offline"
    assert isinstance(get_geocoder(), OfflinePC4Geocoder)
    settings.GEOCODER = "pdok"
    assert isinstance(get_geocoder(), PdokGeocoder)


def test_a_pdok_answer_is_read_as_latitude_and_longitude():
    # The shape of a Locatieserver /free answer; no request is made.
    payload = {"response": {"docs": [{"centroide_ll": "POINT(5.11219 52.11402)"}]}}
    assert PdokGeocoder.parse(payload) == Point(52.11402, 5.11219)
    assert PdokGeocoder.parse({"response": {"docs": []}}) is None


def test_pdok_is_not_asked_for_what_the_offline_table_knows(settings, monkeypatch):
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("PDOK must not be called")

    monkeypatch.setattr(requests, "get", no_network)
    assert PdokGeocoder().locate("3563 AB") == OfflinePC4Geocoder().locate("3563")
