"""The rich text editor's widget and form field, tolerant of a body that is not
the editor's format.

Draftail posts its content as JSON. A request that posts anything else (an old
browser form, a script, pasted HTML) made Wagtail's widget raise a server error. Here
text that is not JSON is kept, escaped, as plain paragraphs: nothing the editor sent
is lost and no markup from it is trusted. JSON that is not the editor's format
(``{"blocks": "nope"}``) cannot be read at all, so the field says so.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from wagtail.admin.rich_text import DraftailRichTextArea


class DraftailRichTextArea(DraftailRichTextArea):
    # Set by value_from_datadict for the form field to report; each form has its
    # own copy of its widgets.
    unreadable = False

    def value_from_datadict(self, data, files, name):
        self.unreadable = False
        source = data.get(name)
        if source:
            try:
                json.loads(source)
            except ValueError:
                paragraphs = [p.strip() for p in source.split("\n\n") if p.strip()]
                return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            try:
                return super().value_from_datadict(data, files, name)
            except (AttributeError, IndexError, KeyError, TypeError, ValueError):
                self.unreadable = True
                return ""
        if source == "":
            # An empty box posted as "" rather than as Draftail's empty
            # document: no text. Wagtail's widget parsed "" as JSON (a 500).
            return ""
        return super().value_from_datadict(data, files, name)


class RichTextFormField(forms.CharField):
    """The form field of every ``RichTextField`` in the admin (registered in
    ``directory.wagtail_hooks``)."""

    def validate(self, value):
        if getattr(self.widget, "unreadable", False):
            raise ValidationError(
                _(
                    "This text could not be read: it was not sent by the text editor. "
                    "Type or paste the text into the editor again."
                ),
                code="rich_text_format",
            )
        super().validate(value)
