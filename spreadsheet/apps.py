from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetConfig(AppConfig):
    """A partner's services as a spreadsheet: download, fill in, upload,
    preview and submit to the partner's workflow, in the admin."""

    name = "spreadsheet"
    verbose_name = _("Spreadsheet import")
