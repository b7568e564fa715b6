from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def translation_status_urls():
    urls = [
        path("", views.TranslationStatusView.as_view(), name="report"),
        path("<int:page_id>/reviewed/", views.mark_reviewed, name="mark_reviewed"),
    ]
    return [
        path(
            "translation-status/",
            include((urls, "translation_status"), namespace="translation_status"),
        )
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_see_report(request.user)


@hooks.register("register_reports_menu_item")
def translation_status_menu_item():
    return ReportMenuItem(
        _("Translation status"),
        reverse("translation_status:report"),
        icon_name="globe",
        order=52,
    )


@hooks.register("register_log_actions")
def register_reviewed(actions):
    actions.register_action(
        views.REVIEWED, _("Mark translation reviewed"), _("Translation marked as reviewed")
    )
