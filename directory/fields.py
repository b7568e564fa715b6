from django.db import models
from django.utils.translation import gettext_lazy as _

from phonenumber_field.modelfields import PhoneNumberField

from .validators import (
    normalise_postcode,
    validate_latitude,
    validate_longitude,
    validate_postcode,
    validate_public_email,
    validate_public_url,
)


class PostcodeField(models.CharField):
    """A Dutch postcode, stored as ``1234 AB`` however the editor typed it."""

    default_validators = [validate_postcode]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_postcode(value) if value else value


class PublicURLField(models.URLField):
    default_validators = [*models.URLField.default_validators, validate_public_url]


class PublicEmailField(models.EmailField):
    default_validators = [*models.EmailField.default_validators, validate_public_email]


def latitude_field(**kwargs):
    return models.FloatField(
        _("latitude"), validators=[validate_latitude], help_text=_("For example 52.0907"), **kwargs
    )


def longitude_field(**kwargs):
    return models.FloatField(
        _("longitude"), validators=[validate_longitude], help_text=_("For example 5.1214"), **kwargs
    )


class PhoneField(PhoneNumberField):
    """A phone number that keeps its country wherever it is written down.

    Wagtail writes drafts and revisions through ``value_to_string``, which is
    ``str()`` of the number: the national format, without the country. Published
    again, ``+49 30 12345678`` came back as the Dutch ``030 12345678``, invalid,
    and publishing failed. Revisions get the same E.164 as the database column.
    """

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj)) or ""


def phone_field(verbose_name, **kwargs):
    return PhoneField(
        verbose_name,
        blank=True,
        help_text=_("A Dutch number such as 030 123 4567, or international with +"),
        **kwargs,
    )
