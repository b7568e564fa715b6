"""Keep ``ServiceRow`` (the database search's narrow table) in step with the
services it copies: on every ``directory.changes.services_changed``, the
services named get their rows rewritten from the pages themselves. Every
rewrite, and every deleted service, gives ``RowsVersion`` a new token in the
same transaction and logs the services changed, so the copies in memory
(search/snapshot.py) patch their rows."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete

from directory.models import ServicePage
from directory.models.facets import facet_values

from .models import RowsVersion, ServiceRow, ServiceRowValue

COPIED = (
    "locale_id",
    "translation_key",
    "title",
    "title_key",
    "last_verified",
    "status",
    "cost",
    "access",
    "partner_type",
)


def sync_rows(ids, chunk_size: int = 2000) -> int:
    """Rewrite the rows of the services ``ids``: a live, public service has
    one, any other service none. Returns how many rows there now are."""
    ids = list(ids)
    written = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        shown = ServicePage.objects.filter(pk__in=chunk).live().public()
        rows = [
            ServiceRow(service_id=pk, **dict(zip(COPIED, values, strict=True)))
            for pk, *values in shown.values_list("pk", *COPIED)
        ]
        per_service = facet_values([row.pk for row in rows])
        values = [
            ServiceRowValue(row_id=pk, facet=facet, value=value)
            for pk, facets in per_service.items()
            for facet, found in facets.items()
            for value in found
        ]
        with transaction.atomic():
            # The values first, in one statement, rather than collected per row.
            ServiceRowValue.objects.filter(row__in=chunk).delete()
            ServiceRow.objects.filter(pk__in=chunk).delete()
            ServiceRow.objects.bulk_create(rows)
            ServiceRowValue.objects.bulk_create(values, batch_size=5000)
            RowsVersion.changed(chunk)
        written += len(rows)
    return written


def sync_all() -> int:
    """Rebuild every row, for services written around the models. (A deleted
    service takes its row along: the key cascades.)"""
    return sync_rows(ServicePage.objects.order_by("pk").values_list("pk", flat=True))


def services_changed(sender, ids, **kwargs):
    sync_rows(ids)


def service_deleted(sender, instance, **kwargs):
    # Its row went with it (the key cascades), without a services_changed.
    RowsVersion.changed([instance.pk])


def connect():
    from directory.changes import services_changed as signal

    signal.connect(services_changed, dispatch_uid="search_rows_services_changed")
    post_delete.connect(service_deleted, sender=ServicePage, dispatch_uid="search_rows_deleted")
