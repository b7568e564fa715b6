"""The facet values of services: their themes, audiences, languages, wijken
and municipalities by slug or code, read from their relations, and the type
of the partner above each service.

Both search backends filter and count on these values: the database search
copies them onto its rows (search/rows.py), the engine into its documents.
A value is a theme's slug or a wijk's CBS code, not a row, so translations
share it. There is no limit to how many values a facet has.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction

from .. import changes

# facet: (ServicePage relation, field of the related value)
FACET_RELATIONS = {
    "themes": ("themes", "slug"),
    "audiences": ("audiences", "slug"),
    "languages": ("languages", "code"),
    "wijken": ("wijken", "cbs_code"),
    "municipalities": ("municipalities", "cbs_code"),
}


# The facet of a service's ways to reach it (directory/models/channel.py).
CHANNELS = "channels"
# The service's own contact fields, each a way to reach it in no language in particular.
CONTACT_FIELDS = {"phone": "phone", "whatsapp": "whatsapp", "email": "email"}


def channel_value(kind: str, language: str = "") -> str:
    """``phone`` for "by phone", ``phone:ar`` for "Arabic by phone"."""
    return f"{kind}:{language}" if language else kind


def channel_values(service_ids: list[int]) -> dict[int, set[str]]:
    """The ``channels`` facet of each of ``service_ids``: the kind of each of
    its channels and of each of its own contact fields that is filled in
    (a phone number is a way to reach it by phone), and a (kind, language)
    pair for each language spoken on a channel. The contact fields give no
    pairs: the service's languages do not say which are spoken on the phone.
    Two queries."""
    from .channel import ServiceChannel
    from .service import ServicePage

    values: dict[int, set[str]] = defaultdict(set)
    filled = ServicePage.objects.filter(pk__in=service_ids).values_list("pk", *CONTACT_FIELDS)
    for pk, *fields in filled:
        values[pk] |= {kind for kind, value in zip(CONTACT_FIELDS, fields, strict=True) if value}
    through = ServiceChannel.languages.through
    channels = ServiceChannel.objects.filter(page_id__in=service_ids).values_list(
        "page_id", "kind", "pk"
    )
    spoken: dict[int, list[str]] = defaultdict(list)
    for channel_id, code in through.objects.filter(
        servicechannel__page_id__in=service_ids
    ).values_list("servicechannel_id", "language__code"):
        spoken[channel_id].append(code)
    for pk, kind, channel_id in channels:
        values[pk].add(channel_value(kind))
        values[pk] |= {channel_value(kind, code) for code in spoken[channel_id]}
    return values


def facet_values(service_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """The values of every facet of each of ``service_ids``, sorted, read
    from its relations (one query per facet, two for the channels)."""
    from .service import ServicePage

    values: dict[int, dict[str, list[str]]] = {
        pk: {facet: [] for facet in (*FACET_RELATIONS, CHANNELS)} for pk in service_ids
    }
    for pk, found in channel_values(service_ids).items():
        if pk in values:
            values[pk][CHANNELS] = sorted(found)
    for facet, (relation, field) in FACET_RELATIONS.items():
        m2m = ServicePage._meta.get_field(relation)
        own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        per_service: dict[int, set[str]] = defaultdict(set)
        rows = m2m.remote_field.through.objects.filter(**{f"{own}_id__in": service_ids})
        for pk, value in rows.values_list(f"{own}_id", f"{other}__{field}"):
            per_service[pk].add(value)
        for pk, found in per_service.items():
            values[pk][facet] = sorted(found)
    return values


def services_with(facet: str, values) -> list[int]:
    """The ids of the services that have any of ``values`` in ``facet``."""
    from .service import ServicePage

    relation, field = FACET_RELATIONS[facet]
    return list(
        ServicePage.objects.filter(**{f"{relation}__{field}__in": list(values)})
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )


def refresh_facets(services, chunk_size: int = 2000, announce: bool = True) -> int:
    """Recompute the copies of the partner above ``services`` (a ServicePage
    queryset): its type and its page, a few queries per chunk, and announce
    every service as changed, so the copies that hold their facet values
    (the search rows) are rewritten too. Returns how many services had a
    copy to correct. ``announce=False`` is for migrations, which may run
    before the tables of whoever listens exist."""
    from .service import ServicePage

    table = connection.ops.quote_name(ServicePage._meta.db_table)
    key = connection.ops.quote_name(ServicePage._meta.pk.column)
    page = connection.ops.quote_name(ServicePage._meta.get_field("partner_page").column)
    partner_type = connection.ops.quote_name("partner_type")
    # One plain UPDATE per changed row, sent as a batch: bulk_update's CASE
    # over thousands of rows made the database compare every row with every
    # branch (about 5 s per 2,000 services).
    update = f"UPDATE {table} SET {page} = %s, {partner_type} = %s WHERE {key} = %s"  # noqa: S608 - names from the model

    changed = 0
    ids = list(services.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        wanted = partners_above(chunk)
        current = ServicePage.objects.filter(pk__in=chunk).values_list(
            "pk", "partner_page_id", "partner_type"
        )
        rows = [[*wanted[pk], pk] for pk, *values in current if tuple(values) != wanted[pk]]
        if rows:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(update, rows)
        changed += len(rows)
        if announce:
            # Every service, changed or not: this also repairs their copies.
            changes.send(chunk)
    return changed


def partners_above(service_ids) -> dict[int, tuple[int | None, str]]:
    """The partner page above each service: its id and its type (None and
    empty for a service outside any partner)."""
    from .partner import PartnerPage
    from .service import ServicePage

    steplen = ServicePage.steplen
    paths = dict(ServicePage.objects.filter(pk__in=service_ids).values_list("pk", "path"))
    parents = {path[:-steplen] for path in paths.values()}
    found = {
        path: (pk, partner_type)
        for path, pk, partner_type in PartnerPage.objects.filter(path__in=parents).values_list(
            "path", "pk", "partner_type"
        )
    }
    return {pk: found.get(path[:-steplen], (None, "")) for pk, path in paths.items()}
