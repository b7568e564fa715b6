"""Purge the cached pages that show what changed, as soon as it changed.

Pages: a save that changes the live page (publish, unpublish, a save by the
demo loader or an import; not a draft's revision), a move and a delete purge
the addresses that showed the page before and show it after
(``shown_on.showing``). Services changed elsewhere (``directory.changes``)
purge theirs. A change to what every page may show (a theme's name, a
municipality, a locale, a view restriction, the site) purges everything:
that also replaces the site's token, under which each process keeps what
every page shows (directory/per_request.py). The theme pages, which the
search lists, go again once the search engine's index has a change.

Each purge runs at once and again when the transaction commits: a visitor
whose page was rendered from the old data in between cannot keep it in the
cache (see store.py).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from wagtail.models import Locale, Page, PageViewRestriction, Site
from wagtail.signals import post_page_move, pre_page_move

from directory import changes
from directory.models import Audience, Language, Municipality, PartnerPage, ServicePage, Theme
from search.signals import index_updated

from . import shown_on, store

# Saves that touch only these fields store a draft revision or a lock: the
# live page is unchanged.
BOOKKEEPING = {
    "draft_title",
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "locked",
    "locked_at",
    "locked_by",
}
EVERYWHERE = (Theme, Audience, Language, Municipality, Locale, PageViewRestriction, Site)


def purge(paths) -> None:
    """Purge ``paths`` (``shown_on.EVERYTHING``: every page) now and after the commit."""

    def run():
        if paths is shown_on.EVERYTHING:
            store.purge_all()
        else:
            store.purge_paths(paths)

    run()
    if connection.in_atomic_block:
        transaction.on_commit(run)


def _specific(instance) -> bool:
    """A page as its own type: deleting a page also sends the signals for its
    base ``Page`` row, which the specific one already covers."""
    return isinstance(instance, Page) and type(instance) is instance.specific_class


def _changes_live_page(update_fields) -> bool:
    return update_fields is None or not set(update_fields) <= BOOKKEEPING


def _showing(page) -> set[str] | None:
    return shown_on.showing(type(page), [page.pk])


def _union(*found):
    if any(paths is shown_on.EVERYTHING for paths in found):
        return shown_on.EVERYTHING
    return set().union(*found)


def page_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _specific(instance) or instance.pk is None:
        return
    if not _changes_live_page(update_fields):
        return
    was_live = Page.objects.filter(pk=instance.pk, live=True).exists()
    instance._page_cache_before = _showing(instance) if was_live else set()
    instance._page_cache_was_live = was_live


def page_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or not _specific(instance) or not _changes_live_page(update_fields):
        return
    before = getattr(instance, "_page_cache_before", set())
    was_live = getattr(instance, "_page_cache_was_live", False)
    instance._page_cache_before, instance._page_cache_was_live = set(), False
    if instance.live or was_live:
        purge(_union(before, _showing(instance)))


def page_deleting(sender, instance, **kwargs):
    if _specific(instance):
        purge(_showing(instance))


# Per moved page: what showed its subtree before the move.
_before_move: dict[int, set[str] | None] = {}


def _subtree(page) -> set[str] | None:
    page = page.specific
    if isinstance(page, PartnerPage | ServicePage) or not page.get_children().exists():
        return _showing(page)
    return shown_on.EVERYTHING


def page_moving(sender, instance, **kwargs):
    _before_move[instance.pk] = _subtree(instance)


def page_moved(sender, instance, **kwargs):
    purge(_union(_before_move.pop(instance.pk, set()), _subtree(instance)))


def services_changed(sender, ids, **kwargs):
    purge(shown_on.in_every_language(shown_on.services(ids)))


def search_index_updated(sender, page_ids, **kwargs):
    """The engine has a change that the publish purged for already: a theme
    page rendered in between, from the index as it was, goes too. Every
    theme's, since a theme the change removed is no longer in the database."""
    purge(shown_on.in_every_language(shown_on.theme_listings()))


def everything_changed(sender, **kwargs):
    if not kwargs.get("raw"):
        purge(shown_on.EVERYTHING)


def logo_changed(sender, instance, raw=False, **kwargs):
    """A replaced image file gets new renditions; the partners showing it as
    their logo link the old ones."""
    ids = PartnerPage.objects.filter(logo=instance).values_list("pk", flat=True)
    if not raw and (ids := list(ids)):
        purge(shown_on.showing(PartnerPage, ids))


def review_changed(sender, instance, **kwargs):
    """A translation's review decides the notice on a machine-translated service."""
    pages = Page.objects.filter(translation_key=instance.translation_key)
    purge(shown_on.in_every_language(shown_on._url_paths(pages)))


def connect():
    from wagtail.images import get_image_model
    from wagtail.models import get_page_models

    from translation_status.models import TranslationReview

    pre_save.connect(page_saving, dispatch_uid="page_cache_page_saving")
    post_save.connect(page_saved, dispatch_uid="page_cache_page_saved")
    # Per page type, never for every model: a delete receiver for any sender
    # stops Django deleting related rows in bulk (``can_fast_delete``), and the
    # through rows of a deleted service would then send signals of their own
    # halfway through the delete.
    for model in get_page_models():
        pre_delete.connect(
            page_deleting, sender=model, dispatch_uid=f"page_cache_deleting_{model.__name__}"
        )
    pre_page_move.connect(page_moving, dispatch_uid="page_cache_page_moving")
    post_page_move.connect(page_moved, dispatch_uid="page_cache_page_moved")
    changes.services_changed.connect(services_changed, dispatch_uid="page_cache_services")
    index_updated.connect(search_index_updated, dispatch_uid="page_cache_search_index")
    for model in EVERYWHERE:
        for signal in (post_save, post_delete):
            signal.connect(
                everything_changed,
                sender=model,
                dispatch_uid=f"page_cache_{model.__name__}_{signal is post_save}",
            )
    post_save.connect(logo_changed, sender=get_image_model(), dispatch_uid="page_cache_logo")
    for signal in (post_save, post_delete):
        signal.connect(
            review_changed,
            sender=TranslationReview,
            dispatch_uid=f"page_cache_review_{signal is post_save}",
        )
