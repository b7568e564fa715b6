"""The style guide (/stijlgids/): every public component in every state, Dutch and
Arabic side by side, so editors and designers can check a change of the theme
(site/tokens) or of a template before residents see it.

It renders the real includes the public pages use (cards, opening status, address
and route, breadcrumbs, pagination, the machine-translation notice, the overview
table, the map) with sample services made in memory: nothing is written to the
database, and the states (open, closed, closed today, temporarily closed, only in
Dutch) do not depend on what the directory holds today. Public like the site
itself: it shows no data of anyone, and partners' designers need no account; kept
out of search engines (noindex) and out of the sitemap. The guide's own headings
are in Dutch, for the coalition's editors; each rendering carries its language.
"""

import datetime

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation

from wagtail.models import Locale

from directory.choices import ServiceStatus
from directory.models import (
    Language,
    OpeningHours,
    OpeningHoursException,
    ServiceLocation,
    ServicePage,
    Theme,
)
from directory.overview import wijk_overview

LANGUAGES = ["nl", "ar"]
# (Dutch heading, template in templates/style_guide/)
PARTS = [
    ("Koppen en tekst", "text.html"),
    ("Links", "links.html"),
    ("Knoppen", "buttons.html"),
    ("Formulieren", "forms.html"),
    ("Meldingen", "alerts.html"),
    (
        "Resultaatkaarten: open, gesloten, vandaag dicht, tijdelijk dicht, alleen Nederlands",
        "cards.html",
    ),
    ("Kruimelpad en bladeren", "navigation.html"),
    ("Adres, route en kaart", "location.html"),
    ("Tabel van het wijkoverzicht", "table.html"),
]
ALL_DAY = (datetime.time(0, 0), datetime.time(23, 59))
# Sample content, as an editor would write it in each language.
CONTENT = {
    "nl": {
        "partner": "Buurtteam Voorbeeldwijk",
        "titles": [
            "Inloopspreekuur geldzaken",
            "Taalcafé",
            "Hulp bij formulieren",
            "Kledingbank",
        ],
        "summary": "Vragen over geld, brieven of schulden? Kom langs, zonder afspraak.",
        "note": "Studiedag",
    },
    "ar": {
        "partner": "فريق الحي",
        "titles": [
            "ساعات استشارة بدون موعد للشؤون المالية",
            "مقهى اللغة",
            "مساعدة في ملء الاستمارات",
            "بنك الملابس",
        ],
        "summary": "لديك أسئلة عن المال أو الرسائل أو الديون؟ تعال بدون موعد.",
        "note": "Studiedag",
    },
}


def sample_service(
    locale, title, summary, partner, hours=(), exceptions=(), **fields
) -> ServicePage:
    """A service page that is never saved: its children and terms live in memory."""
    page = ServicePage(
        title=title,
        slug="stijlgids",
        summary=summary,
        locale=locale,
        locations=[
            ServiceLocation(
                name="Wijkcentrum De Linde",
                address="Lindeplein 1",
                postcode="3521 BM",
                city="Utrecht",
                latitude=52.0907,
                longitude=5.1214,
            )
        ],
        opening_hours=[OpeningHours(weekday=day, opens=o, closes=c) for day, o, c in hours],
        opening_hours_exceptions=list(exceptions),
        themes=list(Theme.objects.filter(locale=locale)[:2]),
        languages=list(Language.objects.filter(code__in=["nl", "ar", "ti"])),
        **fields,
    )
    page.partner_title = partner
    return page


def sample_services(language: str) -> list[ServicePage]:
    locale = Locale.objects.get(language_code=language)
    dutch = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
    content = CONTENT[language]
    today = timezone.localdate()
    every_day = [(day, *ALL_DAY) for day in range(7)]
    later = (today.weekday() + 2) % 7
    titles, summary, partner = content["titles"], content["summary"], content["partner"]
    return [
        sample_service(locale, titles[0], summary, partner, every_day),
        sample_service(
            locale, titles[1], summary, partner, [(later, datetime.time(9), datetime.time(12))]
        ),
        sample_service(
            locale,
            titles[2],
            summary,
            partner,
            every_day,
            [OpeningHoursException(start_date=today, closed=True, note=content["note"])],
        ),
        sample_service(
            locale, titles[3], summary, partner, status=ServiceStatus.TEMPORARILY_CLOSED
        ),
        # Not translated yet: the card says so, its text marked as Dutch.
        sample_service(
            dutch,
            CONTENT["nl"]["titles"][3],
            CONTENT["nl"]["summary"],
            CONTENT["nl"]["partner"],
            every_day,
        ),
    ]


def style_guide(request):
    pages = Paginator(range(30), 10).page(2)
    parts = [{"title": title, "renderings": []} for title, _template in PARTS]
    for language in LANGUAGES:
        with translation.override(language):
            services = sample_services(language)
            context = {
                "services": services,
                "location": services[0].locations.all()[0],
                "wijken": [],
                "items": pages,
                "overview": wijk_overview(services, services[0].locale),
                "page_url": request.path,
                # A real page, read only: the breadcrumbs are its ancestors.
                "page": ServicePage.objects.live().filter(locale=services[0].locale).first(),
            }
            for part, (_title, template) in zip(parts, PARTS, strict=True):
                part["renderings"].append(
                    {
                        "code": language,
                        "bidi": translation.get_language_bidi(),
                        "html": render_to_string(f"style_guide/{template}", context, request),
                    }
                )
    with translation.override(settings.LANGUAGE_CODE):
        response = render(request, "style_guide.html", {"parts": parts})
    response["X-Robots-Tag"] = "noindex"
    return response
