"""Every public page type reads the database a bounded number of times: the
same whether it shows N items or 2N (no query per card, per wijk, per
theme), and at most the number measured when the lists were prefetched.

Measured with the page cache off, on the second view (the first fills
per-process caches: content types, the site, the locales).
"""

import datetime

from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wagtail.models import Locale

import pytest

from directory.models import (
    Audience,
    Language,
    Municipality,
    OpeningHours,
    OpeningHoursException,
    PartnerIndexPage,
    PartnerPage,
    ServiceChannel,
    ServiceLocation,
    ServicePage,
    Theme,
    ThemeIndexPage,
    WijkIndexPage,
    WijkPage,
)
from directory.models.service import with_terms

pytestmark = pytest.mark.django_db

# The most queries each page type may make, whatever it shows (SQLite and
# PostgreSQL alike).
# The pages on the way to the page (its ancestors and their translations)
# are read once per request (directory/routing.py); the locales, the view
# restrictions, the site, the menus, the themes, audiences and languages
# are kept per process while the site's token stays the same
# (directory/per_request.py ``shared``).
BOUNDS = {
    "home": 6,
    # Its four kinds of terms in one query (``with_terms``). Under another
    # language prefix the Dutch fallback is found in the same query as the
    # translation (directory/routing.py), and the notice on a machine
    # translation asks after its review. Its ways to reach it and their
    # languages: two.
    "service": 12,
    "partner": 10,
    # The services with their themes, then the lines of the few shown per
    # theme with what a line shows (no themes or languages of their own):
    # however many serve the wijk. The wijken index is not read on the way
    # (directory/routing.py).
    "wijk": 10,
    # Every service of the wijk with its contact fields, themes and languages.
    "wijk overview": 9,
    # Both are the search's (ThemeIndexPage): whether its rows changed, then
    # the page of cards; the index reads no service.
    "theme": 9,
    "themes index": 4,
    "wijken index": 4,
    "partners index": 4,
    "search": 8,
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_TIMEOUT = 0


def queries(url: str) -> int:
    client = Client()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def dutch():
    return Locale.objects.get(language_code="nl")


class World:
    """A partner, a wijk and a theme of the test's own, so a page shows
    exactly the services, wijken or themes the test adds."""

    def __init__(self):
        self.municipality = Municipality.objects.create(name="Testgemeente", cbs_code="GM9999")
        self.wijk = self.add_wijk()
        self.theme = Theme.objects.create(name="Testthema", slug="testthema", locale=dutch())
        index = PartnerIndexPage.objects.get(locale=dutch())
        self.partner = index.add_child(
            instance=PartnerPage(
                title="Testpartner (voorbeeld)", slug="testpartner", partner_type="welzijn"
            )
        )
        self.partner.wijken.set([self.wijk])
        self.partner.save_revision().publish()
        self.services = 0
        self.wijken = 1
        self.themes = 0

    def add_wijk(self) -> WijkPage:
        number = WijkPage.objects.filter(municipality=self.municipality).count() + 1
        wijk = WijkIndexPage.objects.get(locale=dutch()).add_child(
            instance=WijkPage(
                title=f"Testwijk {number}",
                slug=f"testwijk-{number}",
                cbs_code=f"WK9999{number:02d}",
                municipality=self.municipality,
                postcodes="3561",
                latitude=52.09,
                longitude=5.12,
            )
        )
        self.wijken = getattr(self, "wijken", 0) + 1
        return wijk

    def add_theme(self) -> None:
        self.themes += 1
        Theme.objects.create(
            name=f"Extra thema {self.themes}", slug=f"extra-{self.themes}", locale=dutch()
        )

    def add_partner(self) -> None:
        index = PartnerIndexPage.objects.get(locale=dutch())
        number = PartnerPage.objects.count() + 1
        index.add_child(
            instance=PartnerPage(
                title=f"Partner {number} (voorbeeld)", slug=f"partner-{number}", partner_type="zorg"
            )
        )

    def add_service(self) -> ServicePage:
        self.services += 1
        n = self.services
        page = ServicePage(
            title=f"Testdienst {n}",
            slug=f"testdienst-{n}",
            summary="Een dienst om queries te tellen.",
            phone="+31307999999",
            cost="free",
            access="walk_in",
        )
        self.partner.add_child(instance=page)
        page.wijken.set([self.wijk])
        page.themes.set([self.theme])
        page.languages.set(Language.objects.filter(code__in=["nl", "ar", "en"]))
        page.locations.add(
            ServiceLocation(
                address=f"Straat {n}",
                postcode="3561 AB",
                city="Utrecht",
                latitude=52.09,
                longitude=5.12,
            )
        )
        page.opening_hours.add(
            OpeningHours(weekday=n % 7, opens=datetime.time(9), closes=datetime.time(17))
        )
        page.channels.add(
            ServiceChannel(
                kind="whatsapp",
                value="+31612345678",
                languages=list(Language.objects.filter(code__in=["ar", "ti"])),
                hours_note="di 9-12",
            )
        )
        start = datetime.date.today() + datetime.timedelta(days=3)
        page.opening_hours_exceptions.add(
            OpeningHoursException(start_date=start, end_date=start, note="Studiedag")
        )
        page.save_revision().publish()
        return page

    def service_with(self, relations: int) -> ServicePage:
        """A service with ``relations`` locations, hours, exceptions, wijken,
        themes and ways to reach it."""
        page = self.add_service()
        for n in range(1, relations):
            page.locations.add(
                ServiceLocation(
                    address=f"Plein {n}",
                    postcode="3561 AB",
                    city="Utrecht",
                    latitude=52.1,
                    longitude=5.1,
                )
            )
            page.opening_hours.add(
                OpeningHours(weekday=n, opens=datetime.time(9), closes=datetime.time(12))
            )
            page.wijken.add(self.add_wijk())
            page.channels.add(
                ServiceChannel(
                    kind="desk",
                    location_key=page.locations.all()[0].hsds_id,
                    languages=list(Language.objects.filter(code__in=["so", "uk"])),
                )
            )
        page.save_revision().publish()
        return page


@pytest.fixture
def world(db) -> World:
    return World()


def twice(world, add, url) -> tuple[int, int]:
    """The queries of ``url`` showing N added items, and showing 2N."""
    for _ in range(3):
        add()
    first = queries(url())
    for _ in range(3):
        add()
    return first, queries(url())


def theme_url(slug):
    return ThemeIndexPage.objects.get(locale=dutch()).url + slug + "/"


CASES = {
    "home": (lambda w: w.add_wijk, lambda w: "/nl/"),
    "partner": (lambda w: w.add_service, lambda w: w.partner.url),
    "wijk": (lambda w: w.add_service, lambda w: w.wijk.url),
    "wijk overview": (lambda w: w.add_service, lambda w: w.wijk.url + "overzicht/"),
    "theme": (lambda w: w.add_service, lambda w: theme_url("testthema")),
    "themes index": (
        lambda w: w.add_theme,
        lambda w: ThemeIndexPage.objects.get(locale=dutch()).url,
    ),
    "wijken index": (lambda w: w.add_wijk, lambda w: WijkIndexPage.objects.get(locale=dutch()).url),
    "partners index": (
        lambda w: w.add_partner,
        lambda w: PartnerIndexPage.objects.get(locale=dutch()).url,
    ),
    "search": (lambda w: w.add_service, lambda w: "/nl/zoeken/?theme=testthema"),
}


@pytest.mark.parametrize("page_type", CASES)
def test_a_page_makes_as_many_queries_for_2n_items_as_for_n(world, page_type):
    add, url = CASES[page_type]
    n, two_n = twice(world, add(world), lambda: url(world))
    assert n == two_n
    assert two_n <= BOUNDS[page_type]


@pytest.mark.parametrize("code", ["nl", "ar"])
def test_a_service_page_makes_as_many_queries_with_two_of_everything_as_with_one(world, code):
    one = world.service_with(1).url
    two = world.service_with(2).url
    counts = [queries(f"/{code}/{url.split('/', 2)[2]}") for url in (one, two)]
    assert counts[0] == counts[1]
    assert counts[1] <= BOUNDS["service"]


@pytest.mark.parametrize("code", ["en", "ar"])
def test_listings_in_another_language_make_no_query_per_card(world, code):
    """Dutch services shown under another language prefix name their themes in it."""
    n, two_n = twice(
        world, world.add_service, lambda: f"/{code}/{world.partner.url.split('/', 2)[2]}"
    )
    assert n == two_n


READINGS = {
    "iterated": lambda cards: list(cards),
    "sliced, as a page of results": lambda cards: list(cards.order_by("pk")[1:]),
    "by id": lambda cards: list(cards.in_bulk().values()),
}


@pytest.mark.parametrize("reading", READINGS)
def test_cards_come_with_their_themes_and_languages_however_they_are_read(world, reading):
    """A new reader of cards cannot forget their terms and ask a query per card."""
    for _ in range(3):
        world.add_service()
    cards = READINGS[reading](
        ServicePage.objects.filter(title__startswith="Testdienst").for_cards()
    )
    assert len(cards) >= 2
    with CaptureQueriesContext(connection) as captured:
        terms = [
            (
                {theme.slug for theme in card.themes.all()},
                {lang.code for lang in card.languages.all()},
            )
            for card in cards
        ]
    assert len(captured) == 0
    assert all(found == ({"testthema"}, {"nl", "ar", "en"}) for found in terms)


def test_terms_set_in_memory_are_the_saved_ones_in_their_own_order(db):
    """What ``with_terms`` sets, in one query for every kind, is what
    Django's own relation reads: the same terms in the terms' order."""
    for model in (Theme, Audience, Language):  # an order that is not the keys'
        model.objects.update(sort_order=10_000 - F("pk"))
    names = ServicePage.SHOWN_TERMS
    services = list(ServicePage.objects.order_by("path"))
    with_terms(services, names)
    several = 0
    for service in services:
        saved = ServicePage.objects.get(pk=service.pk)
        for name in names:
            expected = list(getattr(saved, name).all())
            assert list(getattr(service, name).all()) == expected, (service, name)
            several += len(expected) > 1
    assert several > 10  # the order is put to the test


@pytest.mark.parametrize("reading", READINGS)
def test_lines_come_with_their_locations_hours_and_current_exceptions_however_read(world, reading):
    """What says whether a line or a card is open is read with the services,
    in their editors' order, leaving out exceptions that ended before
    yesterday (a day can still be under way somewhere)."""
    for _ in range(3):
        world.add_service()
    service = ServicePage.objects.get(title="Testdienst 2")
    today = datetime.date.today()
    for start, note in ((today - datetime.timedelta(days=2), "Over"), (today, "Vandaag")):
        OpeningHoursException.objects.create(
            page=service, start_date=start, end_date=start, note=note
        )
    OpeningHours.objects.create(
        page=service, weekday=0, opens=datetime.time(8), closes=datetime.time(9)
    )
    for query in (
        ServicePage.objects.filter(title__startswith="Testdienst").for_lines(),
        ServicePage.objects.filter(title__startswith="Testdienst").for_cards(),
    ):
        lines = {line.title: line for line in READINGS[reading](query)}
        assert "Testdienst 2" in lines and len(lines) >= 2
        with CaptureQueriesContext(connection) as captured:
            read = {
                title: (
                    [location.address for location in line.locations.all()],
                    [(row.weekday, row.opens) for row in line.opening_hours.all()],
                    [row.note for row in line.opening_hours_exceptions.all()],
                )
                for title, line in lines.items()
            }
        assert len(captured) == 0
        expected = {
            "Testdienst 1": (["Straat 1"], [(1, datetime.time(9))], ["Studiedag"]),
            "Testdienst 2": (
                ["Straat 2"],
                [(2, datetime.time(9)), (0, datetime.time(8))],
                ["Studiedag", "Vandaag"],
            ),
            "Testdienst 3": (["Straat 3"], [(3, datetime.time(9))], ["Studiedag"]),
        }
        assert read == {title: expected[title] for title in lines}
