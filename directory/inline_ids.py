"""An inline row posted with an id that is missing or no number is a form error
on that row, not a server error.

Why: django-modelcluster 6.5's ``BaseTransientModelFormSet._construct_form``
(the formsets of a page's inline panels: a service's locations, opening hours
and exceptions) reads ``data["<prefix>-<n>-id"]`` without a default and converts
it without catching ``ValidationError``. Django's own model formsets handle both
("the user may have tampered with POST data"). An edit posted with
``opening_hours-0-id=-3.2e+16``, or without the field, answered 500. Found by the
fuzz suite (tests/fuzz/).

What: a missing id is read as an empty one (a new row, as modelcluster already
treats ``""``); an id that is no number leaves the row without an instance, as
Django does, so the row's id field refuses it with "Select a valid choice".

When it can go: once modelcluster's ``_construct_form`` handles a missing or
malformed id (not as of 6.5); ``tests/fuzz/test_found_bugs.py`` then passes
without it.
"""

from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet

from modelcluster.forms import BaseTransientModelFormSet

_upstream_construct_form = BaseTransientModelFormSet._construct_form


def _construct_form(self, i, **kwargs):
    if self.is_bound and i < self.initial_form_count():
        pk_field = self.model._meta.pk
        value = self.data.get(f"{self.add_prefix(i)}-{pk_field.name}", "")
        if value == "":
            return BaseFormSet._construct_form(self, i, instance=self.model(), **kwargs)
        try:
            self._get_to_python(pk_field)(value)
        except ValidationError:
            return BaseFormSet._construct_form(self, i, **kwargs)
    return _upstream_construct_form(self, i, **kwargs)


def install():
    BaseTransientModelFormSet._construct_form = _construct_form
