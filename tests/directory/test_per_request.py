"""What a request reads once (directory/per_request.py) is read again by the
next request: a change between two page views shows on the second. And what
it takes from the routing's pages (the ancestors, their translations) is what
Wagtail would have read: restrictions above a page and on an alias's source
hold, the breadcrumbs name the same pages."""

from django.test import Client
from django.utils import translation

from wagtail.models import Locale, PageViewRestriction

import pytest
from bs4 import BeautifulSoup

from directory.links import page_url
from directory.models import PartnerIndexPage, ServicePage

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


def _dutch_service_without_arabic():
    arabic = Locale.objects.get(language_code="ar")
    translated = ServicePage.objects.filter(locale=arabic).values("translation_key")
    return (
        ServicePage.objects.live()
        .filter(locale__language_code="nl")
        .exclude(translation_key__in=translated)
        .order_by("path")
        .first()
    )


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_a_restriction_on_a_partner_holds_for_its_services(code):
    """The ancestors of a page come from the routing's query, not Wagtail's:
    a restriction above the page still holds, also on the Dutch fallback."""
    client = Client()
    service = _dutch_service_without_arabic()
    url = f"/{code}/{service.url.split('/', 2)[2]}"
    assert client.get(url).status_code == 200
    PageViewRestriction.objects.create(
        page=service.get_parent(), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(url)
    assert response.status_code == 302
    assert f"?next={url}" in response["Location"]


def test_an_alias_is_restricted_as_its_source():
    client = Client()
    service = _dutch_service_without_arabic()
    other_partner = (
        type(service.get_parent().specific)
        .objects.live()
        .filter(locale=service.locale)
        .exclude(pk=service.get_parent().pk)
        .first()
    )
    alias = service.create_alias(parent=other_partner, update_slug=f"{service.slug}-alias")
    assert client.get(alias.url).status_code == 200
    PageViewRestriction.objects.create(page=service, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(alias.url).status_code == 302


def test_breadcrumbs_name_the_ancestors_as_wagtail_reads_them():
    """On a Dutch page under /ar/ each ancestor shows in Arabic where it is
    translated: the routing's pages give what Wagtail's queries give."""
    service = _dutch_service_without_arabic()
    arabic = Locale.objects.get(language_code="ar")
    expected = []
    with translation.override("ar"):
        for ancestor in service.get_ancestors()[1:]:
            shown = ancestor.get_translation_or_none(arabic) or ancestor
            if not shown.live:
                shown = ancestor
            expected.append((shown.title, page_url(shown)))
    assert any(
        title != a.title
        for (title, _), a in zip(expected, service.get_ancestors()[1:], strict=True)
    )
    response = Client().get(f"/ar/{service.url.split('/', 2)[2]}")
    soup = BeautifulSoup(response.content, "html.parser")
    crumbs = soup.select(".ww-breadcrumbs__list a")
    assert [(a.get_text(), a["href"]) for a in crumbs] == expected
