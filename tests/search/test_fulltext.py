"""The database backend reads Wagtail's search index for words. On PostgreSQL
it queries the index table on its own (search/backends/fulltext.py); what it
finds, and in which order, must be what Wagtail's own search gives."""

import pytest

from directory.models import ServicePage
from search.backends.fulltext import ranked_matches

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("schulden", "and"),
        ("hulp schulden", "and"),
        ("taal werk", "or"),
        ("buurthuis-overvecht", "and"),
        ("o'brien \\ 'quoted'", "and"),
    ],
)
def test_matches_are_wagtails_in_wagtails_order(text, words):
    wagtail = ServicePage.objects.search(text, operator=words).get_queryset()
    expected = list(wagtail.values_list("pk", flat=True))
    assert [pk for pk, *_rest in ranked_matches(text, words)] == expected


def test_a_common_word_matches_services():
    assert len(list(ranked_matches("schulden", "and"))) > 5
