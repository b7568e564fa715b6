from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def hsds_admin_urls():
    return [path("hsds/export.zip", admin_views.export_zip, name="hsds_export")]


class ExportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_export(request.user)


@hooks.register("register_reports_menu_item")
def export_menu_item():
    return ExportMenuItem(
        _("Open data export (HSDS, zip)"),
        reverse("hsds_export"),
        icon_name="download",
        order=60,
    )
