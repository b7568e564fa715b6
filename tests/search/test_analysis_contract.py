"""Residents' words find services on both backends: word forms, compounds,
accents, typos, other languages through the thesaurus, and wijk names.

Every test runs on the database backend and on the engine (the ``backend``
fixture), with the small test thesaurus of tests/search/thesaurus/."""

import re

from wagtail.models import Locale

import pytest

from directory.models import ServicePage, WijkPage
from search.query import ServiceQuery, search_services

pytestmark = pytest.mark.django_db


def found(text, locale, **filters):
    results = search_services(ServiceQuery(text=text, **filters), locale, per_page=200)
    assert results.total <= 200
    return {hit.service.pk for hit in results.page}


def having(word, locale):
    """The live services of ``locale`` whose text has ``word``."""
    return {
        s.pk
        for s in ServicePage.objects.live().public().filter(locale=locale)
        if word in f"{s.title} {s.summary} {s.body}".lower()
    }


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


def test_another_form_of_a_word_finds_the_services_with_it(backend, nl, concepts):
    assert having("schulden", nl) <= found("schuld", nl)
    assert having("huurders", nl) <= found("huurder", nl)


def test_part_of_a_compound_finds_the_compound(backend, nl, concepts):
    with_compound = having("huurachterstand", nl)
    assert with_compound
    assert with_compound <= found("achterstand", nl)


def test_a_compound_finds_its_parts_written_apart(backend, nl, concepts):
    both = having("achterstand", nl) & having("betaling", nl)
    results = found("betalingsachterstand", nl)
    assert results
    assert both <= results


def test_the_start_of_a_compound_finds_it(backend, nl, concepts):
    assert having("schuldhulpverlening", nl) <= found("schuldhulp", nl)


# Short word starts match many words, long ones few: the engine expands each
# into the words it begins (at most 50), the database matches it as a prefix.
@pytest.mark.parametrize(
    "start", ["schu", "schuldh", "schuldhul", "schuldhulp", "schuldhulpv", "schuldhulpverl"]
)
def test_a_word_start_of_any_length_finds_and_marks_the_words_it_begins(
    backend, nl, concepts, start
):
    assert having("schuldhulpverlening", nl) <= found(start, nl)
    results = search_services(ServiceQuery(text=start), nl, per_page=200)
    beginning = [
        hit for hit in results.page if re.search(rf"\b{start}", hit.service.summary.lower())
    ]
    assert beginning
    for hit in beginning:
        assert f"<mark>{start}" in hit.highlight.lower()


def test_accents_do_not_matter(backend, nl, concepts):
    with_accent = found("taalcafé", nl)
    assert with_accent
    assert found("taalcafe", nl) == with_accent


def test_a_typo_still_finds_services_and_suggests_the_word(backend, nl, concepts):
    results = search_services(ServiceQuery(text="schuldhlup"), nl, per_page=200)
    assert results.suggestion == "schuldhulp"
    assert having("schuldhulp", nl) <= {hit.service.pk for hit in results.page}


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("schuldhlup", "schuldhulp"),  # one typo: two letters swapped
        ("schuldhlpu", "schuldhulp"),  # two typos in a long word
        ("inburgerign", "inburgering"),
        ("inbrugerign", "inburgering"),
    ],
)
def test_one_or_two_typos_in_a_long_word_find_what_the_word_finds(
    backend, nl, concepts, typed, word
):
    """The engine looks for one typo itself; two come from the vocabulary's
    correction, on both backends alike."""
    expected = found(word, nl)
    assert expected
    assert found(typed, nl) == expected


@pytest.mark.parametrize(
    ("language", "text", "dutch_word"),
    [
        ("en", "lawyer", "advocaat"),
        ("ar", "محامي", "advocaat"),
        ("uk", "юрист", "advocaat"),
        ("pl", "lekarz", "huisarts"),
        ("tr", "doktor", "huisarts"),
    ],
)
def test_a_word_in_another_language_finds_dutch_services_through_a_concept(
    backend, concepts, language, text, dutch_word
):
    locale = Locale.objects.get(language_code=language)
    nl = Locale.objects.get(language_code="nl")
    untranslated = {
        pk
        for pk in having(dutch_word, nl)
        if not ServicePage.objects.get(pk=pk).get_translations().filter(locale=locale).exists()
    }
    assert untranslated
    assert untranslated <= found(text, locale)


def test_a_word_finds_her_translations_that_use_another_word_for_it(backend, concepts):
    fa = Locale.objects.get(language_code="fa")
    # The Farsi translations say قرض for debt; residents also type بدهی.
    with_other_word = having("قرض", fa)
    assert with_other_word
    assert with_other_word <= found("بدهی", fa)


def test_a_wijk_named_in_the_query_finds_that_wijks_services(backend, nl, concepts):
    overvecht = WijkPage.objects.get(title="Overvecht", locale=nl)
    expected = found("schulden", nl, wijk=overvecht.cbs_code)
    assert expected
    assert found("schulden overvecht", nl) == expected


@pytest.mark.parametrize("word", ["schulden", "inburgering"])
def test_the_searched_word_is_marked_in_summaries_that_have_it(backend, nl, concepts, word):
    results = search_services(ServiceQuery(text=word), nl, per_page=200)
    with_word = [hit for hit in results.page if word in hit.service.summary.lower()]
    assert with_word
    for hit in with_word:
        # The whole word is marked, also a compound that starts with it.
        assert f"<mark>{word}" in hit.highlight.lower()
