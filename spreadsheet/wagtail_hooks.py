from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
