"""manage.py import_wijken: CBS's wijken-en-buurten table into municipality and wijk pages."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from wagtail.models import Revision

import pytest

from directory.models import Municipality, WijkPage
from directory.wijk_import import import_wijken

FIXTURES = Path(__file__).parent / "fixtures" / "cbs"
UTRECHT = FIXTURES / "utrecht_gm0344.csv"
NIEUWEGEIN = FIXTURES / "nieuwegein_gm0356.csv"
HEADER = '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";"MeestVoorkomendePostcode_118"'


def square(code: str, lon: float, lat: float, size: float = 0.01) -> dict:
    """A made-up square wijk outline (not CBS's boundary)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "type": "Feature",
        "properties": {"wijkcode": code, "wijknaam": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.fixture
def nieuwegein_map(tmp_path) -> Path:
    """Made-up squares around Nieuwegein for each wijk of the fixture."""
    codes = ["01", "02", "03", "04", "05", "08", "10", "11", "13", "20"]
    features = [square(f"WK0356{c}", 5.06 + i * 0.01, 52.02) for i, c in enumerate(codes)]
    path = tmp_path / "wijken.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def write_csv(tmp_path, *rows: str, header: str = HEADER, encoding="utf-8-sig") -> Path:
    path = tmp_path / "kwb.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_wijken", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_new_municipality_and_its_wijken_are_created_and_published(nieuwegein_map):
    out, _ = run(NIEUWEGEIN, "--geojson", nieuwegein_map)

    nieuwegein = Municipality.objects.get(cbs_code="GM0356")
    assert nieuwegein.name == "Nieuwegein"
    wijken = WijkPage.objects.filter(municipality=nieuwegein).order_by("cbs_code")
    assert [w.cbs_code for w in wijken][:2] == ["WK035601", "WK035602"]
    assert wijken.count() == 10
    assert all(w.live for w in wijken)
    first = wijken.get(cbs_code="WK035601")
    assert (first.title, first.slug) == ("Jutphaas Wijkersloot", "jutphaas-wijkersloot")
    # The centre of its made-up square, and the square as its outline.
    assert (first.latitude, first.longitude) == (52.025, 5.065)
    assert first.outline["type"] == "Polygon"
    assert len(first.outline["coordinates"][0]) == 5
    assert "Wijken: 10 created, 0 updated, 0 unchanged, 0 refused" in out


@pytest.mark.django_db
def test_importing_the_same_files_again_changes_nothing(nieuwegein_map):
    run(NIEUWEGEIN, "--geojson", nieuwegein_map)
    revisions = Revision.objects.count()

    out, _ = run(NIEUWEGEIN, "--geojson", nieuwegein_map)

    assert Revision.objects.count() == revisions
    assert "Wijken: 0 created, 0 updated, 10 unchanged, 0 refused" in out


@pytest.mark.django_db
def test_utrecht_from_cbs_matches_the_demo_wijken_and_adds_the_buurten():
    """CBS names them 'Wijk 03 Overvecht'; residents know 'Overvecht'."""
    overvecht = WijkPage.objects.get(cbs_code="WK034403")
    postcodes, point = overvecht.postcodes, (overvecht.latitude, overvecht.longitude)

    out, _ = run(UTRECHT)

    overvecht.refresh_from_db()
    assert overvecht.title == "Overvecht"
    assert [b["code"] for b in overvecht.buurten][:2] == ["BU03440311", "BU03440312"]
    assert overvecht.buurten[0]["name"] == "Taag en Rubicondreef en omgeving"
    # The file gives no postcodes and no map: what editors typed stays.
    assert overvecht.postcodes == postcodes
    assert (overvecht.latitude, overvecht.longitude) == point
    assert "Wijken: 0 created, 1 updated, 9 unchanged, 0 refused" in out


@pytest.mark.django_db
def test_a_renamed_wijk_is_updated_in_place(tmp_path):
    west = WijkPage.objects.get(cbs_code="WK034401")
    path = write_csv(
        tmp_path,
        '1;"Utrecht";"Utrecht";"Gemeente";"GM0344";"."',
        '2;"Wijk 01 West en Lombok";"Utrecht";"Wijk";"WK034401";"3531"',
    )

    out, _ = run(path)

    renamed = WijkPage.objects.get(cbs_code="WK034401")
    assert renamed.pk == west.pk
    assert renamed.title == "West en Lombok"
    assert renamed.slug == west.slug  # links to the wijk keep working
    assert renamed.postcodes == "3531"
    assert renamed.get_latest_revision().content["title"] == "West en Lombok"
    assert "1 updated" in out


@pytest.mark.django_db
def test_buurt_postcodes_become_the_wijk_postcodes(tmp_path):
    path = write_csv(
        tmp_path,
        '1;"Wijk 03 Overvecht";"Utrecht";"Wijk";"WK034403  ";"."',
        '2;"Taag en Rubicondreef en omgeving";"Utrecht";"Buurt";"BU03440311";"3564"',
        '3;"Zamenhofdreef en omgeving";"Utrecht";"Buurt";"BU03440321";"3562 AB"',
    )

    run(path)

    overvecht = WijkPage.objects.get(cbs_code="WK034403")
    assert overvecht.postcodes == "3562, 3564"
    assert overvecht.buurten[1] == {
        "code": "BU03440321",
        "name": "Zamenhofdreef en omgeving",
        "postcode": "3562",
    }


@pytest.mark.django_db
def test_a_comma_separated_file_without_bom_is_read_too(tmp_path, nieuwegein_map):
    path = write_csv(
        tmp_path,
        "1,Nieuwegein,Nieuwegein,Gemeente,GM0356,.",
        "2,Zuilenstein,Nieuwegein,Wijk,WK035602  ,.",
        header=HEADER.replace(";", ","),
        encoding="utf-8",
    )

    run(path, "--geojson", nieuwegein_map)

    assert WijkPage.objects.get(cbs_code="WK035602").title == "Zuilenstein"


@pytest.mark.django_db
def test_only_the_chosen_municipality_is_imported(tmp_path, nieuwegein_map):
    path = tmp_path / "both.csv"
    path.write_text(
        UTRECHT.read_text(encoding="utf-8-sig")
        + "\n".join(NIEUWEGEIN.read_text(encoding="utf-8-sig").splitlines()[1:]),
        encoding="utf-8",
    )

    out, _ = run(path, "--municipality", "GM0356", "--geojson", nieuwegein_map)

    assert "Wijken: 10 created, 0 updated, 0 unchanged, 0 refused" in out
    assert "Skipped: rows of other municipalities: 21" in out
    assert WijkPage.objects.get(cbs_code="WK034403").buurten == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ('2;"Wijk 01 West";"Utrecht";"Wijk";"WK03441";"."', "Codering_3", "is not a CBS code"),
        (
            '2;"Jutphaas Wijkersloot";"Utrecht";"Wijk";"WK035601";"."',
            "Gemeentenaam_1",
            "WK035601 belongs to GM0356, but the row says Utrecht (GM0344)",
        ),
        (
            '2;"Wijk 01 West";"Utrecht";"Buurt";"WK034401";"."',
            "SoortRegio_2",
            "is a wijk, not a buurt",
        ),
        (
            '2;"Wijk 01 West";"Utrecht";"Wijk";"WK034401";"35X1"',
            "MeestVoorkomendePostcode_118",
            "not a Dutch postcode",
        ),
        ('2;"Lombok";"Utrecht";"Buurt";"BU03440111";"."', "Codering_3", "which is not in the file"),
    ],
)
def test_a_bad_row_is_refused_with_file_row_column_and_nothing_is_written(
    tmp_path, row, column, reason
):
    path = write_csv(
        tmp_path,
        '1;"Utrecht";"Utrecht";"Gemeente";"GM0344";"."',
        row,
        '3;"Wijk 02 Noordwest hernoemd";"Utrecht";"Wijk";"WK034402";"."',
    )
    revisions = Revision.objects.count()

    with pytest.raises(CommandError, match="rows refused"):
        _, err = run(path)
    report = import_wijken(path)

    problem = report.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), 3, column)
    assert reason in problem.reason
    # The good row of the same municipality was not written either.
    assert WijkPage.objects.get(cbs_code="WK034402").title == "Noordwest"
    assert Revision.objects.count() == revisions


@pytest.mark.django_db
def test_a_file_without_the_code_column_is_refused_before_anything(tmp_path):
    path = write_csv(
        tmp_path, '1;"Utrecht";"Gemeente"', header='"ID";"Gemeentenaam_1";"SoortRegio_2"'
    )

    with pytest.raises(CommandError, match="missing column Codering_3"):
        run(path)


@pytest.mark.django_db
def test_a_file_in_another_encoding_is_refused_with_advice(tmp_path):
    path = write_csv(
        tmp_path,
        '1;"Wijk 01 Zuidoost Caf\u00e9";"Utrecht";"Wijk";"WK034401";"."',
        encoding="cp1252",
    )

    with pytest.raises(CommandError, match="not UTF-8.*CSV UTF-8"):
        run(path)


@pytest.mark.django_db
def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf\r\n")

    with pytest.raises(CommandError, match="empty"):
        run(path)


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(nieuwegein_map):
    revisions = Revision.objects.count()

    out, _ = run(NIEUWEGEIN, "--geojson", nieuwegein_map, "--dry-run")

    assert "Wijken: 10 created" in out
    assert "Dry run: nothing was written." in out
    assert not Municipality.objects.filter(cbs_code="GM0356").exists()
    assert not WijkPage.objects.filter(cbs_code__startswith="WK0356").exists()
    assert Revision.objects.count() == revisions


@pytest.mark.django_db
def test_a_new_wijk_without_a_map_or_known_postcodes_is_refused(tmp_path):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_wijken", str(NIEUWEGEIN), stdout=out, stderr=out)

    assert "no location for new wijk WK035601" in out.getvalue()
    assert not Municipality.objects.filter(cbs_code="GM0356").exists()


@pytest.mark.django_db
def test_a_new_wijk_gets_the_centre_of_its_postcodes_without_a_map(tmp_path):
    path = write_csv(
        tmp_path,
        '1;"Utrecht";"Utrecht";"Gemeente";"GM0344";"."',
        '2;"Wijk 11 Proefwijk (verzonnen)";"Utrecht";"Wijk";"WK034411";"3511"',
    )

    run(path)

    wijk = WijkPage.objects.get(cbs_code="WK034411")
    from search.geocoding import OfflinePC4Geocoder

    centre = OfflinePC4Geocoder().locate("3511")
    assert (wijk.latitude, wijk.longitude) == (
        round(centre.latitude, 5),
        round(centre.longitude, 5),
    )


@pytest.mark.django_db
def test_a_wijk_with_an_editors_unpublished_changes_is_left_alone(tmp_path):
    overvecht = WijkPage.objects.get(cbs_code="WK034403")
    overvecht.intro = "<p>Nog niet gepubliceerd.</p>"
    overvecht.save_revision()
    path = write_csv(tmp_path, '1;"Wijk 03 Overvecht Nieuw";"Utrecht";"Wijk";"WK034403";"."')

    with pytest.raises(CommandError):
        run(path)

    overvecht.refresh_from_db()
    assert overvecht.title == "Overvecht"
    assert overvecht.get_latest_revision().content["intro"] == "<p>Nog niet gepubliceerd.</p>"


@pytest.mark.django_db
def test_a_wijk_without_geometry_in_the_map_refuses_its_municipality(tmp_path, nieuwegein_map):
    data = json.loads(nieuwegein_map.read_text())
    data["features"][3]["geometry"] = None
    nieuwegein_map.write_text(json.dumps(data))

    report = import_wijken(NIEUWEGEIN, geojson=nieuwegein_map)

    problem = report.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(nieuwegein_map), 4, "geometry")
    assert "WK035604 has no polygon or point" in problem.reason
    assert report.counts["wijken refused"] == 10
    assert not WijkPage.objects.filter(cbs_code__startswith="WK0356").exists()
