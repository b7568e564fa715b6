"""manage.py import_pc4: PC4 centre points for the offline geocoder from CBS/PDOK files.

The points and squares here are made up for the tests, not CBS's or PDOK's data.
"""

import json
from io import StringIO

from django.core.management import CommandError, call_command

import pytest

from search.geocoding import OfflinePC4Geocoder, Point
from search.opendata import rd_to_wgs84


@pytest.fixture
def table(tmp_path, settings):
    """A copy of the shipped table, configured as the geocoder's."""
    from search.geocoding import SHIPPED_PC4_TABLE

    path = tmp_path / "pc4.json"
    path.write_text(SHIPPED_PC4_TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings.PC4_CENTROIDS_PATH = str(path)
    return path


def run(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_pc4", *map(str, args), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_a_csv_with_rd_coordinates_is_converted_and_found_by_the_geocoder(tmp_path, table):
    source = tmp_path / "pc4.csv"
    source.write_text(
        "\ufeffPC4;X;Y\r\n9999;233000;582000\r\n3512;136860;455940\r\n", encoding="utf-8"
    )

    out = run(source)

    assert "1 created, 1 updated" in out
    point = OfflinePC4Geocoder().locate("9999 AB")
    assert point.distance_km(Point(*rd_to_wgs84(233000, 582000))) < 0.01
    # The others stay: a municipality's file merges into the national table.
    assert OfflinePC4Geocoder().locate("3563") is not None


@pytest.mark.django_db
def test_a_geojson_of_pc4_areas_gives_their_centroids(tmp_path, table):
    square = [[6.5, 53.2], [6.6, 53.2], [6.6, 53.3], [6.5, 53.3], [6.5, 53.2]]
    source = tmp_path / "pc4.geojson"
    source.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"postcode": 9711},
                        "geometry": {"type": "Polygon", "coordinates": [square]},
                    }
                ],
            }
        )
    )

    run(source)

    assert OfflinePC4Geocoder().locate("9711") == Point(53.25, 6.55)


@pytest.mark.django_db
def test_importing_the_same_file_again_leaves_the_table_untouched(tmp_path, table):
    source = tmp_path / "pc4.csv"
    source.write_text("postcode,latitude,longitude\n9999,53.1,6.2\n", encoding="utf-8")
    run(source)
    written = table.stat().st_mtime_ns

    out = run(source)

    assert "0 created, 0 updated, 1 unchanged" in out
    assert table.stat().st_mtime_ns == written


@pytest.mark.django_db
def test_bad_rows_are_named_and_the_good_ones_kept(tmp_path, table):
    source = tmp_path / "pc4.csv"
    source.write_text(
        "postcode;latitude;longitude\n999;53.1;6.2\n9998;40.0;6.2\n9997;53,1;6,2\n",
        encoding="utf-8",
    )

    out = run(source)

    assert f"{source}:2:postcode: not a 4-digit postcode: '999'" in out
    assert f"{source}:3:latitude: 40.0000, 6.2000 lies outside the Netherlands" in out
    assert OfflinePC4Geocoder().locate("9997") == Point(53.1, 6.2)


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(tmp_path, table):
    source = tmp_path / "pc4.csv"
    source.write_text("pc4,lat,lon\n9999,53.1,6.2\n", encoding="utf-8")
    before = table.read_bytes()

    out = run(source, "--dry-run")

    assert "Dry run, nothing written: 1 created" in out
    assert table.read_bytes() == before


@pytest.mark.django_db
def test_a_file_without_coordinates_is_refused(tmp_path, table):
    source = tmp_path / "pc4.csv"
    source.write_text("pc4;gemeente\n9999;Groningen\n", encoding="utf-8")

    with pytest.raises(CommandError, match="no coordinates"):
        run(source)
