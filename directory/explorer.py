"""The page explorer's menu links each page to the listing of its children,
even a service, which has none: an editor who clicked her service saw an empty
listing. A page that cannot have children opens in the editor instead, for
whoever may edit it; everyone else still gets Wagtail's listing.

Served before Wagtail's admin URLs (the project's ``urls.py``) at the same address.
Delete when Wagtail's explorer opens leaf pages in the editor itself.
"""

from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.cache import never_cache

from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page

listing = page_viewset_registry.as_view("index", parent_page_id_kwarg="parent_page_id")


def is_leaf(page: Page) -> bool:
    """A page without children whose type allows none."""
    page_class = page.specific_class
    return page.numchild == 0 and page_class is not None and not page_class.allowed_subpage_models()


@never_cache
@require_admin_access
def explore(request, parent_page_id: int):
    page = Page.objects.filter(pk=parent_page_id).first()
    if page is not None and is_leaf(page) and page.permissions_for_user(request.user).can_edit():
        return redirect("wagtailadmin_pages:edit", page.pk)
    return listing(request, parent_page_id=parent_page_id)


urlpatterns = [path("pages/<int:parent_page_id>/", explore)]
