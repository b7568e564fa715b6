import re

from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

# Embedding, override and isolate controls reorder what a reader sees, so a title
# can show one text and hold another ("Trojan Source"). The plain direction marks
# U+200E and U+200F do not reorder text and stay allowed.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class SafeTextMixin:
    """Refuses invisible direction controls in every text field, keeping the rest
    of what the editor typed."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if isinstance(value, str) and BIDI_CONTROLS.search(value):
                self.add_error(
                    name,
                    _(
                        "This text contains invisible characters that change the reading "
                        "direction (U+202A–U+202E or U+2066–U+2069). Remove them, for "
                        "example by typing the text again."
                    ),
                )
        return cleaned_data


class DirectoryPageForm(SafeTextMixin, WagtailAdminPageForm):
    pass


class DirectoryModelForm(SafeTextMixin, WagtailAdminModelForm):
    pass


class ServicePageForm(DirectoryPageForm):
    def clean(self):
        cleaned_data = super().clean()
        error = self.instance.service_area_error(
            cleaned_data.get("wijken"), cleaned_data.get("municipalities")
        )
        if error:
            self.add_error("wijken", error)
        return cleaned_data
