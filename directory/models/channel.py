"""The ways to reach a service, each with the languages spoken on it.

A service's languages and its phone or WhatsApp number are separate fields,
so "Arabic by WhatsApp, Tigrinya at the desk on Tuesdays" could not be said.
A channel says it: its kind, its number or address, the languages spoken on
it and, where they differ from the service's, a note on its hours.

The hours are a short note ("di 9-12"), not weekly rows: the structured
hours belong to the service and its locations (OpeningHours), and a desk's
hours are its location's. The note stays Dutch in every translation, like a
location's name and an exception's reason (the rows below a page are copied,
not translated, by wagtail-localize); the page marks it ``lang="nl"``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from phonenumber_field.phonenumber import to_python

from ..choices import ChannelKind
from ..validators import validate_public_email, validate_public_url
from .identity import HSDSIdentified

# The kinds whose value is a phone number, an e-mail address, a web address;
# the others (a desk, an interpreter) have no value of their own.
NUMBER_KINDS = {ChannelKind.PHONE, ChannelKind.WHATSAPP}
VALUE_KINDS = {*NUMBER_KINDS, ChannelKind.EMAIL, ChannelKind.VIDEO}


def channel_value_error(kind: str, value: str) -> tuple[str, str | None]:
    """The value as stored (a phone number in E.164) and the error for it,
    or None, by the rules of the service's own phone, e-mail and website
    fields."""
    value = (value or "").strip()
    if kind not in VALUE_KINDS:
        if value:
            return value, _(
                "A desk or an interpreter has no number or address of its own: leave this empty."
            )
        return value, None
    if not value:
        return value, _("Give the phone number, e-mail address or web address of this way.")
    if kind in NUMBER_KINDS:
        number = to_python(value, region=settings.PHONENUMBER_DEFAULT_REGION)
        if number is None or not number.is_valid():
            return value, _(
                "Enter a phone number: a Dutch number such as 030 123 4567, "
                "or international with +, such as +32 2 555 12 12."
            )
        return number.as_e164, None
    try:
        if kind == ChannelKind.EMAIL:
            validate_email(value)
            validate_public_email(value)
        else:
            # Ours first: it says what is wrong in plain words.
            validate_public_url(value)
            URLValidator(schemes=["http", "https"])(value)
    except ValidationError as error:
        return value, error.messages[0]
    return value, None


# A ClusterableModel: its languages are held in memory with the page's
# revisions and its form, as the page's own many-to-many fields are.
class ServiceChannel(HSDSIdentified, Orderable, ClusterableModel):
    """One way to reach a service (a desk, a phone line, WhatsApp...) and
    the languages residents can use on it."""

    page = ParentalKey("directory.ServicePage", on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("way to reach us"), max_length=20, choices=ChannelKind.choices)
    value = models.CharField(
        _("number or address"),
        max_length=254,
        blank=True,
        help_text=_(
            "Phone and WhatsApp: a number such as 030 123 4567. E-mail: an address. "
            "Video call: the https:// link. Leave empty for a desk or an interpreter."
        ),
    )
    # The location's hsds_id: kept by the location through revisions and
    # translations (identity.py), where its database id is not.
    location_key = models.UUIDField(
        _("location"),
        null=True,
        blank=True,
        help_text=_(
            "For a desk: where it is. Only locations saved on this page can be chosen; "
            "empty means at the service's location."
        ),
    )
    languages = ParentalManyToManyField(
        "directory.Language",
        related_name="channels",
        verbose_name=_("languages spoken"),
        help_text=_("The languages residents can use on this way to reach the service."),
    )
    hours_note = models.CharField(
        _("own hours"),
        max_length=80,
        blank=True,
        help_text=_(
            "Only when they differ from the service's opening hours, for example: di 9-12."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("value")]),
        FieldPanel("location_key"),
        # Boxes to tick: a multiple select loses the choice with one click without Ctrl.
        FieldPanel("languages", widget=forms.CheckboxSelectMultiple),
        FieldPanel("hours_note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("way to reach us")
        verbose_name_plural = _("ways to reach us")

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}".strip()

    def clean(self):
        super().clean()
        self.value, error = channel_value_error(self.kind, self.value)
        errors = {"value": [error]} if error else {}
        if self.location_key and self.kind != ChannelKind.DESK:
            errors["location_key"] = [_("Only a desk is at a location; leave this empty.")]
        if errors:
            raise ValidationError(errors)

    def location(self):
        """The page's location this desk is at, or None (read from the
        page's locations, so prefetched ones cost no query)."""
        if not self.location_key:
            return None
        key = str(self.location_key)
        return next((row for row in self.page.locations.all() if str(row.hsds_id) == key), None)
