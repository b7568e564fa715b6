from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from coalition.permissions import editable_partners
from directory.models import PartnerPage

from . import views


@hooks.register("register_admin_urls")
def spreadsheet_urls():
    urls = [
        path("", views.index, name="index"),
        path("<int:partner_id>/template.xlsx", views.template, name="template"),
        path("<int:partner_id>/upload/", views.upload, name="upload"),
        path("<int:partner_id>/preview/", views.preview, name="preview"),
    ]
    return [path("spreadsheet/", include((urls, "spreadsheet"), namespace="spreadsheet"))]


class SpreadsheetMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_use(request.user)


@hooks.register("register_admin_menu_item")
def spreadsheet_menu_item():
    return SpreadsheetMenuItem(
        _("Spreadsheet import"), reverse("spreadsheet:index"), icon_name="table", order=250
    )


@hooks.register("register_page_header_buttons")
def spreadsheet_button(page, user, view_name, next_url=None):
    """On a partner page (in any language), its spreadsheet, for who may use it."""
    if not isinstance(page.specific_deferred, PartnerPage):
        return
    partner = editable_partners(user).filter(translation_key=page.translation_key).first()
    if partner is not None:
        yield Button(
            _("Spreadsheet"),
            reverse("spreadsheet:upload", args=[partner.pk]),
            icon_name="table",
            priority=14,
        )
