"""Permission checks that Wagtail's page admin leaves out (Wagtail 8.0.1).

Why: a partner's editor could read other partners' never-published titles and
where their pages stand in a workflow, through views that look a page up without
asking whether the user may edit it:

- ``pages/<id>/move/<destination>/confirm/`` renders for every page (the move
  itself is refused later, the page's title is shown first);
- ``pages/workflow/confirm_cancellation/<id>/`` shows the current workflow step;
- the bulk actions (``bulk/wagtailcore/page/<action>/?id=...``) list the titles
  of the pages the user has no permission for;
- the page chooser lists live pages restricted to a group (for example to
  moderators), and drafts (handled by ``construct_page_chooser_queryset`` in
  ``coalition.wagtail_hooks``, which this module extends to restricted pages);
- the page chooser (browse, search and "chosen" for several ids) shows every
  page by its latest draft title, so a live page showed another partner's
  unpublished new title, and "chosen" answered with the title of any page id.

What: the move confirmation is refused by a ``before_move_page`` hook; the other
views are served at their own addresses (``urlpatterns``, included in
``wijkwijzer.urls`` before Wagtail's admin) by wrappers that refuse a page the user
may not edit, or leave it out of a bulk action, before Wagtail's view runs. The
chooser's views are Wagtail's with title columns that show a live page's
published title to who may not edit it (``show_live_title``).

When it can go: when Wagtail's own views check these permissions; none does as of
Wagtail 8.0.1. The cells ``move_confirm_page``, ``cancel_workflow_confirmation``,
``bulk_publish_listing``, ``page_chooser_restricted`` and ``page_chooser_*_title*`` of
``tests/coalition/test_permission_matrix.py`` must then pass without this module.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import chooser
from wagtail.admin.views.bulk_action import index as bulk_action
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page

confirm_workflow_cancellation = page_viewset_registry.as_view(
    "confirm_workflow_cancellation", page_id_kwarg="page_id"
)


def can_edit(user, page: Page) -> bool:
    return page.permissions_for_user(user).can_edit()


@hooks.register("before_move_page")
def refuse_move_confirmation(request, page, destination):
    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


@require_admin_access
def confirm_cancellation(request, page_id):
    if not can_edit(request.user, get_object_or_404(Page, pk=page_id)):
        raise PermissionDenied
    return confirm_workflow_cancellation(request, page_id=page_id)


@require_admin_access
def page_bulk_action(request, action):
    """Pages the user may not edit are left out, as if they had not been chosen."""
    ids = request.GET.getlist("id")
    if "all" in ids:
        parent = request.GET.get("childOf")
        pages = (
            Page.objects.child_of(get_object_or_404(Page, pk=parent))
            if parent
            else Page.objects.none()
        )
    else:
        pages = Page.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    editable = [str(page.pk) for page in pages if can_edit(request.user, page)]
    if not editable:
        raise PermissionDenied
    query = request.GET.copy()
    query.setlist("id", editable)
    query.pop("childOf", None)
    request.GET = query
    return bulk_action(request, "wagtailcore", "page", action)


def show_live_title(page: Page, user) -> Page:
    """The admin shows a page by its draft title; a live page's stays with those
    who may edit it, the others see the title it was published with."""
    if page.live and page.draft_title != page.title and not can_edit(user, page):
        page.draft_title = page.title
    return page


class LiveTitleColumn(chooser.PageTitleColumn):
    def get_cell_context_data(self, instance, parent_context):
        # Before Wagtail reads the title: the other columns then show it too.
        show_live_title(instance, parent_context["request"].user)
        return super().get_cell_context_data(instance, parent_context)


class LiveParentTitleColumn(chooser.ParentPageColumn):
    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        show_live_title(context["value"], parent_context["request"].user)
        return context


LIVE_TITLE_COLUMNS = {
    chooser.PageTitleColumn: LiveTitleColumn,
    chooser.ParentPageColumn: LiveParentTitleColumn,
}


class LiveTitleColumnsMixin:
    @property
    def columns(self):
        # Wagtail builds the columns with their labels and widths; only their
        # class changes, so the chooser keeps up with Wagtail's columns.
        columns = super().columns
        for column in columns:
            column.__class__ = LIVE_TITLE_COLUMNS.get(type(column), type(column))
        return columns


class BrowseView(LiveTitleColumnsMixin, chooser.BrowseView):
    pass


class SearchView(LiveTitleColumnsMixin, chooser.SearchView):
    pass


class ChosenMultipleView(chooser.ChosenMultipleView):
    """Only pages the chooser would list, under the titles it shows."""

    def get(self, request):
        ids = [i for i in request.GET.getlist("id") if i.isdigit()]
        pages = Page.objects.filter(pk__in=ids)
        for hook in hooks.get_hooks("construct_page_chooser_queryset"):
            pages = hook(pages, request)
        result = [
            {
                "id": page.pk,
                "parentId": page.get_parent().pk,
                "adminTitle": show_live_title(page, request.user).get_admin_display_title(),
                "editUrl": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                "url": page.url,
            }
            for page in pages.specific()
        ]
        return self.render_chosen_response(result)


urlpatterns = [
    path("choose-page/", require_admin_access(BrowseView.as_view())),
    path("choose-page/<int:parent_page_id>/", require_admin_access(BrowseView.as_view())),
    path("choose-page/search/", require_admin_access(SearchView.as_view())),
    path("choose-page/chosen-multiple/", require_admin_access(ChosenMultipleView.as_view())),
    path("pages/workflow/confirm_cancellation/<int:page_id>/", confirm_cancellation),
    path("bulk/wagtailcore/page/<str:action>/", page_bulk_action),
]
