from django.db import models
from django.utils.translation import gettext_lazy as _


def label(choices: type[models.Choices], value) -> str:
    """What Django's ``get_FOO_display`` gives (the label of ``value`` in the
    active language, or ``value`` itself when it is none of ``choices``),
    found directly. Django builds the field's choices again on each call and
    translates every label to hash it: 15-43 µs, once per card or partner a
    listing shows."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class PartnerType(models.TextChoices):
    MUNICIPALITY = "gemeente", _("Municipality")
    HOUSING = "woningcorporatie", _("Housing corporation")
    POLICE = "politie", _("Police")
    EDUCATION = "onderwijs", _("Education")
    WELFARE = "welzijn", _("Welfare and social work")
    CARE = "zorg", _("Care, including mental health care")
    REFUGEE_WORK = "vluchtelingenwerk", _("Refugee support")
    BUSINESS = "ondernemer", _("Business")
    RESIDENTS = "bewonersorganisatie", _("Residents' organisation")
    VOLUNTEERS = "vrijwilligersorganisatie", _("Volunteer organisation")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    CONTRIBUTION = "contribution", _("Small contribution")
    PAID = "paid", _("Paid")


class Access(models.TextChoices):
    WALK_IN = "walk_in", _("Walk in, no appointment needed")
    APPOINTMENT = "appointment", _("By appointment")
    REFERRAL = "referral", _("Referral needed")


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")

    @property
    def schema_org(self) -> str:
        return f"https://schema.org/{self.name.capitalize()}"


class ChannelKind(models.TextChoices):
    """The ways a resident can reach a service (``ServiceChannel``). The values
    are the search filter's (``?channel=phone``) and the open data's
    (``x_channels``): never change them."""

    DESK = "desk", _("Desk at a location")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("E-mail")
    VIDEO = "video", _("Video call")
    INTERPRETER = "interpreter", _("Interpreter on request")
