"""Facet masks: each service's themes, audiences, languages, wijken and
municipalities as one integer each, one bit per value.

The database search backend filters and counts facets on these columns of the
service's own row. Through the many-to-many tables a broad search at 100,000
services took seconds to count; with one row per service and a bit test per
value it is one pass over the rows (see bench/README.md).

A bit belongs to a value (a theme's slug, a wijk's CBS code), not to a row,
so translations share it. Bits are handed out on first use and kept.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, connection, models, transaction
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from .. import changes

logger = logging.getLogger(__name__)

# Bit 63 is the sign bit of a 64-bit integer; masks stay positive.
BITS_PER_FACET = 63

# facet: (ServicePage relation, field of the related value, mask column)
MASKED_FACETS = {
    "themes": ("themes", "slug", "theme_mask"),
    "audiences": ("audiences", "slug", "audience_mask"),
    "languages": ("languages", "code", "language_mask"),
    "wijken": ("wijken", "cbs_code", "wijk_mask"),
    "municipalities": ("municipalities", "cbs_code", "municipality_mask"),
}


class FacetBit(models.Model):
    """The bit that stands for one value of one facet in the services' masks."""

    facet = models.CharField(max_length=20, choices=[(name, name) for name in MASKED_FACETS])
    value = models.CharField(max_length=100)
    bit = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("facet bit")
        constraints = [
            models.UniqueConstraint(fields=["facet", "value"], name="facetbit_value_once"),
            models.UniqueConstraint(fields=["facet", "bit"], name="facetbit_bit_once"),
            models.CheckConstraint(
                condition=models.Q(bit__lt=BITS_PER_FACET), name="facetbit_bit_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}: bit {self.bit}"

    @classmethod
    def bits(cls, facet: str) -> dict[str, int]:
        """Every value of ``facet`` that has a bit, with its bit."""
        return dict(cls.objects.filter(facet=facet).values_list("value", "bit"))

    @classmethod
    def assign(cls, facet: str, values: Iterable[str]) -> dict[str, int]:
        """The bits of ``values``, handing out free bits to values new to ``facet``.

        A value that finds every bit taken gets none, and is logged: the
        database backend then cannot filter or count it (the engine can).
        """
        wanted = set(values)
        known = {v: b for v, b in cls.bits(facet).items() if v in wanted}
        for value in sorted(wanted - set(known)):
            for _attempt in range(3):
                taken = set(cls.objects.filter(facet=facet).values_list("bit", flat=True))
                free = next((b for b in range(BITS_PER_FACET) if b not in taken), None)
                if free is None:
                    logger.error(
                        "No free bit for %s=%s: the database search cannot filter on it. "
                        "%s values is the limit per facet; use the search engine beyond that.",
                        facet,
                        value,
                        BITS_PER_FACET,
                    )
                    break
                try:
                    # A savepoint, so a concurrent assignment does not spoil the
                    # caller's transaction; then the other one's bit is used.
                    with transaction.atomic():
                        cls.objects.create(facet=facet, value=value, bit=free)
                    known[value] = free
                    break
                except IntegrityError:
                    existing = cls.bits(facet).get(value)
                    if existing is not None:
                        known[value] = existing
                        break
        return known


def has_bit(column: str, bits: int) -> models.Q:
    """Rows whose ``column`` mask shares a bit with ``bits``."""
    return ~models.Q(Exact(models.F(column).bitand(bits), 0))


def mask(bits: dict[str, int], values: Iterable[str]) -> int:
    """The mask of ``values``, by the bits in ``bits``; values without a bit add nothing."""
    result = 0
    for value in values:
        if value in bits:
            result |= 1 << bits[value]
    return result


MASK_COLUMNS = tuple(column for *_rest, column in MASKED_FACETS.values())


def facet_values(service_ids: list[int]) -> dict[int, dict]:
    """The masks and the partner type each of ``service_ids`` should have,
    read from its relations and its partner page."""
    from .service import ServicePage

    values: dict[str, dict[int, set[str]]] = {}
    for facet, (relation, field, _column) in MASKED_FACETS.items():
        m2m = ServicePage._meta.get_field(relation)
        own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        per_service: dict[int, set[str]] = defaultdict(set)
        rows = m2m.remote_field.through.objects.filter(**{f"{own}_id__in": service_ids})
        for pk, value in rows.values_list(f"{own}_id", f"{other}__{field}"):
            per_service[pk].add(value)
        values[facet] = per_service
    bits = {
        facet: FacetBit.assign(facet, set().union(*per.values())) for facet, per in values.items()
    }
    partner_types = _partner_types(service_ids)
    return {
        pk: {
            **{
                column: mask(bits[facet], values[facet].get(pk, ()))
                for facet, (*_rest, column) in MASKED_FACETS.items()
            },
            "partner_type": partner_types.get(pk, ""),
        }
        for pk in service_ids
    }


def refresh_facet_masks(services, chunk_size: int = 2000, announce: bool = True) -> int:
    """Recompute the masks and partner type of ``services`` (a ServicePage
    queryset), a few queries per chunk. Returns how many rows changed.
    ``announce=False`` is for migrations, which may run before the tables of
    whoever listens exist."""
    from .service import ServicePage

    fields = ["partner_type", *MASK_COLUMNS]
    table = connection.ops.quote_name(ServicePage._meta.db_table)
    key = connection.ops.quote_name(ServicePage._meta.pk.column)
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in fields)
    # One plain UPDATE per changed row, sent as a batch: bulk_update's CASE
    # over thousands of rows made the database compare every row with every
    # branch (about 5 s per 2,000 services).
    update = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - names from the model

    changed = 0
    ids = list(services.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        wanted = facet_values(chunk)
        current = ServicePage.objects.filter(pk__in=chunk).values_list("pk", *fields)
        rows = [
            [*(wanted[pk][name] for name in fields), pk]
            for pk, *values in current
            if dict(zip(fields, values, strict=True)) != wanted[pk]
        ]
        if rows:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(update, rows)
        changed += len(rows)
        if announce:
            # Every service, changed or not: this also repairs their copies.
            changes.send(chunk)
    return changed


def _partner_types(service_ids) -> dict[int, str]:
    """The type of the partner page above each service."""
    from .partner import PartnerPage
    from .service import ServicePage

    steplen = ServicePage.steplen
    paths = dict(ServicePage.objects.filter(pk__in=service_ids).values_list("pk", "path"))
    parents = {path[:-steplen] for path in paths.values()}
    types = dict(PartnerPage.objects.filter(path__in=parents).values_list("path", "partner_type"))
    return {pk: types.get(path[:-steplen], "") for pk, path in paths.items()}
