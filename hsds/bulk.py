"""New services published in bulk, for ``import_hsds --publish``.

Saving a new page the usual way (``add_child``, ``save_revision``,
``publish``) costs three saves and some 90 queries per service: at 100,000
services hours, almost all of it in building the ORM's queries. Here a batch
of new services (validated by the importer as an editor's save would be) is
written with one multi-row insert per table: the tree's paths counted on
from each partner's last child, the page rows, the service rows, their
locations, hours, exceptions and many-to-many rows, one revision each,
published as it is written (``live_revision``), and the log entries
("created", "published") that the admin shows. What ``ServicePage.save``
keeps besides (``title_key``, the partner's type and page) is set here; what saves set
off for the copies (search rows, page cache, search and reference index,
the engine's queue) is done per batch by the importer's ``Deferred``.
``page_published`` is not sent: its receivers are the engine's queue
(``Deferred``) and the date of the last check (the source's, or today, set
here as a publish would).

Delete this path, and go back to ``create_published`` for every service,
if Wagtail gets a bulk page creation of its own.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone

from wagtail.models import Page, PageLogEntry, Revision

from directory.models import PartnerPage, ServicePage
from directory.models.service import title_key

# Page relations the importer fills: (relation, many-to-many or rows).
MANY = ("themes", "audiences", "languages", "wijken", "municipalities")
ROWS = ("locations", "channels", "opening_hours", "opening_hours_exceptions")
CHUNK = 30  # rows per INSERT: ServicePage has some 30 columns, SQLite allows 999 values


@dataclass
class NewService:
    page: ServicePage
    partner: PartnerPage
    last_modified: object = None


def next_steps(partners: list[PartnerPage]) -> dict[int, int]:
    """The next free child step under each partner, from its last child."""
    found = {}
    for partner in partners:
        # A range of the path index rather than ``path__startswith``: SQLite
        # does not use an index for LIKE, and read every page after the
        # partner's at every batch (the more, the fuller the directory).
        children = (
            partner.path + Page.alphabet[0] * Page.steplen,
            partner.path + Page.alphabet[-1] * Page.steplen,
        )
        last = (
            Page.objects.filter(path__range=children, depth=partner.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        found[partner.pk] = Page._str2int(last[-Page.steplen :]) + 1 if last else 1
    return found


def insert_pages(model, pages: list) -> None:
    """Insert new pages of one page model with multi-row inserts: the page rows,
    then the model's own rows under the same ids (``bulk_create`` cannot write
    multi-table models). Tree positions (path, depth) must already be set."""
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    bases = [Page(**{f.attname: getattr(page, f.attname) for f in base_fields}) for page in pages]
    Page.objects.bulk_create(bases, batch_size=200)
    for page, base in zip(pages, bases, strict=True):
        page.pk = page.page_ptr_id = base.pk
        page._state.adding = False
    own_fields = list(model._meta.local_concrete_fields)
    for start in range(0, len(pages), CHUNK):
        model._base_manager._insert(pages[start : start + CHUNK], fields=own_fields)


def write(services: list[NewService], user=None) -> list[ServicePage]:
    """Insert ``services`` published, in the caller's transaction; returns the pages."""
    if not services:
        return []
    now = timezone.now()
    today = timezone.localdate()
    content_type = ContentType.objects.get_for_model(ServicePage)
    base_type = ContentType.objects.get_for_model(Page)
    partners = {item.partner.pk: item.partner for item in services}
    steps = next_steps(list(partners.values()))
    pages = []
    for item in services:
        page, partner = item.page, item.partner
        step = steps[partner.pk]
        steps[partner.pk] = step + 1
        page.depth = partner.depth + 1
        page.path = Page._get_path(partner.path, page.depth, step)
        page.numchild = 0
        page.url_path = f"{partner.url_path}{page.slug}/"
        page.content_type = content_type
        page.draft_title = page.title
        page.title_key = title_key(page.title)
        page.partner_type = partner.partner_type
        page.partner_page = partner
        page.owner = user
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = now
        page.last_published_at = item.last_modified or now
        page.latest_revision_created_at = now
        if not page.last_verified:
            page.last_verified = today  # a publish counts as a check
        pages.append(page)

    insert_pages(ServicePage, pages)

    # Rows and many-to-many links, as ClusterableModel.save would write them.
    rows = defaultdict(list)
    links = defaultdict(list)
    for page in pages:
        for relation in ROWS:
            for row in getattr(page, relation).all():
                row.page_id = page.pk
                rows[relation].append(row)
        for name in MANY:
            field = ServicePage._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            for value in getattr(page, name).all():
                links[name].append(through(**{f"{source}_id": page.pk, f"{target}_id": value.pk}))
    # A row's own many-to-many values (a channel's languages), read before the
    # insert, linked once the rows have their ids.
    row_links = {
        relation: [
            (row, field, list(getattr(row, field.name).all()))
            for row in found
            for field in type(row)._meta.many_to_many
        ]
        for relation, found in rows.items()
    }
    for relation, found in rows.items():
        type(found[0]).objects.bulk_create(found, batch_size=200)
        for row, field, values in row_links[relation]:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            for value in values:
                links[relation].append(
                    through(**{f"{source}_id": row.pk, f"{target}_id": value.pk})
                )
    for found in links.values():
        type(found[0]).objects.bulk_create(found, batch_size=500)

    # One revision each, already live.
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=base_type,
            object_id=str(page.pk),
            user=user,
            created_at=now,
            content=page.serializable_data(),
            object_str=str(page),
        )
        for page in pages
    ]
    Revision.objects.bulk_create(revisions, batch_size=200)
    table = connection.ops.quote_name(Page._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET latest_revision_id = %s, live_revision_id = %s "  # noqa: S608 - the model's own table
            "WHERE id = %s",
            [
                (revision.pk, revision.pk, page.pk)
                for page, revision in zip(pages, revisions, strict=True)
            ],
        )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision

    entries = []
    for page, revision in zip(pages, revisions, strict=True):
        action_id = uuid.uuid4()  # one editor's action: created and published
        for action in ("wagtail.create", "wagtail.publish"):
            entries.append(
                PageLogEntry(
                    content_type=content_type,
                    label=str(page),
                    action=action,
                    timestamp=now,
                    data={},
                    page_id=page.pk,
                    user=user,
                    revision=revision,
                    content_changed=True,
                    uuid=action_id,
                )
            )
    PageLogEntry.objects.bulk_create(entries, batch_size=500)

    # The partners' count of children, which treebeard's add_child trusts.
    added = defaultdict(int)
    for item in services:
        added[item.partner.pk] += 1
    for pk, count in added.items():
        Page.objects.filter(pk=pk).update(numchild=F("numchild") + count)
        partners[pk].numchild += count
    return pages
