"""What a request reads once (directory/per_request.py) is read again by the
next request: a change between two page views shows on the second."""

from django.test import Client

from wagtail.models import PageViewRestriction

import pytest

from directory.models import PartnerIndexPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def test_a_view_restriction_added_between_two_requests_holds_on_the_next():
    client = Client()
    partners = PartnerIndexPage.objects.get(locale__language_code="nl")
    assert client.get(partners.url).status_code == 200
    assert partners.url.encode() in client.get("/nl/").content
    PageViewRestriction.objects.create(page=partners, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(partners.url).status_code == 302
    assert partners.url.encode() not in client.get("/nl/").content
