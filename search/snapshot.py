"""The search rows of every shown service, held in each process as arrays.

The database backend filters, counts and orders on these arrays. PostgreSQL
took 70-90 ms a search to count some 70 facet values over 100,000 rows on two
cores however the SQL was written (README, "Search benchmark"); numpy takes a
few milliseconds, and orders a page by title, date or distance in as few.

The database stays the truth. Each change to the rows gives ``RowsVersion`` a
new token in the same transaction (search/rows.py); each search reads the
token first and reloads when it differs from the one its arrays were read
with. So every process sees a change from its next search on, and a
rolled-back change never lingers: its token is rolled back too.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F, Window
from django.db.models.functions import DenseRank, Lower

import numpy as np

from directory.models import ServiceLocation
from directory.models.facets import MASK_COLUMNS

from .geocoding import EARTH_RADIUS_KM, Point
from .models import RowsVersion, ServiceRow

# Columns of one value per row, kept as small numbers standing for the values.
CODED = ("status", "cost", "access", "partner_type")
# For each byte value, which of its 8 bits are set (little-endian order).
BITS_OF_BYTE = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")


def bit_counts(masks: np.ndarray) -> np.ndarray:
    """How many of ``masks`` have each of the 64 bits: a histogram of each
    byte, then the bits of each byte value (unpacking every bit of 100,000
    masks took three times as long)."""
    octets = masks.astype("<u8", copy=False).view(np.uint8).reshape(-1, 8)
    return np.concatenate(
        [np.bincount(octets[:, i], minlength=256) @ BITS_OF_BYTE for i in range(8)]
    )


@dataclass(eq=False)
class Snapshot:
    """The rows in listing order (lower-case title, then id, as the database
    sorts them), one array per column; and the rows' locations, ordered by
    row. Positions in these arrays are what the backend works with; a
    boolean array over the positions is a set of services."""

    token: object
    pk: np.ndarray
    locale: np.ndarray
    # One number per translation key: translations of a service share it.
    translation: np.ndarray
    verified: np.ndarray  # day numbers (date.toordinal)
    codes: dict[str, np.ndarray]
    code_of: dict[str, dict[str, int]]
    masks: dict[str, np.ndarray]
    # By row: each location's row and coordinates in radians (see _place).
    location_row: np.ndarray = field(init=False)
    latitude: np.ndarray = field(init=False)
    longitude: np.ndarray = field(init=False)
    _shown: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self._by_pk = np.argsort(self.pk)

    def __len__(self) -> int:
        return len(self.pk)

    @classmethod
    def load(cls) -> Snapshot:
        """The rows as they are now, read in one transaction. PostgreSQL's
        default isolation would let a change commit between the statements;
        repeatable read sees one moment. (Inside a transaction already open,
        as in tests, the level can no longer be set; there one connection
        writes and reads anyway.)"""
        outer = connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and not outer:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            token = RowsVersion.current()
            rows = fetch(
                ServiceRow.objects.annotate(
                    translation=Window(DenseRank(), order_by=F("translation_key").asc())
                )
                .order_by(Lower("title"), "pk")
                .values_list(
                    "pk", "locale_id", "translation", "last_verified", *CODED, *MASK_COLUMNS
                )
            )
            locations = fetch(
                ServiceLocation.objects.filter(page__in=ServiceRow.objects.values("pk"))
                .order_by("page_id")
                .values_list("page_id", "latitude", "longitude")
            )
        return cls.from_rows(token, rows, locations)

    @classmethod
    def from_rows(cls, token, rows: list[tuple], locations: list[tuple]) -> Snapshot:
        width = 4 + len(CODED) + len(MASK_COLUMNS)
        pk, locale, translation, verified, *rest = list(zip(*rows, strict=True)) or [()] * width
        coded, masked = rest[: len(CODED)], rest[len(CODED) :]
        codes, code_of = {}, {}
        for name, values in zip(CODED, coded, strict=True):
            code_of[name] = {}
            codes[name] = np.fromiter(
                (code_of[name].setdefault(value, len(code_of[name])) for value in values),
                dtype=np.int16,
                count=len(values),
            )
        snapshot = cls(
            token=token,
            pk=np.array(pk, dtype=np.int64),
            locale=np.array(locale, dtype=np.int64),
            translation=np.array(translation, dtype=np.int64),
            verified=np.fromiter((day.toordinal() for day in verified), dtype=np.int32),
            codes=codes,
            code_of=code_of,
            masks={
                name: np.array(values, dtype=np.int64).view(np.uint64)
                for name, values in zip(MASK_COLUMNS, masked, strict=True)
            },
        )
        snapshot._place(locations)
        return snapshot

    def _place(self, locations: list[tuple]) -> None:
        """Keep the locations by row, with where each row's locations start."""
        page, latitude, longitude = (
            np.array(column, dtype=dtype)
            for column, dtype in zip(
                list(zip(*locations, strict=True)) or [(), (), ()],
                (np.int64, np.float64, np.float64),
                strict=True,
            )
        )
        row, found = self._lookup(page)
        order = np.argsort(row, kind="stable")
        self.location_row = row[order]
        self.latitude = np.radians(latitude[found])[order]
        self.longitude = np.radians(longitude[found])[order]
        changes = np.flatnonzero(np.diff(self.location_row)) + 1
        self._starts = np.r_[0, changes] if len(self.location_row) else changes
        self._located = self.location_row[self._starts]

    def _lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of those ``ids`` that have a row, and which ones do."""
        if not len(self):
            return np.zeros(0, dtype=np.int64), np.zeros(len(ids), dtype=bool)
        sorted_pk = self.pk[self._by_pk]
        at = np.minimum(np.searchsorted(sorted_pk, ids), len(self) - 1)
        found = sorted_pk[at] == ids
        return self._by_pk[at[found]], found

    # Sets of rows

    def none(self) -> np.ndarray:
        return np.zeros(len(self), dtype=bool)

    def at(self, positions: np.ndarray) -> np.ndarray:
        chosen = self.none()
        chosen[positions] = True
        return chosen

    def among(self, ids) -> np.ndarray:
        """The rows of the services ``ids`` (ids without a row are left out)."""
        return self.at(self.positions(ids))

    def positions(self, ids) -> np.ndarray:
        """The positions of the services ``ids`` that have a row, in the order given."""
        return self._lookup(np.asarray(ids, dtype=np.int64))[0]

    def shown(self, locale_id: int, default_id: int, since: datetime.date | None) -> np.ndarray:
        """What ``with_dutch_fallback(ServiceRow.objects.shown(), locale)``
        selects: checked since ``since`` (when given), in the locale, or in
        the default one where no such translation is shown."""
        key = (locale_id, default_id, since)
        if key not in self._shown:
            fresh = self.verified >= since.toordinal() if since else np.ones(len(self), bool)
            own = fresh & (self.locale == locale_id)
            if locale_id != default_id:
                translated = np.isin(self.translation, self.translation[own])
                own |= fresh & (self.locale == default_id) & ~translated
            self._shown[key] = own
        return self._shown[key].copy()

    def any_bit(self, column: str, bits: int) -> np.ndarray:
        """Rows whose ``column`` mask shares a bit with ``bits``."""
        return (self.masks[column] & np.uint64(bits)) != 0

    def one_of(self, column: str, values) -> np.ndarray:
        codes = [self.code_of[column][value] for value in values if value in self.code_of[column]]
        return np.isin(self.codes[column], codes)

    def nearest_km(self, point: Point) -> np.ndarray:
        """Each row's distance to its nearest location, by ``Point.distance_km``;
        infinite for a row without locations."""
        latitude = math.radians(point.latitude)
        a = (
            np.sin((self.latitude - latitude) / 2) ** 2
            + math.cos(latitude)
            * np.cos(self.latitude)
            * np.sin((self.longitude - math.radians(point.longitude)) / 2) ** 2
        )
        km = EARTH_RADIUS_KM * 2 * np.arcsin(np.sqrt(a))
        nearest = np.full(len(self), np.inf)
        if len(km):
            nearest[self._located] = np.minimum.reduceat(km, self._starts)
        return nearest

    # Counting

    def counts(self, rows: np.ndarray, column: str) -> dict[str, int]:
        """How many of ``rows`` have each value of the coded ``column``."""
        per_code = np.bincount(self.codes[column][rows], minlength=len(self.code_of[column]))
        return {value: int(per_code[code]) for value, code in self.code_of[column].items()}

    def bit_counts(self, rows: np.ndarray, column: str) -> np.ndarray:
        return bit_counts(self.masks[column][rows])


def fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset, straight from the cursor.
    Django's iterator costs about 4 µs a row: 70 ms for the 17,000 matches
    of a common word at 100,000 services, half a second for every row."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_latest: Snapshot | None = None


def current() -> Snapshot:
    """The rows as the database has them now: the ones in memory while
    their token is current, else freshly read."""
    global _latest
    latest = _latest
    token = RowsVersion.current()
    if latest is None or token is None or latest.token != token:
        latest = _latest = Snapshot.load()
    return latest
