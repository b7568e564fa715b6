"""The relevance queries themselves: enough of them, typed as residents type,
and expecting services that a resident can actually be shown."""

from wagtail.models import Locale

import pytest

from directory.models import ServicePage

from .suite import HELDOUT_DIR, LANGUAGES, load_queries

pytestmark = pytest.mark.django_db

KINDS = {"misspelling", "compound", "place", "cross-language"}


@pytest.fixture(scope="module")
def queries():
    return load_queries()


@pytest.fixture(scope="module")
def heldout():
    return load_queries(folder=HELDOUT_DIR)


def by_language(queries, language):
    return [query for query in queries if query.language == language]


def test_every_language_has_at_least_twenty_queries(queries):
    counts = {language: len(by_language(queries, language)) for language in LANGUAGES}
    assert not {language: n for language, n in counts.items() if n < 20}
    assert len(queries) >= 220


def test_queries_are_lower_case_and_unique_per_language(queries):
    for language in LANGUAGES:
        texts = [query.text for query in by_language(queries, language)]
        assert texts == [text.lower().strip() for text in texts]
        assert len(texts) == len(set(texts)), language


def test_every_language_has_a_few_misspellings(queries):
    for language in LANGUAGES:
        misspelt = [q for q in by_language(queries, language) if "misspelling" in q.kind]
        assert len(misspelt) >= 2, language


def test_kinds_are_the_documented_ones(queries):
    assert {kind for query in queries for kind in query.kind} <= KINDS


def test_expected_services_are_live_dutch_services(queries):
    slugs = set(
        ServicePage.objects.live()
        .public()
        .filter(locale=Locale.get_default())
        .values_list("slug", flat=True)
    )
    unknown = {slug for query in queries for slug in query.expect} - slugs
    assert not unknown
    assert all(query.expect for query in queries)


def test_cross_language_queries_expect_only_services_without_a_translation(queries):
    """These can only be answered by the Dutch page, which the search shows
    when a service has no translation in her language."""
    for language in LANGUAGES[1:]:
        translated = set(
            ServicePage.objects.live()
            .filter(locale__language_code=language)
            .values_list("slug", flat=True)
        )
        cross = [q for q in by_language(queries, language) if "cross-language" in q.kind]
        assert len(cross) >= 5, language
        for query in by_language(queries, language):
            assert ("cross-language" in query.kind) == (not set(query.expect) & translated), (
                language,
                query.text,
            )


def test_the_held_out_set_has_eight_new_queries_per_language(queries, heldout):
    for language in LANGUAGES:
        texts = [query.text for query in by_language(heldout, language)]
        assert len(texts) == 8, language
        assert texts == [text.lower().strip() for text in texts]
        assert not set(texts) & {query.text for query in by_language(queries, language)}


def test_held_out_queries_expect_live_dutch_services_and_say_which_are_cross_language(heldout):
    shown = ServicePage.objects.live().public()
    slugs = set(shown.filter(locale=Locale.get_default()).values_list("slug", flat=True))
    assert {slug for query in heldout for slug in query.expect} <= slugs
    for language in LANGUAGES[1:]:
        translated = set(
            shown.filter(locale__language_code=language).values_list("slug", flat=True)
        )
        for query in by_language(heldout, language):
            cross = not set(query.expect) & translated
            assert ("cross-language" in query.kind) == cross, (language, query.text)
