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
  ``coalition.wagtail_hooks``, which this module extends to restricted pages).

What: the move confirmation is refused by a ``before_move_page`` hook; the two
other views are served at their own addresses (``urlpatterns``, included in
``wijkwijzer.urls`` before Wagtail's admin) by wrappers that refuse a page the user
may not edit, or leave it out of a bulk action, before Wagtail's view runs.

When it can go: when Wagtail's own views check these permissions; none does as of
Wagtail 8.0.1. The cells ``move_confirm_page``, ``cancel_workflow_confirmation``,
``bulk_publish_listing`` and ``page_chooser_restricted`` of
``tests/coalition/test_permission_matrix.py`` must then pass without this module.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path

from wagtail import hooks
from wagtail.admin.auth import require_admin_access
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


urlpatterns = [
    path("pages/workflow/confirm_cancellation/<int:page_id>/", confirm_cancellation),
    path("bulk/wagtailcore/page/<str:action>/", page_bulk_action),
]
