"""Listings come a page at a time; the first page of a short one is read
without counting it in a query of its own."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

import pytest

from directory.models import Theme
from directory.pagination import paginate

pytestmark = pytest.mark.django_db


def page_of(query_string, rows, per_page):
    request = RequestFactory().get("/", query_string)
    with CaptureQueriesContext(connection) as captured:
        page = paginate(request, rows, per_page)
        shown = [row.pk for row in page]
        pages = page.paginator.num_pages
    return shown, page.number, pages, len(captured)


def test_the_first_page_of_a_short_list_takes_one_query():
    themes = Theme.objects.order_by("pk")
    every = list(themes.values_list("pk", flat=True))
    assert page_of({}, themes, len(every)) == (every, 1, 1, 1)
    assert page_of({"page": "1"}, themes, len(every) + 5) == (every, 1, 1, 1)


def test_a_longer_list_is_counted_and_every_page_is_found():
    themes = Theme.objects.order_by("pk")
    every = list(themes.values_list("pk", flat=True))
    per_page = 3
    pages = -(-len(every) // per_page)
    assert pages >= 3
    first, number, total, queries = page_of({}, themes, per_page)
    assert (first, number, total, queries) == (every[:3], 1, pages, 2)
    assert page_of({"page": "2"}, themes, per_page)[:3] == (every[3:6], 2, pages)
    # A bad or too high number gives the nearest page.
    assert page_of({"page": "x"}, themes, per_page)[:2] == (every[:3], 1)
    assert page_of({"page": "9999"}, themes, per_page)[:2] == (
        every[(pages - 1) * per_page :],
        pages,
    )


def uncounted_page_of(query_string, rows, per_page):
    request = RequestFactory().get("/", query_string)
    with CaptureQueriesContext(connection) as captured:
        page = paginate(request, rows, per_page, count=False)
        shown = [row.pk for row in page]
        state = (page.has_previous(), page.has_next(), getattr(page.paginator, "counted", True))
    return shown, page.number, state, len(captured)


def test_a_listing_too_long_to_count_reads_each_page_in_one_query():
    themes = Theme.objects.order_by("pk")
    every = list(themes.values_list("pk", flat=True))
    per_page = 3
    pages = -(-len(every) // per_page)
    assert pages >= 3
    # Not counted: each page knows whether there is a next one.
    assert uncounted_page_of({}, themes, per_page) == (every[:3], 1, (False, True, False), 1)
    assert uncounted_page_of({"page": "2"}, themes, per_page) == (
        every[3:6],
        2,
        (True, True, False),
        1,
    )
    # The last page knows the total.
    last = uncounted_page_of({"page": str(pages)}, themes, per_page)
    assert last == (every[(pages - 1) * per_page :], pages, (True, False, True), 1)
    # A bad number gives the first page; one beyond the end, counted, the last.
    assert uncounted_page_of({"page": "x"}, themes, per_page)[:2] == (every[:3], 1)
    assert uncounted_page_of({"page": "-4"}, themes, per_page)[:2] == (every[:3], 1)
    assert uncounted_page_of({"page": "9999"}, themes, per_page)[:2] == (
        every[(pages - 1) * per_page :],
        pages,
    )
