"""The database backend reads Wagtail's search index for words
(search/backends/fulltext.py): the analysed query's word groups, matched with
SQLite's FTS5 or PostgreSQL's index table, and how much of a query each
service answers."""

import pytest

from directory.models import ServicePage
from search.analysis import WordGroup, analyse_query
from search.backends.fulltext import analysed_matches, coverage

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
