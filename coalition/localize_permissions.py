"""Per-page permission checks for wagtail-localize's submit and update views.

Why: wagtail-localize 1.14 checks only the global ``submit_translation``
permission in ``SubmitTranslationView`` and ``UpdateTranslationsView``. Every
partner editor needs that permission to translate her own pages, so without this
module she could start translations of another partner's pages, sync them, and
with "Publish immediately" publish the targets without review or moderation.

What: the same two views, served at the same addresses (``coalition`` registers its
admin URLs before ``wagtail_localize``, so these patterns win), with two extra
checks: the user must be able to edit the source page, and may publish targets
only where Wagtail would let her publish them.

When it can go: once wagtail-localize checks page permissions in these views
(upstream issue "Submit/update translation views ignore page permissions"); the
tests in ``tests/coalition/test_localize_permissions.py`` then pass without it.
"""

from django.core.exceptions import PermissionDenied
from django.urls import path

from wagtail.models import Page
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView


def _can_edit_source(user, instance) -> bool:
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_edit()
    from wagtail.snippets.permissions import user_can_edit_snippet_type

    return user_can_edit_snippet_type(user, type(instance))


class PagePermissionSubmitTranslationView(SubmitPageTranslationView):
    def get_object(self):
        page = super().get_object()
        if not _can_edit_source(self.request.user, page):
            raise PermissionDenied
        return page


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
        "localize/update/<int:translation_source_id>/",
        PagePermissionUpdateTranslationsView.as_view(),
    ),
]
