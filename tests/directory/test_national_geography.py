"""A national coalition: 3,000 wijken in 400 municipalities. No page lists them
all; residents choose a municipality, then its wijk (issue #17, point 2)."""

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory.models import Municipality, WijkIndexPage, WijkPage
from search.forms import name_key

pytestmark = pytest.mark.django_db

MAX_HTML = 60 * 1024


def add_municipalities(count: int, wijken_each: int, last_has: int = 0) -> list[Municipality]:
    """``count`` municipalities of ``wijken_each`` live wijken (the last one
    ``last_has``, when given), numbered after the real ones (GM9000 and up),
    each wijk with its own CBS code."""
    index = WijkIndexPage.objects.get(locale__language_code="nl")
    municipalities = Municipality.objects.bulk_create(
        Municipality(name=f"Gemeente {number:04d}", cbs_code=f"GM{9000 + number:04d}")
        for number in range(count)
    )
    for municipality in municipalities:
        each = last_has if last_has and municipality is municipalities[-1] else wijken_each
        for wijk in range(each):
            code = f"WK{municipality.number}{wijk:02d}"
            index.add_child(
                instance=WijkPage(
                    title=f"Wijk {wijk:02d} van {municipality.name}",
                    slug=code.lower(),
                    cbs_code=code,
                    municipality=municipality,
                    latitude=52.0,
                    longitude=5.0,
                    live=True,
                )
            )
    return municipalities


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_at_national_scale_no_page_grows_with_the_number_of_wijken(client):
    """400 municipalities, one of them as large as Amsterdam (100 wijken). What a
    page lists depends on the number of municipalities and on the wijken of the
    one chosen, never on all wijken together."""
    search_before = len(client.get("/nl/zoeken/").content)
    municipalities = add_municipalities(400, 1, last_has=100)
    large = municipalities[-1]

    sizes = {}
    for path in (
        "/nl/",
        "/nl/wijken/",
        f"/nl/wijken/gemeente/{large.cbs_code.lower()}/",
        "/nl/zoeken/",
        f"/nl/zoeken/?q=schulden&gemeente={large.cbs_code}",
        "/ar/zoeken/?q=schulden",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        sizes[path] = len(response.content)
    dutch = [path for path in sizes if not path.startswith("/ar/")]
    assert all(sizes[path] < MAX_HTML for path in dutch), sizes
    # The search page's own weight is its 20 result cards; with this many
    # municipalities she types one, so the geography adds next to nothing.
    assert sizes["/nl/zoeken/"] - search_before < 1024, (search_before, sizes)

    home = soup(client.get("/nl/"))
    assert (
        home.find("a", string=large.name)["href"]
        == f"/nl/wijken/gemeente/{large.cbs_code.lower()}/"
    )
    assert not home.find("a", string=f"Wijk 00 van {large.name}")

    drilled = soup(client.get(f"/nl/wijken/gemeente/{large.cbs_code.lower()}/"))
    listed = [a.get_text() for a in drilled.select("main ul a")]
    assert listed == [f"Wijk {wijk:02d} van {large.name}" for wijk in range(100)]

    form = soup(client.get("/nl/zoeken/", {"gemeente": large.cbs_code}))
    options = [option["value"] for option in form.select("#search-wijk option")]
    assert options == [""] + [f"WK{large.number}{wijk:02d}" for wijk in range(100)]


def test_the_municipality_step_lists_its_wijken_and_a_way_back(client):
    other = add_municipalities(1, 2)[0]
    page = soup(client.get("/nl/wijken/"))
    assert [a.get_text() for a in page.select("main ul a")] == [other.name, "Utrecht"]

    utrecht = soup(client.get("/nl/wijken/gemeente/gm0344/"))
    assert "Overvecht" in [a.get_text() for a in utrecht.select("main ul a")]
    assert utrecht.find("a", string="Alle gemeenten")["href"] == "/nl/wijken/"
    assert utrecht.h1.get_text() == "Wijken in Utrecht"


@pytest.mark.parametrize("code", ["gm9999", "wk034403", "GM03"])
def test_an_unknown_municipality_is_not_found(client, code):
    add_municipalities(1, 1)
    assert client.get(f"/nl/wijken/gemeente/{code}/").status_code == 404


def test_a_wijk_link_without_its_municipality_chooses_it(client):
    add_municipalities(1, 1)
    page = soup(client.get("/nl/zoeken/", {"wijk": "WK034403"}))
    assert page.select_one("#search-gemeente option[selected]")["value"] == "GM0344"
    assert page.select_one("#search-wijk option[selected]")["value"] == "WK034403"


def test_with_one_municipality_the_wijken_are_listed_at_once(client):
    assert Locale.objects.filter(language_code="nl").exists()
    home = soup(client.get("/nl/"))
    assert home.find("a", string="Overvecht")
    assert not soup(client.get("/nl/zoeken/")).select("#search-gemeente")


def test_with_many_municipalities_she_types_one(client):
    """Over 40 municipalities the place filter is a text box with suggestions,
    not a list: a name in any case, without accents or hyphens, chooses it."""
    municipalities = add_municipalities(41, 1)
    chosen = municipalities[5]
    page = soup(client.get("/nl/zoeken/"))
    box = page.select_one("input#search-gemeente")
    assert box["list"] == "search-municipalities"
    assert not page.select("select#search-gemeente")

    page = soup(client.get("/nl/zoeken/", {"gemeente": f"  {chosen.name.upper()} "}))
    assert page.select_one("#search-gemeente")["value"] == chosen.name
    wijken = [option["value"] for option in page.select("#search-wijk option")]
    assert wijken == ["", f"WK{chosen.number}00"]

    page = soup(client.get("/nl/zoeken/", {"wijk": "WK034403"}))
    assert page.select_one("#search-gemeente")["value"] == "Utrecht"
    assert page.select_one("#search-wijk option[selected]")["value"] == "WK034403"


def test_an_unknown_typed_municipality_is_named_and_the_search_still_runs(client):
    add_municipalities(41, 1)
    everything = soup(client.get("/nl/zoeken/")).select(".ww-card")
    page = soup(client.get("/nl/zoeken/", {"gemeente": "Atlantis"}))
    error = page.select_one("#search-gemeente-error")
    assert error.get_text() == "We kennen geen gemeente met de naam Atlantis."
    box = page.select_one("#search-gemeente")
    assert box["aria-invalid"] == "true"
    assert "search-gemeente-error" in box["aria-describedby"]
    assert box["value"] == "Atlantis"
    assert len(page.select(".ww-card")) == len(everything) > 0


def test_municipality_suggestions_start_with_what_she_typed(client):
    add_municipalities(41, 1)
    names = lambda q: [  # noqa: E731
        item["name"]
        for item in client.get("/nl/zoeken/gemeenten/", {"q": q}).json()["municipalities"]
    ]
    assert names("utr") == ["Utrecht"]
    assert names("gemeente 001") == [f"Gemeente {n:04d}" for n in range(10, 20)]
    assert names("0040") == ["Gemeente 0040"]
    assert names("u") == []


@pytest.mark.parametrize(
    ("typed", "name"),
    [("s hertogenbosch", "'s-Hertogenbosch"), ("sudwest fryslan", "Súdwest-Fryslân")],
)
def test_a_typed_name_matches_without_case_accents_or_hyphens(typed, name):
    assert name_key(typed) == name_key(name)
