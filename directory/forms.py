import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

# Embedding, override and isolate controls reorder what a reader sees, so a title
# can show one text and hold another ("Trojan Source"). The plain direction marks
# U+200E and U+200F do not reorder text and stay allowed.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def refuse_direction_controls(form) -> None:
    """Adds an error to each text field of ``form`` and of its inline forms (a
    service's locations and opening-hours exceptions) that holds a direction control."""
    for name, value in list(getattr(form, "cleaned_data", {}).items()):
        if isinstance(value, str) and BIDI_CONTROLS.search(value):
            form.add_error(
                name,
                _(
                    "This text contains invisible characters that change the reading "
                    "direction (U+202A–U+202E or U+2066–U+2069). Remove them, for "
                    "example by typing the text again."
                ),
            )
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            # Cleans the inline form now; its formset reuses these errors.
            child.errors  # noqa: B018
            refuse_direction_controls(child)


class SafeTextMixin:
    """Refuses invisible direction controls in every text field, keeping the rest
    of what the editor typed."""

    def clean(self):
        cleaned_data = super().clean()
        refuse_direction_controls(self)
        return cleaned_data


class DirectoryPageForm(SafeTextMixin, WagtailAdminPageForm):
    def clean_slug(self):
        # Page.slug allows unicode, and Wagtail's form leaves that to the
        # browser's slug input, so a posted unicode slug was kept.
        slug = self.cleaned_data.get("slug", "")
        if not settings.WAGTAIL_ALLOW_UNICODE_SLUGS and not slug.isascii():
            raise ValidationError(
                _(
                    "Use only letters a-z without accents, digits and hyphens in the "
                    "address, for example taalcafe-overvecht."
                ),
                code="slug_ascii",
            )
        return slug


class DirectoryModelForm(SafeTextMixin, WagtailAdminModelForm):
    pass


class ServicePageForm(DirectoryPageForm):
    # Tagged with terms of the page's own language (TaxonomyTerm.choices_for).
    TERM_FIELDS = ("themes", "audiences")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = self.instance.locale
        for name in self.TERM_FIELDS:
            field = self.fields[name]
            model = field.queryset.model
            field.queryset = model.choices_for(locale)
            field.error_messages["invalid_choice"] = _(
                "Choose only from the boxes shown: they hold the terms in this page's language."
            )
            if not self.is_bound and self.initial.get(name):
                # A translation may still hold its source's terms: tick them
                # as the same terms in this page's language.
                self.initial[name] = model.in_locale(self.initial[name], locale)
        self.offer_locations()

    def offer_locations(self) -> None:
        """A channel's location is chosen among the page's saved locations,
        by the hsds_id they keep through revisions and translations."""
        from django import forms

        formset = self.formsets.get("channels")
        if formset is None:
            return
        choices = [("", _("At the service's location"))]
        if self.instance.pk:
            choices += [(str(row.hsds_id), str(row)) for row in self.instance.locations.all()]
        base = formset.form

        class ChannelForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields["location_key"]
                self.fields["location_key"] = forms.TypedChoiceField(
                    label=field.label,
                    help_text=field.help_text,
                    required=False,
                    choices=choices,
                    coerce=str,
                    empty_value=None,
                )

        ChannelForm.__name__ = base.__name__
        # The forms are built on first use, from this class.
        formset.form = ChannelForm
        formset.__dict__.pop("forms", None)

    def clean(self):
        cleaned_data = super().clean()
        error = self.instance.service_area_error(
            cleaned_data.get("wijken"), cleaned_data.get("municipalities")
        )
        if error:
            self.add_error("wijken", error)
        return cleaned_data
