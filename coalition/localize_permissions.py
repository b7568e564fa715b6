"""Per-object permission checks for wagtail-localize's submit and update views.

Why: wagtail-localize 1.14.5 checks only the global ``submit_translation``
permission in ``SubmitTranslationView`` and ``UpdateTranslationsView``. Every
partner editor needs that permission to translate her own pages, so without this
module she could start translations of another partner's pages, sync them, and
with "Publish immediately" publish the targets without review or moderation.
The same held for snippets: she could translate the coalition's shared themes and
audiences into new languages, and the new rows appeared on the public site at once.

What: the same three views (submit a page, submit a snippet, update), served at the
same addresses (``coalition`` registers its admin URLs before ``wagtail_localize``,
so these patterns win), with two extra checks: the user must be able to edit the
source page (for a snippet: to add rows of its model, which a translation makes),
and may publish targets only where Wagtail would let her publish them.

When it can go: once wagtail-localize checks page and snippet permissions in these
views; no release does as of wagtail-localize 1.14.5, so the first release after
1.14.5 that says so in its changelog. The cells ``submit_translation``,
``sync_translation``, ``sync_and_publish``, ``submit_snippet_translation_*`` and
``sync_snippet_translation_*`` of ``tests/coalition/test_permission_matrix.py``
must then pass without it.
"""

from django.core.exceptions import PermissionDenied
from django.urls import path

from wagtail.models import Page
from wagtail.snippets.permissions import get_permission_name
from wagtail_localize.views.submit_translations import (
    SubmitPageTranslationView,
    SubmitSnippetTranslationView,
)
from wagtail_localize.views.update_translations import UpdateTranslationsView


def _can_edit_source(user, instance) -> bool:
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_edit()
    # A translation of a snippet is a new row of its model.
    return user.has_perm(get_permission_name("add", type(instance)))


class PagePermissionSubmitTranslationView(SubmitPageTranslationView):
    def get_object(self):
        page = super().get_object()
        if not _can_edit_source(self.request.user, page):
            raise PermissionDenied
        return page


class PermissionSubmitSnippetTranslationView(SubmitSnippetTranslationView):
    def get_object(self):
        snippet = super().get_object()
        if not _can_edit_source(self.request.user, snippet):
            raise PermissionDenied
        return snippet


class PagePermissionUpdateTranslationsView(UpdateTranslationsView):
    def get_object(self):
        source = super().get_object()
        instance = source.get_source_instance()
        if not _can_edit_source(self.request.user, instance):
            raise PermissionDenied
        return source

    def form_valid(self, form):
        if form.cleaned_data.get("publish_translations"):
            for translation in self.object.translations.filter(enabled=True):
                target = translation.get_target_instance()
                if (
                    isinstance(target, Page)
                    and not target.permissions_for_user(self.request.user).can_publish()
                ):
                    raise PermissionDenied
        return super().form_valid(form)


urlpatterns = [
    path(
        "localize/submit/page/<int:page_id>/",
        PagePermissionSubmitTranslationView.as_view(),
    ),
    path(
        "localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
        PermissionSubmitSnippetTranslationView.as_view(),
    ),
    path(
        "localize/update/<int:translation_source_id>/",
        PagePermissionUpdateTranslationsView.as_view(),
    ),
]
