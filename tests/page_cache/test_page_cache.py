"""The page cache: whole public pages for anonymous visitors, purged precisely.

A page is "cached" when its second view is answered from the cache
(``X-Page-Cache: hit``) without a single SQL query.
"""

from django.conf import settings
from django.test import Client

from wagtail.models import Locale

import pytest

from coalition.models import ContactPerson
from directory.models import (
    PartnerIndexPage,
    PartnerPage,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkIndexPage,
    WijkPage,
)
from tests.coalition.helpers import professional

pytestmark = pytest.mark.django_db


def view(url: str, client: Client | None = None):
    return (client or Client()).get(url)


def from_cache(url: str) -> bool:
    return view(url).get("X-Page-Cache") == "hit"


def warm(*urls: str) -> None:
    for url in urls:
        response = view(url)
        assert response.status_code == 200, url


def in_language(url: str, code: str) -> str:
    """The same address under another language prefix."""
    return f"/{code}/{url.split('/', 2)[2]}"


@pytest.fixture
def dutch_service() -> ServicePage:
    """A live Dutch service for some wijken (not a whole municipality), with themes."""
    return (
        ServicePage.objects.live()
        .filter(locale__language_code="nl", municipalities__isnull=True)
        .filter(wijken__isnull=False, themes__isnull=False)
        .distinct()
        .order_by("path")
        .first()
    )


def theme_url(slug: str) -> str:
    index = ThemeIndexPage.objects.get(locale__language_code="nl")
    return f"{index.url}{slug}/"


def test_the_second_anonymous_view_comes_from_the_cache_without_a_query(
    service, django_assert_num_queries
):
    first = view(service.url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = view(service.url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert second[header] == first[header]


def test_a_page_from_the_cache_takes_one_read_of_the_cache(service, monkeypatch):
    """The page comes with the two tokens it must still match in one round
    trip to the cache server (Redis in production)."""
    from django.core.cache import caches

    pages, reads, inside = caches["pages"], [], []
    for name in ("get", "get_many", "has_key"):
        original = getattr(pages, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            # In memory, get_many is made of gets: count what the app asks.
            if not inside:
                reads.append(_name)
            inside.append(_name)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(pages, name, counted)
    view(service.url)
    reads.clear()
    assert view(service.url)["X-Page-Cache"] == "hit"
    assert reads == ["get_many"]


@pytest.mark.parametrize("code", ["nl", "en", "ar"])
def test_every_language_is_a_page_of_its_own(service, code):
    url = in_language(service.url, code)
    warm(url)
    response = view(url)
    assert response["X-Page-Cache"] == "hit"
    assert f'lang="{code}"' in response.content.decode()[:300]


def test_public_pages_tell_shared_caches_how_long_they_may_keep_them(service):
    for response in (view(service.url), view(service.url)):
        assert response["Cache-Control"] == f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
        # A shared cache keeps the page of a visitor with a session apart.
        assert "Cookie" in response["Vary"]


def test_the_language_cookie_is_set_on_a_page_from_the_cache_too(service):
    warm(service.url)
    response = view(in_language(service.url, "nl"))
    assert response["X-Page-Cache"] == "hit"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_the_policy_of_a_page_from_the_cache_works_for_its_body(service):
    """No page uses a CSP nonce, so the stored policy fits the stored body: it
    allows the page's own script and no inline script."""
    warm(service.url)
    response = view(service.url)
    policy = response["Content-Security-Policy"]
    assert "'nonce-" not in policy and "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy
    assert "<script>" not in response.content.decode()


@pytest.mark.urls("tests.page_cache.nonce_urls")
def test_a_page_with_a_csp_nonce_is_never_cached():
    """One nonce for every visitor would be one an attacker can read."""
    first, second = view("/nl/met-nonce/"), view("/nl/met-nonce/")
    assert "X-Page-Cache" not in second
    nonces = [response.content.decode() for response in (first, second)]
    assert nonces[0] != nonces[1]
    assert f"'nonce-{nonces[1]}'" in second["Content-Security-Policy"]


def test_a_logged_in_professional_never_gets_a_cached_page(wijk, django_user_model):
    partner = PartnerPage.objects.live().filter(wijken=wijk).order_by("path").first()
    person = ContactPerson.objects.filter(partner=partner).order_by("pk").first()
    assert person is not None
    warm(partner.url, wijk.url)
    client = Client()
    client.force_login(professional(django_user_model))
    for url in (partner.url, wijk.url):
        response = client.get(url)
        assert "X-Page-Cache" not in response
        assert person.name in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        # Nor is what the professional saw kept for anyone else.
        anonymous = view(url)
        assert anonymous["X-Page-Cache"] == "hit"
        assert person.name not in anonymous.content.decode()


def test_a_visitor_with_a_session_is_never_served_from_the_cache(service):
    warm(service.url)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert "X-Page-Cache" not in client.get(service.url)


def test_pagination_is_cached_per_page_and_other_queries_pass_through(dutch_service):
    url = theme_url(dutch_service.themes.first().slug)
    warm(url + "?page=1", url + "?utm_source=x")
    assert from_cache(url + "?page=1")
    assert not from_cache(url)
    assert "X-Page-Cache" not in view(url + "?utm_source=x")


def test_missing_pages_and_searches_are_not_cached():
    assert view("/nl/bestaat-niet/").status_code == 404
    assert "X-Page-Cache" not in view("/nl/bestaat-niet/")
    view("/nl/zoeken/")
    assert "X-Page-Cache" not in view("/nl/zoeken/")


def test_publishing_a_service_purges_exactly_the_pages_that_show_it(dutch_service):
    service = dutch_service
    partner = service.get_parent().specific
    served = list(service.wijken.all())
    theme = service.themes.first()
    showing = [
        service.url,
        in_language(service.url, "en"),
        in_language(service.url, "ar"),
        partner.url,
        in_language(partner.url, "uk"),
        served[0].url,
        served[0].url + "overzicht/",
        theme_url(theme.slug),
        ThemeIndexPage.objects.get(locale__language_code="nl").url,
    ]
    other_partner = (
        PartnerPage.objects.live()
        .filter(locale__language_code="nl")
        .exclude(pk=partner.pk)
        .exclude(wijken__in=served)
        .order_by("path")
        .first()
    )
    other_wijk = (
        WijkPage.objects.live()
        .filter(locale__language_code="nl")
        .exclude(pk__in=[w.pk for w in served])
        .exclude(municipality__services=service)
        .order_by("path")
        .first()
    )
    other_theme = Theme.for_locale(Locale.get_default()).exclude(services=service).first()
    unrelated = [
        "/nl/",
        other_partner.url,
        other_wijk.url,
        theme_url(other_theme.slug),
        PartnerIndexPage.objects.get(locale__language_code="nl").url,
        WijkIndexPage.objects.get(locale__language_code="nl").url,
    ]
    warm(*showing, *unrelated)

    service.title = "Nieuwe titel van deze dienst"
    service.save_revision().publish()

    assert {url: from_cache(url) for url in showing} == dict.fromkeys(showing, False)
    assert {url: from_cache(url) for url in unrelated} == dict.fromkeys(unrelated, True)
    assert "Nieuwe titel van deze dienst" in view(partner.url).content.decode()


def test_a_draft_purges_nothing(dutch_service):
    warm(dutch_service.url)
    dutch_service.title = "Nog niet gepubliceerd"
    dutch_service.save_revision()
    assert from_cache(dutch_service.url)


def test_a_new_theme_purges_the_theme_page_the_service_joins_and_the_one_it_leaves(
    dutch_service,
):
    old = dutch_service.themes.first()
    new = Theme.for_locale(Locale.get_default()).exclude(services=dutch_service).first()
    warm(theme_url(old.slug), theme_url(new.slug))
    dutch_service.themes.set([new])
    dutch_service.save_revision().publish()
    assert not from_cache(theme_url(old.slug))
    assert not from_cache(theme_url(new.slug))
    assert dutch_service.title in view(theme_url(new.slug)).content.decode()


def test_the_theme_pages_go_again_once_the_search_engine_has_a_change(dutch_service):
    """The theme pages list what the search finds. With the engine, a change
    reaches its index after the publish has purged them: a theme page
    rendered in between would keep the old list. Only pages the search
    lists go; every theme's, as a theme the change removed is gone."""
    from search.models import IndexChange
    from search.signals import index_updated

    index = ThemeIndexPage.objects.get(locale__language_code="nl").url
    its_theme = theme_url(dutch_service.themes.first().slug)
    other_theme = theme_url(
        Theme.for_locale(Locale.get_default()).exclude(services=dutch_service).first().slug
    )
    listed = [index, its_theme, other_theme, in_language(its_theme, "ar")]
    others = [dutch_service.url, dutch_service.get_parent().url]
    warm(*listed, *others)
    index_updated.send(sender=IndexChange, page_ids={dutch_service.pk})
    assert not any(from_cache(url) for url in listed)
    assert all(from_cache(url) for url in others)


def test_unpublishing_a_service_takes_it_off_the_pages_that_showed_it(dutch_service):
    partner = dutch_service.get_parent()
    wijk = dutch_service.wijken.first()
    warm(partner.url, wijk.url)
    dutch_service.unpublish()
    for url in (partner.url, wijk.url):
        assert dutch_service.title not in view(url).content.decode()


def test_deleting_a_service_takes_it_off_the_pages_that_showed_it(dutch_service):
    partner = dutch_service.get_parent()
    wijk = dutch_service.wijken.first()
    title = dutch_service.title
    warm(partner.url, wijk.url)
    dutch_service.delete()
    for url in (partner.url, wijk.url):
        assert title not in view(url).content.decode()


def test_moving_a_service_purges_the_partner_it_leaves_and_the_one_it_joins(dutch_service):
    before = dutch_service.get_parent()
    after = PartnerPage.objects.live().filter(locale=before.locale).exclude(pk=before.pk).first()
    warm(before.url, after.url, dutch_service.url)
    dutch_service.move(after, pos="last-child")
    assert dutch_service.title not in view(before.url).content.decode()
    assert dutch_service.title in view(after.url).content.decode()
    moved = ServicePage.objects.get(pk=dutch_service.pk)
    assert view(moved.url).status_code == 200
    # The old address is not a cached copy of the page but a redirect to its new one.
    assert view(dutch_service.url)["Location"] == moved.url


def test_renaming_a_wijk_purges_the_home_page_and_the_services_that_name_it(dutch_service):
    wijk = dutch_service.wijken.first()
    warm("/nl/", dutch_service.url, wijk.url)
    wijk.title = "Hernoemde wijk"
    wijk.save_revision().publish()
    for url in ("/nl/", dutch_service.url, wijk.url):
        assert "Hernoemde wijk" in view(url).content.decode(), url


def test_renaming_a_wijk_purges_its_municipality_on_the_wijk_index(dutch_service):
    wijk = dutch_service.wijken.first()
    index = WijkIndexPage.objects.get(locale__language_code="nl")
    drilled = f"{index.url}gemeente/{wijk.municipality.cbs_code.lower()}/"
    warm(drilled)
    assert from_cache(drilled)
    wijk.title = "Hernoemde wijk"
    wijk.save_revision().publish()
    assert "Hernoemde wijk" in view(drilled).content.decode()


def test_renaming_a_menu_page_purges_every_page(service):
    warm(service.url, "/nl/")
    index = PartnerIndexPage.objects.get(locale__language_code="nl")
    index.title = "Alle organisaties"
    index.save_revision().publish()
    for url in (service.url, "/nl/"):
        assert "Alle organisaties" in view(url).content.decode()


def test_renaming_a_theme_purges_every_page(dutch_service):
    theme = dutch_service.themes.first()
    warm(dutch_service.url)
    theme.name = "Hernoemd thema"
    theme.save()
    assert "Hernoemd thema" in view(dutch_service.url).content.decode()


def test_a_page_rendered_while_a_change_was_saved_is_never_served(dutch_service):
    """A purge between a request's lookup and its store leaves what it
    rendered from the old data where no visitor looks."""
    from django.test import RequestFactory

    from page_cache import store

    old = view(dutch_service.url)
    store.purge_paths([dutch_service.url])
    found = store.lookup(RequestFactory().get(dutch_service.url))
    assert found.page is None
    store.purge_paths([dutch_service.url])  # a publish while it renders
    store.store(found, old)
    assert not from_cache(dutch_service.url)


def test_a_password_protected_page_is_never_cached(dutch_service):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=dutch_service, restriction_type=PageViewRestriction.PASSWORD, password="geheim-42"
    )
    for _ in range(2):
        response = view(dutch_service.url)
        assert "X-Page-Cache" not in response
        assert dutch_service.summary not in response.content.decode()


def test_production_warns_about_a_page_cache_in_each_process_s_memory():
    """A publish would purge only the process that saved it."""
    from tests.test_project import PRODUCTION, run_with_settings

    result = run_with_settings(
        "wijkwijzer.settings.production", **{**PRODUCTION, "PAGE_CACHE_URL": "locmemcache://"}
    )
    assert result.returncode != 0
    assert "page_cache.W001" in result.stdout + result.stderr
