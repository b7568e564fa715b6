from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from ..fields import phone_field
from ..validators import validate_cbs_municipality_code, validate_iso_639


class Municipality(index.Indexed, models.Model):
    """A Dutch municipality (gemeente) by its CBS code; wijken belong to one."""

    name = models.CharField(_("name"), max_length=100)
    cbs_code = models.CharField(
        _("CBS municipality code"),
        max_length=6,
        unique=True,
        validators=[validate_cbs_municipality_code],
        help_text=_("GM followed by 4 digits, for example GM0344"),
    )
    # Shown to residents whose search found nothing, beside the national
    # helplines: the municipality is where anyone can ask anything.
    phone = phone_field(_("general phone number"))

    panels = [FieldPanel("name"), FieldPanel("cbs_code"), FieldPanel("phone")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    @property
    def number(self) -> str:
        """The 4 digits that CBS wijk codes of this municipality start with."""
        return self.cbs_code[2:]


class Language(models.Model):
    """A language a service can be used in, by its ISO 639 code."""

    code = models.CharField(
        _("ISO 639 code"),
        max_length=3,
        unique=True,
        validators=[validate_iso_639],
        help_text=_("2 letters where ISO 639-1 has them (nl, ar), otherwise 3 (prs for Dari)"),
    )
    name = models.CharField(_("name in Dutch"), max_length=60)
    native_name = models.CharField(_("name in the language itself"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("native_name"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        if self.native_name and self.native_name != self.name:
            return f"{self.name} ({self.native_name})"
        return self.name
