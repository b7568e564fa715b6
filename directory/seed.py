"""The lists every Wijkwijzer site starts with, in Dutch (the source language).

Seeded by migration ``0002_seed_lists`` and kept by ``load_demo``; editors can add
to them in the admin under Lists.
"""

THEMES = [
    (
        "geldzaken-en-schulden",
        "Geldzaken en schulden",
        "Hulp bij rekeningen, schulden, toeslagen en rondkomen.",
    ),
    ("wonen", "Wonen", "Huur, een woning zoeken, problemen in huis en met buren."),
    ("werk-en-inkomen", "Werk en inkomen", "Werk vinden, uitkering, inkomen en regelingen."),
    ("taal-en-inburgering", "Taal en inburgering", "Nederlands leren, inburgeren en taalmaatjes."),
    (
        "gezondheid-en-zorg",
        "Gezondheid en zorg",
        "Huisarts, zorg thuis, psychische hulp en mantelzorg.",
    ),
    ("opvoeden-en-gezin", "Opvoeden en gezin", "Hulp bij opvoeden, kinderen en het gezin."),
    ("onderwijs", "Onderwijs", "School, huiswerk en leren."),
    ("veiligheid", "Veiligheid", "Politie, overlast, huiselijk geweld en veilig wonen."),
    (
        "meedoen-en-ontmoeten",
        "Meedoen en ontmoeten",
        "Activiteiten, buurthuis en andere mensen ontmoeten.",
    ),
    ("vrijwilligerswerk", "Vrijwilligerswerk", "Vrijwilligerswerk vinden of doen."),
    ("juridische-hulp", "Juridische hulp", "Advies over uw rechten, brieven en bezwaar maken."),
    (
        "crisis-en-noodhulp",
        "Crisis en noodhulp",
        "Direct hulp bij nood: eten, een slaapplek of een crisis.",
    ),
]

AUDIENCES = [
    (
        "statushouders",
        "Statushouders",
        "Mensen met een verblijfsvergunning die net in de gemeente wonen.",
    ),
    ("ouderen", "Ouderen", "Mensen van 65 jaar en ouder."),
    ("jongeren", "Jongeren", "Jongeren van 12 tot 27 jaar."),
    ("gezinnen", "Gezinnen", "Ouders en verzorgers met kinderen."),
    (
        "mensen-met-een-beperking",
        "Mensen met een beperking",
        "Mensen met een lichamelijke, verstandelijke of psychische beperking.",
    ),
    ("iedereen", "Iedereen", "Voor alle bewoners."),
]

# (ISO 639 code, Dutch name, name in the language itself). ISO 639-1 where it has
# a code, ISO 639-3 otherwise (Dari, Northern Kurdish, Dutch Sign Language).
LANGUAGES = [
    ("nl", "Nederlands", "Nederlands"),
    ("en", "Engels", "English"),
    ("ar", "Arabisch", "العربية"),
    ("fa", "Perzisch (Farsi)", "فارسی"),
    ("prs", "Dari", "دری"),
    ("ti", "Tigrinya", "ትግርኛ"),
    ("uk", "Oekraïens", "Українська"),
    ("tr", "Turks", "Türkçe"),
    ("pl", "Pools", "Polski"),
    ("so", "Somalisch", "Soomaali"),
    ("ps", "Pasjtoe", "پښتو"),
    ("am", "Amhaars", "አማርኛ"),
    ("ru", "Russisch", "Русский"),
    ("ro", "Roemeens", "Română"),
    ("bg", "Bulgaars", "Български"),
    ("fr", "Frans", "Français"),
    ("es", "Spaans", "Español"),
    ("pt", "Portugees", "Português"),
    ("de", "Duits", "Deutsch"),
    ("kmr", "Koerdisch (Kurmancî)", "Kurmancî"),
    ("dse", "Nederlandse Gebarentaal", "NGT"),
]


def seed_lists(Locale, Theme, Audience, Language, language_code: str) -> None:
    """Create the missing themes, audiences and languages; change nothing that exists.

    Takes the model classes so that migrations can pass their historical models.
    """
    locale, _ = Locale.objects.get_or_create(language_code=language_code)
    for model, rows in ((Theme, THEMES), (Audience, AUDIENCES)):
        for order, (slug, name, description) in enumerate(rows, start=1):
            if not model.objects.filter(slug=slug, locale=locale).exists():
                model.objects.create(
                    slug=slug, name=name, description=description, sort_order=order, locale=locale
                )
    for order, (code, name, native_name) in enumerate(LANGUAGES, start=1):
        Language.objects.get_or_create(
            code=code, defaults={"name": name, "native_name": native_name, "sort_order": order}
        )
