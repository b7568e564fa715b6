"""Whatever a visitor or a script puts in the address, the public site answers
without a server error: the search page, its suggestions, every language
prefix (and ones that do not exist), the listing pages and the sitemap.

Each test draws its inputs with Hypothesis (profiles in tests/fuzz/conftest.py).
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.test import Client

from wagtail.models import Locale

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directory.models import Audience, Language, PartnerIndexPage, Theme, ThemeIndexPage, WijkPage
from search.forms import SORT_CHOICES

from .strategies import examples, nasty_text, text_input, wrong_date, wrong_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_rate_limits")]

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Codes Django knows but the site does not offer, odd spellings and nonsense.
UNKNOWN_PREFIXES = ["de", "fr", "zz", "NL", "nl-nl", "nl-NL", "zh-hans", "x", "ara", "123"]
# Answers that are not server errors; 429 would mean the test hit a rate limit.
ALLOWED = {200, 301, 302, 400, 404, 405}


def answered(response) -> int:
    status = response.status_code
    assert status < 500, f"server error {status}"
    assert status in ALLOWED, f"unexpected status {status}"
    return status


def language_prefix() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(LANGUAGE_CODES),
        st.sampled_from(UNKNOWN_PREFIXES),
        nasty_text(8).map(lambda text: quote(text, safe="")),
    )


@pytest.fixture(scope="module")
def vocabulary(django_db_setup, django_db_blocker) -> dict[str, list[str]]:
    """The values the search form knows, so that inputs mix valid and wrong ones."""
    with django_db_blocker.unblock():
        dutch = Locale.objects.get(language_code="nl")
        return {
            "theme": list(Theme.objects.filter(locale=dutch).values_list("slug", flat=True)),
            "audience": list(Audience.objects.filter(locale=dutch).values_list("slug", flat=True)),
            "language": list(Language.objects.values_list("code", flat=True)),
            "wijk": list(WijkPage.objects.values_list("cbs_code", flat=True).distinct()),
            "partner_type": ["welzijn", "gemeente", "politie", "vrijwilligers", "nope"],
            "cost": ["free", "contribution", "paid", "gratis"],
            "access": ["walk_in", "appointment", "referral", "online", "x"],
            "sort": [value for value, _label in SORT_CHOICES] + ["-distance", "random"],
            "radius": ["1", "2", "5", "10", "0", "-5", "1e9", "nan"],
            "place": ["3563 AB", "3563", "3563ab", "1012", "9999 ZZ", "52.09,5.12", "0,0"],
        }


SEARCH_PARAMETERS = [
    "q",
    "place",
    "radius",
    "sort",
    "wijk",
    "open_now",
    "theme",
    "audience",
    "language",
    "partner_type",
    "cost",
    "access",
    "page",
    "partial",
    # Names a visitor might guess; the form ignores them.
    "postcode",
    "distance",
]


@st.composite
def search_parameters(draw, vocabulary) -> list[tuple[str, str]]:
    """A query string as pairs: known values, wrong values, repeated names."""
    pairs = []
    for name in draw(st.lists(st.sampled_from(SEARCH_PARAMETERS), max_size=8)):
        known = vocabulary.get(name, [])
        value = st.one_of(
            *([st.sampled_from(known)] if known else []),
            text_input(250),
            wrong_number(),
            wrong_date(),
        )
        for _repeat in range(draw(st.integers(1, 3))):
            pairs.append((name, draw(value)))
    return pairs


def raw_query() -> st.SearchStrategy[str]:
    """Query strings no browser would send: broken percent escapes, bytes that
    are not UTF-8, separators only, keys without values."""
    piece = st.sampled_from(
        ["q=", "q", "=", "&", ";", "%", "%ff", "%c0%af", "%00", "%e2%80%ae", "+", "%zz", "page=%"]
    )
    return st.lists(st.one_of(piece, nasty_text(10).map(quote)), max_size=10).map("".join)


@examples(250)
@given(data=st.data())
def test_the_search_page_answers_every_query_without_a_server_error(client, vocabulary, data):
    pairs = data.draw(search_parameters(vocabulary), label="parameters")
    language = data.draw(st.sampled_from(LANGUAGE_CODES), label="language")
    answered(client.get(f"/{language}/zoeken/?{urlencode(pairs)}"))


@examples(100)
@given(language=language_prefix(), query=raw_query())
def test_the_search_page_survives_query_strings_no_browser_sends(client, language, query):
    answered(client.get(f"/{language}/zoeken/?{query}"))


@examples(700)
@given(
    language=st.sampled_from(LANGUAGE_CODES),
    texts=st.lists(text_input(400), min_size=1, max_size=3),
)
def test_suggestions_answer_json_for_any_text(client, language, texts):
    response = client.get(f"/{language}/zoeken/suggesties/?{urlencode([('q', t) for t in texts])}")
    assert answered(response) == 200
    body = response.json()
    assert isinstance(body["suggestions"], list)
    for suggestion in body["suggestions"]:
        assert set(suggestion) == {"title", "url"}


@examples(150)
@given(
    language=st.sampled_from(LANGUAGE_CODES),
    texts=st.lists(text_input(400), min_size=1, max_size=3),
)
def test_municipality_suggestions_answer_json_for_any_text(client, language, texts):
    response = client.get(f"/{language}/zoeken/gemeenten/?{urlencode([('q', t) for t in texts])}")
    assert answered(response) == 200
    for municipality in response.json()["municipalities"]:
        assert set(municipality) == {"code", "name"}


@pytest.fixture(scope="module")
def public_paths(django_db_setup, django_db_blocker) -> list[str]:
    """Addresses below a language prefix: the home page, listings and a theme page."""
    with django_db_blocker.unblock():
        themes = ThemeIndexPage.objects.filter(locale__language_code="nl").first()
        partners = PartnerIndexPage.objects.filter(locale__language_code="nl").first()
        theme = Theme.objects.filter(locale__language_code="nl").order_by("pk").first()
        wijk = WijkPage.objects.filter(locale__language_code="nl").order_by("path").first()
        return [
            "",
            "zoeken/",
            "zoeken/suggesties/",
            "zoeken/gemeenten/",
            f"{themes.slug}/",
            f"{themes.slug}/{theme.slug}/",
            f"{partners.slug}/",
            wijk.url_path.split("/", 2)[2],
        ]


def path_segments() -> st.SearchStrategy[str]:
    """Page addresses that do not exist: unicode slugs, dots, very long ones."""
    segment = st.one_of(
        nasty_text(40).map(lambda text: quote(text, safe="")),
        st.sampled_from(["..", ".", "%2e%2e", "%2f", "a" * 300, "-", "_", "index.php"]),
        st.from_regex(r"[a-z0-9\-]{1,30}", fullmatch=True),
    )
    return st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/".join(parts) + "/")


@examples(250)
@given(data=st.data())
def test_every_language_prefix_serves_pages_or_a_not_found(client, public_paths, data):
    language = data.draw(language_prefix(), label="language")
    path = data.draw(st.one_of(st.sampled_from(public_paths), path_segments()), label="path")
    parameters = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["page", "type", "q", "lang"]), wrong_number() | text_input(60)
            ),
            max_size=3,
        ),
        label="parameters",
    )
    answered(client.get(f"/{language}/{path}?{urlencode(parameters)}"))


@examples(15)
@given(
    parameters=st.lists(
        st.tuples(st.sampled_from(["p", "page", "section"]), wrong_number() | text_input(40)),
        max_size=3,
    ),
    host=st.sampled_from(["testserver", "localhost", "127.0.0.1"]),
    secure=st.booleans(),
)
def test_the_sitemap_answers_any_page_number(parameters, host, secure):
    # A fresh client per example: the sitemap is read with the request's host.
    client = Client()
    index = client.get(
        f"/sitemap.xml?{urlencode(parameters)}", headers={"host": host}, secure=secure
    )
    assert answered(index) == 200
    assert b"<sitemapindex" in index.content
    response = client.get(
        f"/sitemap-pages.xml?{urlencode(parameters)}", headers={"host": host}, secure=secure
    )
    if answered(response) == 200:
        assert b"<urlset" in response.content
