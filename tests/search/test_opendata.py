"""search/opendata: the coordinates and shapes of CBS and PDOK files (made-up shapes)."""

import math

import pytest

from search.geocoding import Point
from search.opendata import centre_point, rd_to_wgs84, simplified_outline


def test_the_rd_origin_is_amersfoort_in_wgs84():
    assert rd_to_wgs84(155_000, 463_000) == pytest.approx((52.15517440, 5.38720621))


@pytest.mark.parametrize(("dx", "dy"), [(0, 10_000), (10_000, 0), (-30_000, -20_000)])
def test_rd_metres_become_the_same_distance_on_the_globe(dx, dy):
    """RD New is a conformal grid with a scale of about 0.9999 near Amersfoort; the
    haversine's sphere is up to 0.3% short east-west at this latitude."""
    origin = Point(*rd_to_wgs84(155_000, 463_000))
    moved = Point(*rd_to_wgs84(155_000 + dx, 463_000 + dy))
    assert moved.distance_km(origin) == pytest.approx((dx**2 + dy**2) ** 0.5 / 1000, rel=5e-3)


def test_going_north_in_rd_keeps_the_longitude():
    latitude, longitude = rd_to_wgs84(155_000, 563_000)
    assert latitude > 53 and longitude == pytest.approx(5.38720621, abs=0.01)


def test_the_centroid_of_a_square_with_a_hole_is_its_middle():
    outer = [[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2], [5.0, 52.0]]
    hole = [[5.05, 52.05], [5.15, 52.05], [5.15, 52.15], [5.05, 52.15], [5.05, 52.05]]
    assert centre_point({"type": "Polygon", "coordinates": [outer, hole]}) == pytest.approx(
        (52.1, 5.1)
    )


def test_a_detailed_outline_is_simplified_to_at_most_200_points():
    circle = [
        [
            5.1 + 0.02 * math.cos(i / 1000 * 2 * math.pi),
            52.09 + 0.02 * math.sin(i / 1000 * 2 * math.pi),
        ]
        for i in range(1000)
    ]
    outline = simplified_outline({"type": "Polygon", "coordinates": [circle + [circle[0]]]})
    assert 20 < len(outline["coordinates"][0]) <= 201


def test_a_polygon_in_rd_new_gets_its_centre_in_wgs84():
    """PDOK serves the wijken in RD New unless asked otherwise."""
    ring = [[150_000, 460_000], [152_000, 460_000], [152_000, 462_000], [150_000, 462_000]]
    centre = centre_point({"type": "Polygon", "coordinates": [ring + [ring[0]]]})
    assert Point(*centre).distance_km(Point(*rd_to_wgs84(151_000, 461_000))) < 0.01
