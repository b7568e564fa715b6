"""Queue search index updates when services (or the partners above them) change.

Only a queue row is written during the editor's request; the engine is
contacted by the ``sync_search_index`` background task after the commit, so a
slow or absent engine never makes publishing fail or wait on it.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import Signal

from wagtail.signals import page_published, page_unpublished, post_page_move

from directory.models import PartnerPage, ServicePage

logger = logging.getLogger(__name__)

# Sent with ``page_ids`` once the engine's index has their changes and
# searches see them (None: every page, after ``search_rebuild``): pages
# listed from the search, cached from the index as it was, can go now.
index_updated = Signal()


def _affected_service_ids(page) -> list[int]:
    page = page.specific
    if isinstance(page, ServicePage):
        # Every language version: a Dutch page's entry lists its translations.
        return list(
            ServicePage.objects.filter(translation_key=page.translation_key).values_list(
                "pk", flat=True
            )
        )
    if isinstance(page, PartnerPage):
        # The partner's name and type are part of each of its services' entries.
        return list(ServicePage.objects.descendant_of(page).values_list("pk", flat=True))
    return []


def queue(page_ids) -> None:
    from .models import IndexChange
    from .tasks import sync_search_index

    if not settings.SEARCH_ENGINE["URL"] or not page_ids:
        return
    IndexChange.objects.bulk_create([IndexChange(page_id=pk) for pk in page_ids])
    transaction.on_commit(_enqueue_sync(sync_search_index))


def _enqueue_sync(task):
    def enqueue():
        try:
            task.enqueue()
        except Exception:
            # The rows stay queued; `manage.py search_sync` or the next change sends them.
            logger.exception("Could not start the search index task")

    return enqueue


def page_changed(sender, instance, **kwargs):
    queue(_affected_service_ids(instance))


def page_moved(sender, instance, **kwargs):
    queue(_affected_service_ids(instance))


def service_deleted(sender, instance, **kwargs):
    queue([instance.pk])


def facet_values_changed(sender, ids, **kwargs):
    # A term or wijk got another code or was deleted, or a wijk came to or
    # left a municipality: the documents spell out those values, and list for
    # a service of a whole municipality each of its wijken.
    queue(ids)


def connect():
    from directory.changes import facet_values_changed as facet_signal

    facet_signal.connect(facet_values_changed, dispatch_uid="search_index_facet_values_changed")
    page_published.connect(page_changed, dispatch_uid="search_index_page_published")
    page_unpublished.connect(page_changed, dispatch_uid="search_index_page_unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search_index_page_moved")
    post_delete.connect(
        service_deleted, sender=ServicePage, dispatch_uid="search_index_service_deleted"
    )
