"""A partner's page lists its services in the visitor's language first, then
the Dutch ones not translated into it, each in title order, a page at a
time: read from the services' copy of their partner page, which follows
every save, move and copy of a service."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from directory import pagination
from directory.models import PartnerPage, ServicePage
from directory.pagination import Concatenated

pytestmark = pytest.mark.django_db


def listed(client, url) -> list[int]:
    """The services on every page of a listing, in order, following its
    "next page" links."""
    found = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        found += [service.pk for service in response.context["services"]]
        following = BeautifulSoup(response.content, "html.parser").find("a", rel="next")
        url = following and response.request["PATH_INFO"] + following["href"]
    return found


def in_title_order(services) -> list[int]:
    return list(services.order_by("title_key", "pk").values_list("pk", flat=True))


def translated_partner() -> tuple[PartnerPage, Locale]:
    """A demo partner translated into Arabic, with some of its services
    translated and some not."""
    arabic = Locale.objects.get(language_code="ar")
    for partner in PartnerPage.objects.live().filter(locale=arabic):
        shown = ServicePage.objects.live().child_of(partner)
        dutch = partner.get_translation(Locale.get_default())
        untranslated = (
            ServicePage.objects.live()
            .child_of(dutch)
            .exclude(translation_key__in=shown.values("translation_key"))
        )
        if shown.exists() and untranslated.exists():
            return partner, arabic
    raise AssertionError("the demo has no partly translated partner")


@pytest.mark.parametrize("per_page", [1, 2, 3, 20])
def test_a_translated_partner_lists_its_own_language_first_then_the_dutch_ones(
    client, monkeypatch, per_page
):
    monkeypatch.setattr(pagination, "PER_PAGE", per_page)
    partner, arabic = translated_partner()
    dutch = partner.get_translation(Locale.get_default())
    own = ServicePage.objects.live().child_of(partner)
    untranslated = (
        ServicePage.objects.live()
        .child_of(dutch)
        .exclude(translation_key__in=own.values("translation_key"))
    )

    assert listed(client, partner.url) == in_title_order(own) + in_title_order(untranslated)


def test_it_lists_what_the_listing_of_services_in_her_language_lists(client, monkeypatch):
    """The same services in the same order as ``for_listing``, which the
    search's cards and a theme's page use."""
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    partner, arabic = translated_partner()
    below = partner.in_any_version(children_only=True)
    expected = ServicePage.objects.filter(below).for_listing(arabic)

    assert listed(client, partner.url) == [service.pk for service in expected]


def test_each_card_names_the_partner_as_the_search_names_it(client, monkeypatch):
    """Who offers it: the partner's name in the language of the service,
    as a search's card reads it from the service's parent."""
    monkeypatch.setattr(pagination, "PER_PAGE", 50)
    partner, arabic = translated_partner()
    response = client.get(partner.url)
    shown = {service.pk: service.partner_title for service in response.context["services"]}
    searched = ServicePage.objects.filter(pk__in=shown).for_cards()
    assert shown == dict(searched.values_list("pk", "partner_title"))
    dutch = partner.get_translation(Locale.get_default())
    assert set(shown.values()) == {partner.title, dutch.title}


def test_a_dutch_partner_lists_its_services_in_title_order(client, monkeypatch, partner):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    expected = in_title_order(ServicePage.objects.live().child_of(partner))
    assert len(expected) > 2
    assert listed(client, partner.url) == expected


def test_every_service_of_the_demo_knows_its_partner_page():
    services = ServicePage.objects.all()
    assert services.exists()
    for service in services:
        parent = service.get_parent().specific
        assert (service.partner_page_id, service.partner_type) == (parent.pk, parent.partner_type)


def test_a_moved_service_is_listed_by_its_new_partner_only(client, service, partner):
    other = PartnerPage.objects.live().filter(locale=partner.locale).exclude(pk=partner.pk).first()
    service.move(other, pos="last-child")

    service.refresh_from_db()
    assert service.partner_page_id == other.pk
    assert service.pk in listed(client, other.url)
    assert service.pk not in listed(client, partner.url)


def test_a_copied_service_is_listed_by_the_partner_it_was_copied_to(client, service, partner):
    other = PartnerPage.objects.live().filter(locale=partner.locale).exclude(pk=partner.pk).first()
    copy = service.copy(to=other, update_attrs={"slug": "kopie-van-de-dienst"})

    copy.refresh_from_db()
    assert copy.partner_page_id == other.pk
    assert copy.pk in listed(client, other.url)
    assert service.pk in listed(client, partner.url)


def test_a_partner_copied_with_its_services_lists_the_copies(client, partner):
    copy = partner.copy(recursive=True, update_attrs={"slug": "kopie-van-de-partner"})

    copies = ServicePage.objects.child_of(copy)
    assert copies.exists()
    assert set(copies.values_list("partner_page_id", flat=True)) == {copy.pk}
    assert set(listed(client, copy.url)) == set(copies.live().values_list("pk", flat=True))


def test_concatenated_parts_slice_as_one_ordered_list():
    every = list(Locale.objects.order_by("pk").values_list("pk", flat=True))
    middle = every[len(every) // 2]
    parts = (
        Locale.objects.filter(pk__lt=middle).order_by("pk"),
        Locale.objects.filter(pk__lt=0).order_by("pk"),
        Locale.objects.filter(pk__gte=middle).order_by("pk"),
    )
    for start in range(len(every) + 2):
        for stop in range(start, len(every) + 3):
            rows = Concatenated(*parts)[start:stop]
            assert [locale.pk for locale in rows] == every[start:stop], (start, stop)
        assert [locale.pk for locale in Concatenated(*parts)[start:]] == every[start:]
    assert Concatenated(*parts).count() == len(every)


def test_a_slice_within_the_first_part_reads_only_that_part():
    every = list(Locale.objects.order_by("pk").values_list("pk", flat=True))
    middle = every[len(every) // 2]
    listing = Concatenated(
        Locale.objects.filter(pk__lt=middle).order_by("pk"),
        Locale.objects.filter(pk__gte=middle).order_by("pk"),
    )
    with CaptureQueriesContext(connection) as captured:
        rows = listing[0:2]
    assert [locale.pk for locale in rows] == every[:2]
    assert len(captured) == 1


def test_a_long_partner_listing_says_which_page_without_counting_them_all(
    client, monkeypatch, partner
):
    monkeypatch.setattr(pagination, "PER_PAGE", 2)
    services = ServicePage.objects.live().child_of(partner).count()
    assert services > 2
    last = -(-services // 2)

    first = BeautifulSoup(client.get(partner.url).content, "html.parser")
    final = BeautifulSoup(client.get(f"{partner.url}?page={last}").content, "html.parser")

    assert first.select_one(".ww-pagination span").get_text(strip=True) == "Pagina 1"
    assert final.select_one(".ww-pagination span").get_text(strip=True) == (
        f"Pagina {last} van {last}"
    )
