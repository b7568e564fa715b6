"""Demo translations of part of the directory, loaded the way a translator's
work arrives: through wagtail-localize, by importing a PO file per object.

``translations/<language>.json`` maps each Dutch source string to its
translation. They were written by the developers with language tools and are
imported as machine translations, so editors see they still need review.
``python manage.py demo_translation_strings`` lists the Dutch strings to translate.
"""

from __future__ import annotations

import json
from pathlib import Path

from wagtail.models import Locale, Site
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from ..models import Audience, PartnerPage, ServicePage, Theme

TRANSLATIONS_DIR = Path(__file__).with_name("translations")
TOOL_NAME = "Wijkwijzer demo translations (not reviewed)"

# The services translated in the demo, by partner and service slug: help that
# newcomers ask for first, across all themes.
TRANSLATED_SERVICES = [
    "buurtteam-overvecht/inloopspreekuur-geldzaken",
    "buurtteam-overvecht/hulp-bij-formulieren-en-toeslagen",
    "gemeente-werk-en-inkomen/schuldhulp-aanmelden",
    "gemeente-werk-en-inkomen/bijstand-aanvragen",
    "gemeente-team-inburgering/brede-intake",
    "gemeente-team-inburgering/vaste-lasten-eerste-half-jaar",
    "woonstichting-de-sleutel/hulp-bij-huurachterstand",
    "woonstichting-de-sleutel/welkomstgesprek-nieuwe-huurders",
    "politie-basisteam-utrecht-noord/hulp-bij-aangifte",
    "politie-basisteam-utrecht-west/informatie-huiselijk-geweld",
    "leerhuis-domstad/nederlandse-les-beginners",
    "stichting-huiswerkplein/koffieochtend-ouders-en-school",
    "ggz-inloophuis-de-kade/praatgroep-nieuwkomers-stress",
    "stichting-nieuw-thuis-utrecht/maatschappelijke-begeleiding",
    "stichting-nieuw-thuis-utrecht/spreekuur-brieven-en-post",
    "stichting-nieuw-thuis-utrecht/taalmaatje",
    "steunpunt-oekraine-utrecht/inloopspreekuur-oekraine",
    "stichting-voedselhulp-domstad/wekelijks-voedselpakket",
    "stichting-de-haven/nachtopvang",
    "sociaal-raadslieden-utrecht/hulp-bij-bezwaar-maken",
    "vrijwilligerscentrale-domstad/vrijwilligerswerk-voor-nieuwkomers",
    "welzijnsstichting-samen-zuid/vrouwengroep",
]


def objects_to_translate() -> list:
    """Snippets first, then pages parents before children."""
    dutch = Locale.get_default()
    home = Site.objects.get(is_default_site=True).root_page.specific
    services = []
    for path in TRANSLATED_SERVICES:
        partner_slug, service_slug = path.split("/")
        partner = PartnerPage.objects.get(slug=partner_slug, locale=dutch)
        services.append(ServicePage.objects.child_of(partner).get(slug=service_slug))
    partner_ids = {service.get_parent().pk for service in services}
    pages = [
        home,
        *[page.specific for page in home.get_children().order_by("path")],
        *PartnerPage.objects.filter(pk__in=partner_ids).order_by("path"),
        *services,
    ]
    snippets = [*Theme.objects.filter(locale=dutch), *Audience.objects.filter(locale=dutch)]
    return snippets + pages


def source_strings() -> list[str]:
    """Every Dutch string of the objects above, once, in document order."""
    strings: list[str] = []
    for instance in objects_to_translate():
        for segment in extract_segments(instance):
            if isinstance(segment, StringSegmentValue) and segment.string.data not in strings:
                strings.append(segment.string.data)
    return strings


def available_languages() -> list[str]:
    return sorted(path.stem for path in TRANSLATIONS_DIR.glob("*.json") if path.stem != "source")


def load_translations(languages: list[str] | None = None) -> dict[str, int]:
    """Translate the demo objects into each language that has a data file."""
    counts = {}
    objects = objects_to_translate()
    for code in languages or available_languages():
        table = json.loads((TRANSLATIONS_DIR / f"{code}.json").read_text(encoding="utf-8"))[
            "strings"
        ]
        locale = Locale.objects.get(language_code=code)
        # Each object is saved in its own transaction (wagtail-localize makes
        # one): inside a single outer transaction the tree's child counts of
        # new parent pages came out wrong, and Wagtail then routes nothing below them.
        for instance in objects:
            translate(instance, locale, table)
        counts[code] = len(objects)
    return counts


def translate(instance, locale: Locale, table: dict[str, str]):
    """Translate one object through a PO file, as a translator's upload would."""
    source, _created = TranslationSource.update_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    po = translation.export_po()
    for entry in po:
        entry.msgstr = table.get(entry.msgid, "")
    translation.import_po(po, translation_type="machine", tool_name=TOOL_NAME)
    translation.save_target(publish=True)
    return translation
