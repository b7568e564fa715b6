"""The database backend reads Wagtail's search index for words
(search/backends/fulltext.py): the analysed query's word groups, matched with
SQLite's FTS5 or PostgreSQL's index table, and how much of a query each
service answers."""

from wagtail.models import Locale

import pytest

from directory.models import ServicePage
from search.analysis import WordGroup, analyse_query
from search.backends.database import DatabaseBackend
from search.backends.fulltext import analysed_matches, coverage, matches
from search.query import ServiceQuery

pytestmark = pytest.mark.django_db


def groups(text):
    return analyse_query(text, "nl").groups


def test_a_common_word_matches_services():
    assert len(analysed_matches(groups("schulden"), "and").ranked) > 5


def test_every_group_must_match_with_and_any_with_or():
    both = set(analysed_matches(groups("taal werk"), "and").ranked)
    either = set(analysed_matches(groups("taal werk"), "or").ranked)
    taal = set(analysed_matches(groups("taal"), "and").ranked)
    werk = set(analysed_matches(groups("werk"), "and").ranked)
    assert both == taal & werk
    assert either == taal | werk
    assert both < either


def test_matches_are_services_best_first_without_repeats():
    matches = analysed_matches(groups("schulden"), "and").ranked
    assert len(matches) == len(set(matches))
    assert set(matches) <= set(ServicePage.objects.values_list("pk", flat=True))


def test_coverage_counts_the_groups_a_service_matches_anywhere_and_in_its_title():
    query = groups("huurachterstand vrijwilligerswerk")
    anywhere, in_title = coverage(query)
    rent = set(analysed_matches(query[:1], "and").ranked)
    volunteering = set(analysed_matches(query[1:], "and").ranked)
    assert {pk for pk, count in anywhere.items() if count == 2} == rent & volunteering
    assert set(anywhere) == rent | volunteering
    titled = ServicePage.objects.get(slug="hulp-bij-huurachterstand", locale__language_code="nl")
    assert in_title[titled.pk] >= 1
    assert all(in_title[pk] <= anywhere[pk] for pk in in_title)


def test_a_stem_searched_whole_still_meets_the_title_it_came_from():
    # A thesaurus term's stems (lezen en schrijven: lez en schrijv) are in
    # the index beside the text; the title is there as written.
    stems = WordGroup("lezen en schrijven", [(("lez", False), ("schrijv", True))])
    service = ServicePage.objects.get(slug="beter-lezen-en-schrijven", locale__language_code="nl")
    anywhere, in_title = coverage([stems])
    assert anywhere[service.pk] == 1
    assert in_title[service.pk] == 1


def test_a_quote_or_backslash_in_a_word_is_no_syntax():
    assert analysed_matches(groups("o'brien \\ 'quoted'"), "and").ranked == []


def relevance_order(text: str, locale: Locale, shown: list[int]) -> tuple[list[int], set]:
    """``shown`` in the order the database backend promises (groups matched,
    groups in the title, her language first, then best first), and the
    tiers of the first three keys among them."""
    found = matches(analyse_query(text, locale.language_code).groups)
    rank = {pk: number for number, pk in enumerate(found.ranked)}
    language = dict(ServicePage.objects.filter(pk__in=shown).values_list("pk", "locale_id"))

    def key(pk):
        return (-found.anywhere[pk], -found.in_title[pk], language[pk] != locale.pk, rank[pk])

    return sorted(shown, key=key), {key(pk)[:3] for pk in shown}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("schulden", "nl"),
        ("hulp bij schulden", "nl"),
        ("huurachterstand vrijwilligerswerk", "nl"),
        ("taal werk", "nl"),
        ("schulden", "en"),
        ("hulp", "ar"),
    ],
)
def test_every_page_of_a_search_is_a_slice_of_one_relevance_order(text, language):
    """Services that answer more of the question first, then those whose
    title does, then those in her language, then best first; paging
    through two at a time gives the same list, across every tie."""
    locale = Locale.objects.get(language_code=language)
    backend, query = DatabaseBackend(), ServiceQuery(text=text)
    whole = [hit.service.pk for hit in backend.search(query, locale, 1, 1000, facets=()).page]
    expected, tiers = relevance_order(text, locale, whole)
    assert len(whole) > 4
    assert len(tiers) > 1, "the query should find services of more than one tier"
    assert whole == expected
    paged = []
    for number in range(1, (len(whole) + 1) // 2 + 1):
        paged += [
            hit.service.pk for hit in backend.search(query, locale, number, 2, facets=()).page
        ]
    assert paged == expected
