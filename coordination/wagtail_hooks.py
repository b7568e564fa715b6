from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from coalition.roles import is_moderator

from . import views


@hooks.register("register_admin_urls")
def coordination_urls():
    urls = [
        path("", views.overview_view, name="overview"),
        path("scorecard.csv", views.scorecard_csv, name="scorecard_csv"),
        path("gaps.csv", views.gaps_csv, name="gaps_csv"),
    ]
    return [path("coalition-overview/", include((urls, "coordination"), namespace="coordination"))]


class OverviewMenuItem(MenuItem):
    def is_shown(self, request):
        return is_moderator(request.user)


@hooks.register("register_reports_menu_item")
def overview_menu_item():
    return OverviewMenuItem(
        _("Coalition overview"),
        reverse("coordination:overview"),
        icon_name="table",
        order=49,
    )
