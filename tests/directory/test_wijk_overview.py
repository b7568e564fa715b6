"""The overview of a wijk to print for a wijk meeting: every service once, with
what a professional needs to refer a resident, on as few sheets as it takes."""

import datetime
import re

from django.db.models import Q
from django.utils import translation

from wagtail.models import Locale

import pytest
from bs4 import BeautifulSoup

from coalition.models import ContactPerson
from directory.models import OpeningHours, PartnerPage, ServicePage, Theme
from directory.overview import weekly_hours
from directory.templatetags.directory_tags import national

from ..coalition.helpers import logged_in, professional

pytestmark = pytest.mark.django_db


def overview_of(client, wijk, language="nl"):
    response = client.get(f"/{language}{wijk.url[3:]}overzicht/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def services_of(wijk):
    dutch = ServicePage.objects.shown().filter(locale=wijk.locale)
    return list(dutch.filter(Q(wijken=wijk) | Q(municipalities=wijk.municipality)).distinct())


def rows(soup):
    return {
        row.select_one("th[scope=row] a").get_text(strip=True): row
        for row in soup.select(".ww-overview__table tbody tr")
        if row.select_one("th[scope=row] a")
    }


def test_the_wijk_page_links_its_overview_to_print(client, wijk):
    soup = BeautifulSoup(client.get(wijk.url).content, "html.parser")
    assert soup.select_one(f"a[href='{wijk.url}overzicht/']")


def test_every_service_of_the_wijk_is_listed_once_with_phone_address_and_hours(client, wijk):
    soup = overview_of(client, wijk)
    services = services_of(wijk)
    assert len(services) > 20
    titles = [a.get_text(strip=True) for a in soup.select(".ww-overview__table th[scope=row] a")]
    assert sorted(titles) == sorted(service.title for service in services)
    listed = rows(soup)
    for service in services:
        text = listed[service.title].get_text(" ", strip=True)
        if service.phone:
            assert national(service.phone) in text, service.title
        for location in service.locations.all():
            assert location.address in text and location.postcode in text, service.title
        assert service.get_parent().title in text


def test_a_service_sits_under_its_first_theme_and_names_the_others_by_number(client, wijk):
    soup = overview_of(client, wijk)
    legend = [li.get_text(strip=True) for li in soup.select(".ww-overview__themes li")]
    themes = list(Theme.for_locale(wijk.locale))
    assert legend == [theme.name for theme in themes]
    number = {theme.slug: n for n, theme in enumerate(themes, start=1)}
    several = 0
    for section in soup.select("main .ww-overview__table")[0].select("tbody"):
        heading = section.select_one(".ww-overview__theme").get_text(" ", strip=True)
        for title, row in rows(section).items():
            service = ServicePage.objects.get(title=title, locale=wijk.locale)
            served = sorted(number[theme.slug] for theme in service.themes.all())
            cell = row.find_all("td")[-1].get_text(strip=True)
            assert cell == ", ".join(map(str, served))
            assert heading.startswith(f"{served[0]}.")
            several += len(served) > 1
    assert several, "the demo has services with more than one theme"


def test_days_in_a_row_with_the_same_hours_are_one_line():
    service = ServicePage(title="Uren (test)")
    nine, noon, one, five = (datetime.time(h) for h in (9, 12, 13, 17))
    service.opening_hours = [
        *(OpeningHours(weekday=day, opens=nine, closes=noon) for day in range(5)),
        *(OpeningHours(weekday=day, opens=one, closes=five) for day in (0, 1, 2, 3)),
        OpeningHours(weekday=5, opens=nine, closes=noon),
    ]
    with translation.override("nl"):
        assert weekly_hours(service) == [
            ("ma–do", "09:00–12:00, 13:00–17:00"),
            ("vr–za", "09:00–12:00"),
        ]
    with translation.override("uk"):
        assert weekly_hours(service)[0][0] == "пн–чт"


def test_in_arabic_the_themes_are_arabic_and_times_stay_left_to_right(client, wijk):
    soup = overview_of(client, wijk, "ar")
    assert soup.html["dir"] == "rtl"
    arabic = Locale.objects.get(language_code="ar")
    legend = [li.get_text(strip=True) for li in soup.select(".ww-overview__themes li")]
    assert legend == [theme.name for theme in Theme.for_locale(arabic)]
    hours = [row.find_all("td")[2] for row in rows(soup).values()]
    times = [span.get_text() for cell in hours for span in cell.select("span[dir=ltr]")]
    assert times and all(re.fullmatch(r"[\d:–, ]+", time) for time in times)


def test_contact_persons_are_a_second_table_for_professionals_only(client, wijk, django_user_model):
    partner = PartnerPage.objects.live().filter(locale=wijk.locale, wijken=wijk).first()
    person = ContactPerson.objects.create(
        partner=partner, name="Ada Wijkmans (test)", role="Wijkagent"
    )
    person.wijken.set([wijk])
    anonymous = overview_of(client, wijk)
    assert anonymous.select_one("#contacts-title") is None
    assert person.name not in str(anonymous)

    seen = overview_of(logged_in(professional(django_user_model)), wijk)
    names = [th.strong.get_text() for th in seen.select(".ww-contacts th[scope=row]")]
    assert person.name in names


def test_a_wrong_sub_address_is_not_found(client, wijk):
    assert client.get(f"{wijk.url}overzicht/extra/").status_code == 404
