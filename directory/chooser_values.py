"""A chooser shown again with an id that is not a number shows an empty chooser
instead of a server error.

Why: Wagtail 8.0.1's ``BaseChooser.get_instance`` looks the posted value up with
``objects.get(pk=value)`` and catches only ``DoesNotExist``. A form that is
refused and shown again renders its choosers with what was posted, so a partner
editor's contact person posted with ``partner=0x10`` (or a partner page with
``logo=abc``) raised ``ValueError`` while rendering the error page: a 500 instead
of the form's own "Select a valid choice" on the field. Found by the fuzz suite
(tests/fuzz/).

What: a value that cannot be an id of the chooser's model counts as no choice,
as a missing one already does. The form field still refuses it.

When it can go: once ``BaseChooser.get_instance`` treats a malformed id like a
missing one (not as of 8.0.1); ``tests/fuzz/test_found_bugs.py`` then passes
without it.
"""

from django.core.exceptions import ValidationError

from wagtail.admin.widgets.chooser import BaseChooser

_upstream_get_instance = BaseChooser.get_instance


def get_instance(self, value):
    try:
        return _upstream_get_instance(self, value)
    except (TypeError, ValueError, ValidationError):
        return None


def install():
    BaseChooser.get_instance = get_instance
