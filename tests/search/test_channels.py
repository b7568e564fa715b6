"""The channel filter ("How do you want to reach them?") in the search
contract: both backends give the same answers, computed here from the
models. With a language, a channel of that kind must speak it: "Arabic by
WhatsApp" is a WhatsApp channel on which Arabic is spoken."""

from django.db.models import Q

from wagtail.models import Locale

import pytest

from directory.choices import ChannelKind
from directory.models import ServicePage
from search.forms import ServiceSearchForm
from search.query import ServiceQuery, search_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def nl(db):
    return Locale.objects.get(language_code="nl")


def found(query: ServiceQuery, locale: Locale) -> set[int]:
    results = search_services(query, locale, per_page=200)
    assert results.total <= 200
    assert not results.degraded
    return {hit.service.pk for hit in results.page}


def live(locale: Locale):
    return ServicePage.objects.live().public().filter(locale=locale)


def by_channel(locale: Locale, kind: str, *codes: str) -> set[int]:
    """Services with a channel of ``kind`` that speaks one of ``codes``."""
    channels = Q(channels__kind=kind)
    if codes:
        channels &= Q(channels__languages__code__in=codes)
    return set(live(locale).filter(channels).values_list("pk", flat=True))


def test_arabic_by_whatsapp_finds_the_whatsapp_channels_that_speak_arabic(backend, nl):
    expected = by_channel(nl, ChannelKind.WHATSAPP, "ar")
    assert expected
    assert found(ServiceQuery(channel="whatsapp", languages=("ar",)), nl) == expected


def test_a_language_of_the_service_is_not_a_language_of_its_phone(backend, nl):
    """Tigrinya is spoken at the service, at its desk: not on its phone."""
    tigrinya_desk = by_channel(nl, ChannelKind.DESK, "ti")
    by_phone = found(ServiceQuery(channel="phone", languages=("ti",)), nl)
    assert tigrinya_desk - by_phone
    assert by_phone == by_channel(nl, ChannelKind.PHONE, "ti")
    # The language alone still means the service's languages.
    at_all = found(ServiceQuery(languages=("ti",)), nl)
    assert at_all == set(live(nl).filter(languages__code="ti").values_list("pk", flat=True))


def test_languages_are_alternatives_on_the_channel_too(backend, nl):
    expected = by_channel(nl, ChannelKind.DESK, "ti", "prs")
    assert expected
    assert found(ServiceQuery(channel="desk", languages=("ti", "prs")), nl) == expected


def test_a_channel_alone_includes_the_services_own_contact_fields(backend, nl):
    """A service with a phone number is reachable by phone, in whatever language."""
    expected = set(
        live(nl).filter(Q(channels__kind="phone") | ~Q(phone="")).values_list("pk", flat=True)
    )
    assert found(ServiceQuery(channel="phone"), nl) == expected
    video = by_channel(nl, ChannelKind.VIDEO)
    assert video
    assert found(ServiceQuery(channel="video"), nl) == video


@pytest.mark.parametrize("kind", ["desk", "whatsapp", "phone"])
def test_language_counts_with_a_channel_equal_the_totals_of_choosing_them(backend, nl, kind):
    counts = search_services(ServiceQuery(channel=kind), nl).facets["languages"]
    assert counts
    for code, count in counts.items():
        assert count == len(by_channel(nl, kind, code)), code
        total = search_services(ServiceQuery(channel=kind, languages=(code,)), nl).total
        assert total == count, code


def test_the_form_asks_how_to_reach_them_and_passes_it_on(nl):
    form = ServiceSearchForm({"channel": "whatsapp", "language": ["ar"]}, locale=nl)
    query = form.to_query()
    assert (query.channel, query.languages) == ("whatsapp", ("ar",))
    assert ServiceSearchForm({"channel": "pigeon"}, locale=nl).to_query().channel == ""


def test_the_search_page_has_a_labelled_select_of_the_ways(client, nl):
    response = client.get("/nl/zoeken/", {"channel": "whatsapp", "language": "ar"})
    html = response.content.decode()
    assert '<label class="utrecht-form-label" for="search-channel">' in html
    assert 'aria-describedby="search-channel-help"' in html
    assert '<option value="whatsapp" selected>' in html
    for kind in ChannelKind.values:
        assert f'<option value="{kind}"' in html
