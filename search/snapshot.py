"""The search rows of every shown service, held in each process as arrays.

The database backend filters, counts and orders on these arrays. PostgreSQL
took 70-90 ms a search to count some 70 facet values over 100,000 rows on two
cores however the SQL was written (README, "Search benchmark"); numpy counts
them in 6-9 ms, and orders 100,000 results by distance in 12 ms.

The database stays the truth. Each change to the rows gives ``RowsVersion`` a
new token in the same transaction and logs the services changed
(``RowsChange``, search/rows.py); each search reads the token first and, when
it differs from the one its arrays were read with, patches the rows of the
services changed since into a copy of the arrays. At 300,000 services
reading every row takes 6 s, a patch 60 ms (bench/rows_update.py). Every
row is read again where the log cannot be followed from the arrays' token to
the current one (a change rolled back, or pruned from the log), or names too
many services. So every process sees a change from its next search on, and a rolled-back
change never lingers: its token is rolled back too.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Max, OuterRef, Subquery, When, Window
from django.db.models.functions import Coalesce, DenseRank

import numpy as np

from directory.models import ServiceLocation

from .geocoding import EARTH_RADIUS_KM, Point
from .models import RowsChange, RowsVersion, ServiceRow, ServiceRowValue

# Columns of one value per row, read as the value's place among the column's
# choices (a value not among them is one place further).
CODED = ("status", "cost", "access", "partner_type")
# Positions are kept by id (4 bytes an id) up to this many ids a row, plus
# a million; beyond that, where pages were deleted by the many, ids are
# searched for.
DENSE_LOOKUP_FACTOR = 8
DENSE_LOOKUP_MINIMUM = 1_000_000
CODE_OF = {
    name: {
        value: code for code, (value, _label) in enumerate(ServiceRow._meta.get_field(name).choices)
    }
    for name in CODED
}


def _code(name: str) -> Case:
    whens = [When(**{name: value}, then=code) for value, code in CODE_OF[name].items()]
    return Case(*whens, default=len(CODE_OF[name]), output_field=IntegerField())


@dataclass(eq=False)
class FacetValues:
    """Which rows have which values of one facet of many values (themes,
    wijken, ...): one entry per row and value, as two arrays. A value is known
    by its code, its place in ``values``: only values some row has. Any number
    of values fits; filtering and counting are one pass over the entries each."""

    values: list[str]
    row: np.ndarray  # the position of each entry's row
    code: np.ndarray  # each entry's value, by its place in ``values``
    # How many entries have each value, by code; counted when not given.
    uses: np.ndarray | None = None

    def __post_init__(self):
        if self.uses is None:
            self.uses = np.bincount(self.code, minlength=len(self.values))
        self._code_of = {value: code for code, value in enumerate(self.values)}
        self._keys: np.ndarray | None = None  # row * len(values) + code, sorted
        self._rows_with_any: np.ndarray | None = None  # by row position

    def codes(self, values) -> np.ndarray:
        """The codes of those of ``values`` that some row has."""
        return np.array([self._code_of[v] for v in values if v in self._code_of], dtype=np.int64)

    def code_of(self, value: str) -> int:
        """The code of ``value``, or -1 when no row has it."""
        return self._code_of.get(value, -1)

    def rows_with(self, codes: np.ndarray, size: int) -> np.ndarray:
        """Of ``size`` rows, those that have any of the values ``codes``."""
        wanted = np.zeros(len(self.values), dtype=bool)
        wanted[codes] = True
        chosen = np.zeros(size, dtype=bool)
        chosen[self.row[wanted[self.code]]] = True
        return chosen

    def counts(self, rows: np.ndarray) -> np.ndarray:
        """How many of ``rows`` (a boolean array) have each value, by code."""
        return np.bincount(self.code[rows[self.row]], minlength=len(self.values))

    def has(self, rows: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """For each pair of ``rows`` (positions) and ``codes``, whether that
        row has that value; a code of -1 is no value. Only the pairs whose
        row has any value are searched for: few, for the municipalities that
        the wijken's counts ask about (a search for every wijk entry of the
        services open at a moment, at 300,000 services: 14 ms)."""
        if self._keys is None:
            self._keys = np.sort(self.row * len(self.values) + self.code)
            self._rows_with_any = np.zeros(int(self.row.max(initial=-1)) + 1, dtype=bool)
            self._rows_with_any[self.row] = True
        found = np.zeros(len(rows), dtype=bool)
        asked = (codes >= 0) & (rows < len(self._rows_with_any))
        asked[asked] = self._rows_with_any[rows[asked]]
        wanted = rows[asked] * len(self.values) + codes[asked]
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        found[asked] = self._keys[at] == wanted
        return found

    def patched(self, keep: np.ndarray, moved: np.ndarray, added: list[tuple[int, str]]):
        """These entries for the rows ``keep`` (by old position), at their
        positions ``moved``, with ``added`` (new position, value) besides. A
        value new to the facet gets the next code. A value no row has any
        more is dropped, and the codes after it move down: the values are
        those of rows read whole, whatever was renamed, recoded or deleted.
        Only the entries of the rows changed are counted again."""
        code_of = dict(self._code_of)  # in code order
        codes = np.array(
            [code_of.setdefault(value, len(code_of)) for _row, value in added], np.int64
        )
        values = list(code_of)
        kept = keep[self.row]
        uses = np.bincount(codes, minlength=len(values))
        uses[: len(self.values)] += self.uses - np.bincount(
            self.code[~kept], minlength=len(self.values)
        )
        row = np.concatenate([moved[self.row[kept]], np.array([r for r, _v in added], np.int64)])
        code = np.concatenate([self.code[kept], codes])
        if uses.all():
            return FacetValues(values, row, code, uses)
        used = uses > 0
        renumbered = np.cumsum(used) - 1
        return FacetValues(
            [value for value, is_used in zip(values, used.tolist(), strict=True) if is_used],
            row,
            renumbered[code],
            uses[used],
        )


@dataclass(eq=False)
class Snapshot:
    """The rows in title order (``title_key``: each title as its language
    sorts it, then id), one array per column; and the rows' locations, ordered by
    row. Positions in these arrays are what the backend works with; a
    boolean array over the positions is a set of services."""

    token: object
    pk: np.ndarray
    locale: np.ndarray
    # One number per translation key: translations of a service share it.
    translation: np.ndarray
    verified: np.ndarray  # day numbers (date.toordinal)
    codes: dict[str, np.ndarray]  # the value's place in CODE_OF
    # The last change logged (RowsChange) that these rows include.
    last_change: int = 0
    # Whether this copy was patched from an earlier one rather than read whole.
    patched: bool = False
    # The facets of many values (ServiceRowValue.FACETS), filled by _enter.
    facets: dict[str, FacetValues] = field(init=False, default_factory=dict)
    # By row: each location's row and coordinates in radians (see _place).
    location_row: np.ndarray = field(init=False)
    latitude: np.ndarray = field(init=False)
    longitude: np.ndarray = field(init=False)
    _shown: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        # Each id's position, by id, where ids are not too sparse for it: a
        # look-up per id rather than a binary search (open-now's 133,000 ids
        # among 376,000 rows: 25 ms searching, 0.3 ms looking up).
        top = int(self.pk.max()) + 1 if len(self) else 0
        self._position_of = self._by_pk = self._sorted_pk = None
        if top <= DENSE_LOOKUP_FACTOR * len(self) + DENSE_LOOKUP_MINIMUM:
            self._position_of = np.full(top, -1, dtype=np.int32)
            self._position_of[self.pk] = np.arange(len(self))
        else:
            self._by_pk = np.argsort(self.pk)
            self._sorted_pk = self.pk[self._by_pk]

    def __len__(self) -> int:
        return len(self.pk)

    @classmethod
    def load(cls) -> Snapshot:
        """The rows as they are now."""
        with _one_moment():
            return cls._read()

    @classmethod
    def _read(cls) -> Snapshot:
        """Every row, within ``_one_moment``."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Its two sorts of every row spilled to disk with the default 4 MB.
                cursor.execute("SET LOCAL work_mem = '64MB'")
        token = RowsVersion.current()
        last_change = RowsChange.objects.aggregate(last=Max("pk"))["last"] or 0
        rows = (
            ServiceRow.objects.annotate(
                translation=Window(DenseRank(), order_by=F("translation_key").asc()),
                **{f"{name}_code": _code(name) for name in CODED},
            )
            .order_by("title_key", "pk")
            .values_list(
                "pk",
                "locale_id",
                "translation",
                *(f"{name}_code" for name in CODED),
                "last_verified",
            )
        )
        chunks = fetch_chunks(*rows.query.sql_with_params())
        parts = [_row_arrays(chunk) for chunk in chunks] or [_row_arrays([])]
        numbers = np.concatenate([numbers for numbers, _verified in parts])
        verified = np.concatenate([verified for _numbers, verified in parts])
        values = {facet: _facet_values(facet) for facet in ServiceRowValue.FACETS}
        # All of them, unordered: those of services without a row are
        # dropped in numpy, which sorts them by row anyway.
        locations = fetch_array(
            ServiceLocation.objects.order_by().values_list("page_id", "latitude", "longitude"),
            np.float64,
            width=3,
        )
        snapshot = cls.from_arrays(token, numbers, verified, locations, values)
        snapshot.last_change = last_change
        return snapshot

    def updated(self) -> Snapshot:
        """The rows as they are now: a copy of these with the rows of the
        services changed since patched in, or every row read again where the
        log of changes cannot be followed from this copy's token to the
        current one, or names too many services to patch."""
        with _one_moment():
            token = RowsVersion.current()
            if token == self.token:
                return self
            services, reached, last_change = set(), self.token, self.last_change
            since = RowsChange.objects.filter(pk__gt=self.last_change).order_by("pk")
            for pk, before, after, named in since.values_list("pk", "before", "token", "services"):
                if before != reached or named is None:
                    return self._read()
                services.update(named)
                reached, last_change = after, pk
            if reached != token or len(services) > RowsVersion.NAMED_SERVICES:
                return self._read()
            return self._patched(token, last_change, sorted(services))

    def _patched(self, token, last_change: int, services: list[int]) -> Snapshot:
        """A copy of these rows without those of ``services``, and with the
        rows those services have now, each placed after the row that now
        precedes it in title order. Only the rows of ``services`` changed
        since this copy was read: every other row is in it, in its place."""
        rows = _changed_rows(services)
        keep = ~self.among(services)
        kept_at = np.cumsum(keep) - 1  # an unchanged row's place among those kept
        preceding = np.array([row[4] if row[4] is not None else -1 for row in rows], np.int64)
        positions = self.positions(preceding[preceding >= 0])
        if len(positions) != (preceding >= 0).sum() or not keep[positions].all():
            # A row changed without being logged: it cannot be placed.
            return self._read()
        insert_at = np.zeros(len(rows), dtype=np.int64)
        insert_at[preceding >= 0] = kept_at[positions] + 1
        order = np.argsort(insert_at, kind="stable")
        rows, insert_at = [rows[i] for i in order], insert_at[order]

        translation = self._translations(rows)
        numbers = np.array([(row[0], row[1], *row[5:-1]) for row in rows], np.int64).reshape(
            -1, 2 + len(CODED)
        )
        snapshot = type(self)(
            token=token,
            pk=np.insert(self.pk[keep], insert_at, numbers[:, 0]),
            locale=np.insert(self.locale[keep], insert_at, numbers[:, 1]),
            translation=np.insert(self.translation[keep], insert_at, translation),
            verified=np.insert(
                self.verified[keep], insert_at, [row[-1].toordinal() for row in rows]
            ).astype(np.int32),
            codes={
                name: np.insert(self.codes[name][keep], insert_at, numbers[:, 2 + i]).astype(
                    np.int16
                )
                for i, name in enumerate(CODED)
            },
            last_change=last_change,
            patched=True,
        )
        # Where the rows now are: the inserted ones, and the kept ones moved
        # on by the rows inserted before them.
        new_row = dict(zip((row[0] for row in rows), insert_at + np.arange(len(rows)), strict=True))
        moved = np.full(len(self), -1, dtype=np.int64)
        moved[keep] = kept_at[keep] + np.searchsorted(insert_at, kept_at[keep], side="right")

        values: dict[str, list[tuple[int, str]]] = {facet: [] for facet in ServiceRowValue.FACETS}
        for pk, facet, value in ServiceRowValue.objects.filter(row__in=services).values_list(
            "row_id", "facet", "value"
        ):
            values[facet].append((new_row[pk], value))
        for facet, entries in values.items():
            snapshot.facets[facet] = self.facets[facet].patched(keep, moved, entries)

        kept = keep[self.location_row]
        located = [
            (new_row[pk], latitude, longitude)
            for pk, latitude, longitude in ServiceLocation.objects.filter(
                page_id__in=new_row
            ).values_list("page_id", "latitude", "longitude")
        ]
        added = np.array(located, dtype=np.float64).reshape(-1, 3)
        snapshot._locate(
            np.concatenate([moved[self.location_row[kept]], added[:, 0].astype(np.int64)]),
            np.concatenate([self.latitude[kept], np.radians(added[:, 1])]),
            np.concatenate([self.longitude[kept], np.radians(added[:, 2])]),
        )
        return snapshot

    def _translations(self, rows: list[tuple]) -> np.ndarray:
        """The translation number of each of ``rows`` (as ``_patched`` reads
        them): that of an unchanged translation, else a new one per key."""
        positions = self.positions([row[3] for row in rows if row[3] is not None])
        known = iter(self.translation[positions].tolist())
        following = int(self.translation.max(initial=-1)) + 1
        new: dict = {}
        numbers = []
        for row in rows:
            if row[3] is not None:
                numbers.append(next(known))
            else:
                numbers.append(new.setdefault(row[2], following + len(new)))
        return np.array(numbers, dtype=np.int64)

    @classmethod
    def from_rows(
        cls,
        token,
        rows: list[tuple],
        locations: list[tuple],
        values: dict[str, tuple[list[str], list[tuple]]] | None = None,
    ) -> Snapshot:
        """Arrays from rows as ``load`` reads them: ``rows`` of every column
        (the date last), ``locations`` as (page id, latitude, longitude),
        and for each facet of many values its values in order and the (row
        id, code) of every entry."""
        numbers, verified = _row_arrays(rows)
        entries = {
            facet: (names, np.array(found, dtype=np.int64).reshape(-1, 2))
            for facet, (names, found) in (values or {}).items()
        }
        places = np.array(locations, dtype=np.float64).reshape(-1, 3)
        return cls.from_arrays(token, numbers, verified, places, entries)

    @classmethod
    def from_arrays(
        cls,
        token,
        numbers: np.ndarray,
        verified: np.ndarray,
        locations: np.ndarray,
        values: dict[str, tuple[list[str], np.ndarray]],
    ) -> Snapshot:
        """The snapshot of rows already numbers: every column of the rows but
        the date, the dates as day numbers, the locations, and each facet's
        values with its entries as an array of (row id, code)."""
        columns = [np.ascontiguousarray(numbers[:, i]) for i in range(numbers.shape[1])]
        pk, locale, translation = columns[:3]
        snapshot = cls(
            token=token,
            pk=pk,
            locale=locale,
            translation=translation,
            verified=verified,
            codes={
                name: codes.astype(np.int16) for name, codes in zip(CODED, columns[3:], strict=True)
            },
        )
        snapshot._place(locations)
        for facet in ServiceRowValue.FACETS:
            snapshot._enter(facet, *values.get(facet, ([], np.zeros((0, 2), dtype=np.int64))))
        return snapshot

    def _enter(self, facet: str, values: list[str], ids_codes: np.ndarray) -> None:
        """Keep the entries (row id, code) of ``facet`` by row position."""
        row, found = self._lookup(ids_codes[:, 0])
        self.facets[facet] = FacetValues(values, row, ids_codes[found, 1])

    def _place(self, locations: np.ndarray) -> None:
        """Keep the locations (page id, latitude, longitude) of the rows."""
        row, found = self._lookup(locations[:, 0].astype(np.int64))
        self._locate(row, np.radians(locations[found, 1]), np.radians(locations[found, 2]))

    def _locate(self, row: np.ndarray, latitude: np.ndarray, longitude: np.ndarray) -> None:
        """Keep locations (row positions, coordinates in radians) by row, with
        where each row's locations start."""
        order = np.argsort(row, kind="stable")
        self.location_row = row[order]
        self.latitude = latitude[order]
        self.longitude = longitude[order]
        changes = np.flatnonzero(np.diff(self.location_row)) + 1
        self._starts = np.r_[0, changes] if len(self.location_row) else changes
        self._located = self.location_row[self._starts]

    def _lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of those ``ids`` that have a row, and which ones do."""
        if not len(self):
            return np.zeros(0, dtype=np.int64), np.zeros(len(ids), dtype=bool)
        if self._position_of is not None:
            inside = (ids >= 0) & (ids < len(self._position_of))
            position = np.full(len(ids), -1, dtype=np.int64)
            position[inside] = self._position_of[ids[inside]]
            found = position >= 0
            return position[found], found
        at = np.minimum(np.searchsorted(self._sorted_pk, ids), len(self) - 1)
        found = self._sorted_pk[at] == ids
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
            if any(known_since != since for *_ids, known_since in self._shown):
                # A new day: yesterday's sets are of no more use.
                self._shown.clear()
            fresh = self.verified >= since.toordinal() if since else np.ones(len(self), bool)
            own = fresh & (self.locale == locale_id)
            if locale_id != default_id:
                translated = np.isin(self.translation, self.translation[own])
                own |= fresh & (self.locale == default_id) & ~translated
            self._shown[key] = own
        return self._shown[key].copy()

    def having(self, facet: str, values) -> np.ndarray:
        """Rows that have any of ``values`` in ``facet`` (a facet of many values)."""
        entries = self.facets[facet]
        return entries.rows_with(entries.codes(values), len(self))

    def one_of(self, column: str, values) -> np.ndarray:
        codes = [CODE_OF[column][value] for value in values if value in CODE_OF[column]]
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
        """How many of ``rows`` have each value among the choices of ``column``."""
        per_code = np.bincount(self.codes[column][rows], minlength=len(CODE_OF[column]))
        return {value: int(per_code[code]) for value, code in CODE_OF[column].items()}

    def value_counts(self, rows: np.ndarray, facet: str) -> dict[str, int]:
        """How many of ``rows`` have each value of ``facet`` that some row has."""
        entries = self.facets[facet]
        return dict(zip(entries.values, entries.counts(rows).tolist(), strict=True))


def _changed_rows(services: list[int]) -> list[tuple]:
    """The rows ``services`` have now, in title order, each as (id, locale,
    translation key, an unchanged translation's id, the id of the unchanged
    row it follows in title order, the coded columns..., date verified)."""
    unchanged = ServiceRow.objects.exclude(pk__in=services)
    # In the database's own order of titles, as ``_read`` orders them.
    after_same_title = (
        unchanged.filter(title_key=OuterRef("title_key"), pk__lt=OuterRef("pk"))
        .order_by("-pk")
        .values("pk")[:1]
    )
    after_lower_title = (
        unchanged.filter(title_key__lt=OuterRef("title_key"))
        .order_by("-title_key", "-pk")
        .values("pk")[:1]
    )
    # Any unchanged translation: its number is this row's too.
    translated = unchanged.filter(translation_key=OuterRef("translation_key")).values("pk")[:1]
    return list(
        ServiceRow.objects.filter(pk__in=services)
        .annotate(
            after=Coalesce(Subquery(after_same_title), Subquery(after_lower_title)),
            translated=Subquery(translated),
            **{f"{name}_code": _code(name) for name in CODED},
        )
        .order_by("title_key", "pk")
        .values_list(
            "pk",
            "locale_id",
            "translation_key",
            "translated",
            "after",
            *(f"{name}_code" for name in CODED),
            "last_verified",
        )
    )


def _facet_values(facet: str) -> tuple[list[str], np.ndarray]:
    """The values of ``facet`` that rows have, in order, and every entry as
    (row id, the value's place in that order). The database joins each entry
    to its value's number, so only numbers cross over for the entries, and
    numpy reads them in one call. (Numbered in a window over every entry, the
    entries were sorted first: 0.9 s a facet at 300,000 services against
    0.45 s joined.) PostgreSQL numbers the values just read, passed back as
    an array; SQLite finds them again."""
    own = ServiceRowValue.objects.filter(facet=facet).order_by()
    values = [value for (value,) in fetch(own.values_list("value").distinct().order_by("value"))]
    table = connection.ops.quote_name(ServiceRowValue._meta.db_table)
    row, facet_column, value = (
        connection.ops.quote_name(ServiceRowValue._meta.get_field(name).column)
        for name in ("row", "facet", "value")
    )
    if connection.vendor == "postgresql":
        # The values just read, numbered from an array, not found again
        # among every entry: 4.7 s for the six facets at 300,000 services
        # against 6.4 s.
        numbered = (
            "SELECT value, place - 1 AS code "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS read_values(value, place)"
        )
        parameters = [values]
    else:
        numbered = (
            f"SELECT {value}, ROW_NUMBER() OVER (ORDER BY {value}) - 1 AS code "  # noqa: S608 - names from the model
            f"FROM (SELECT DISTINCT {value} FROM {table} WHERE {facet_column} = %s) AS distinct_values"
        )
        parameters = [facet]
    entries = fetch_array(
        (
            f"""
            WITH numbered AS ({numbered})
            SELECT entry.{row}, numbered.code
            FROM {table} AS entry JOIN numbered ON numbered.{value} = entry.{value}
            WHERE entry.{facet_column} = %s
            """,  # noqa: S608 - names from the model, values as parameters
            [*parameters, facet],
        ),
        np.int64,
        width=2,
    )
    return values, entries


def _row_arrays(rows: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """Rows as ``load`` reads them as numbers: every column but the last, a
    date, converted in one call; the dates as day numbers."""
    width = 3 + len(CODED)
    numbers = np.array([row[:-1] for row in rows], dtype=np.int64).reshape(-1, width)
    return numbers, np.fromiter((row[-1].toordinal() for row in rows), np.int32, len(rows))


# Rows read at a time when every row is read: each chunk becomes numbers
# before the next is read. Read whole as Python tuples, the 3.3 million facet
# entries and 370,000 rows of 300,000 services took 650 MB at once.
CHUNK = 50_000


def fetch_chunks(sql: str, params) -> Iterator[list[tuple]]:
    """The rows of ``sql``, ``CHUNK`` at a time. (PostgreSQL's client library
    holds the whole result meanwhile, compactly; through a cursor on the
    server, every row took 1-1.5 s longer to read.)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk


def fetch_array(source, dtype, width: int) -> np.ndarray:
    """The rows of a ``values_list`` queryset or of (sql, params), ``width``
    numbers each, as one array, converted a chunk at a time."""
    sql, params = source.query.sql_with_params() if hasattr(source, "query") else source
    parts = [np.array(chunk, dtype=dtype) for chunk in fetch_chunks(sql, params)]
    return np.concatenate(parts) if parts else np.zeros((0, width), dtype=dtype)


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
    if latest is None or token is None:
        latest = _latest = Snapshot.load()
    elif latest.token != token:
        latest = _latest = latest.updated()
    return latest


@contextmanager
def _one_moment():
    """A transaction that reads the rows as of one moment. PostgreSQL's
    default isolation would let a change commit between the statements;
    repeatable read sees one moment. (Inside a transaction already open, as
    in tests, the level can no longer be set; there one connection writes and
    reads anyway.)"""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield
