"""The demo coalition: every demo partner onboarded, with fictional contact persons.

Names are made up; phone numbers follow the demo partners' own fictional 030 799
numbers and e-mail addresses use the reserved ``.example`` domain.
"""

from django.conf import settings
from django.db import transaction

from directory.models import PartnerPage, WijkPage

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


@transaction.atomic
def load_demo_coalition() -> dict[str, int]:
    partners = PartnerPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by(
        "path"
    )
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
                    "phone": f"+3130799{2000 + number * 10 + seat:04d}",
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
