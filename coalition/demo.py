"""The demo coalition: every demo partner onboarded, with fictional contact persons.

Names are made up; e-mail addresses use the reserved ``.example`` domain. Phone
numbers are fictional 030 799 numbers that no listed service, partner or
municipality uses: a contact person's direct line must never look like a
public helpline, or a visitor calling one would reach a professional's desk.

Only the demo's own partners (named "(voorbeeld)", listed in the demo file) get
contact persons; a partner that is not in the demo is never touched.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import transaction

from directory.demo.loader import DEMO_MARK, DemoDataError
from directory.models import Municipality, PartnerPage, ServicePage, WijkPage

from .models import ContactPerson
from .onboarding import onboard_partner

# Partners the demo lets publish without moderation: the municipality's own teams.
PUBLISH_DIRECTLY = {"gemeente-werk-en-inkomen", "gemeente-team-inburgering"}

ROLES = {
    "gemeente": "Klantmanager",
    "woningcorporatie": "Wijkconsulent",
    "politie": "Wijkagent",
    "onderwijs": "Coördinator",
    "welzijn": "Buurtwerker",
    "zorg": "Verpleegkundige",
    "vluchtelingenwerk": "Maatschappelijk begeleider",
    "ondernemer": "Contactpersoon",
    "bewonersorganisatie": "Voorzitter",
    "vrijwilligersorganisatie": "Coördinator vrijwilligers",
}
GIVEN = ["Anouk", "Said", "Marieke", "Yusuf", "Fleur", "Daan", "Samira", "Bram", "Leyla", "Joost"]
FAMILY = [
    "de Vries (voorbeeld)",
    "El Amrani (voorbeeld)",
    "Bakker (voorbeeld)",
    "Yilmaz (voorbeeld)",
]


# Demo partners' numbers: "030 799 1040" onwards; contact persons' from here on.
FIRST_CONTACT_NUMBER = 5000


def listed_numbers() -> set[str]:
    """Every phone and WhatsApp number the public site shows (E.164)."""
    numbers = set()
    for model, fields in (
        (ServicePage, ("phone", "whatsapp")),
        (PartnerPage, ("phone",)),
        (Municipality, ("phone",)),
    ):
        for row in model.objects.values_list(*fields):
            numbers.update(str(n) for n in row if n)
    return numbers


def contact_numbers() -> Iterator[str]:
    taken = listed_numbers()
    for n in range(FIRST_CONTACT_NUMBER, 10_000):
        number = f"+3130799{n:04d}"
        if number not in taken:
            yield number


@transaction.atomic
def load_demo_coalition(slugs: Iterable[str]) -> dict[str, int]:
    """Onboard the demo partners with these slugs and give each two contact persons."""
    partners = PartnerPage.objects.filter(
        locale__language_code=settings.LANGUAGE_CODE, slug__in=list(slugs)
    ).order_by("path")
    not_demo = [p.slug for p in partners if DEMO_MARK not in p.title]
    if not_demo:
        raise DemoDataError(f"Not demo partners: {', '.join(not_demo)}")
    numbers = contact_numbers()
    people = 0
    for number, partner in enumerate(partners):
        onboard_partner(partner=partner, may_publish_directly=partner.slug in PUBLISH_DIRECTLY)
        wijken = list(partner.wijken.all()) or list(WijkPage.objects.filter(locale=partner.locale))
        domain = (partner.email or "info@partner.voorbeeld.example").split("@", 1)[1]
        for seat in range(2):
            given = GIVEN[(number + seat * 3) % len(GIVEN)]
            family = FAMILY[(number + seat) % len(FAMILY)]
            person, _created = ContactPerson.objects.update_or_create(
                partner=partner,
                name=f"{given} {family}",
                defaults={
                    "role": ROLES.get(partner.partner_type, "Contactpersoon"),
                    "phone": next(numbers),
                    "email": f"{given.lower()}@{domain}",
                    "availability": "ma–do 9.00–17.00" if seat == 0 else "di en vr 9.00–13.00",
                    "note": "Bel liever dan mailen bij spoed." if seat == 0 else "",
                },
            )
            # The first covers every wijk of the partner; the second one wijk.
            person.wijken.set([] if seat == 0 else wijken[:1])
            people += 1
    return {"partners": partners.count(), "contact_persons": people}


# One account per role, for trying the site locally; only ``ensure_admin`` makes them.
# Both partners have services nobody checked for six months, so the freshness
# digest has something to send.
DEMO_USERS = [
    ("moderator", "coalition moderator", None, False),
    ("professional", "professional (public site: /nl/inloggen/)", None, False),
    ("redactie-inburgering", "editor of Team Inburgering", "gemeente-team-inburgering", False),
    ("publicatie-inburgering", "publisher of Team Inburgering", "gemeente-team-inburgering", True),
    (
        "redactie-politie-noord",
        "editor of Politie Utrecht-Noord",
        "politie-basisteam-utrecht-noord",
        False,
    ),
]


def ensure_demo_users(password: str) -> list[tuple[str, str]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from . import roles
    from .models import PartnerAccess

    made = []
    for username, label, partner_slug, publisher in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@wijkwijzer.localhost"}
        )
        if created:
            user.set_password(password)
            user.save()
        if username == "moderator":
            user.groups.add(Group.objects.get(name=roles.MODERATORS))
        elif username == "professional":
            user.groups.add(Group.objects.get(name=roles.PROFESSIONALS))
        else:
            access = PartnerAccess.objects.filter(partner__slug=partner_slug).first()
            if access is None:
                continue
            user.groups.add(access.publishers if publisher else access.editors)
        made.append((username, label))
    return made
