"""Create and update municipalities and wijk pages from CBS's wijken-en-buurten files.

Reads the "Kerncijfers wijken en buurten" table as CBS publishes it (Statline /
OData CSV: ``WijkenEnBuurten``, ``Gemeentenaam_1``, ``SoortRegio_2``,
``Codering_3``, ``MeestVoorkomendePostcode_NNN``; the column numbers change per
year, the names do not), and optionally the CBS/PDOK wijken GeoJSON for centre
points and outlines. Buurten are kept as data on their wijk.

A municipality is written in one transaction or not at all: one refused row
refuses the whole municipality, so a wijk never ends up without its buurten.
Running the same files again changes nothing and makes no revisions.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from wagtail.models import Locale

from search.geocoding import pc4_table
from search.opendata import (
    OpenDataError,
    Problem,
    centre_point,
    property_of,
    read_geojson,
    read_table,
    simplified_outline,
)

from .models import Municipality, WijkIndexPage, WijkPage
from .validators import PC4_RE

CODE_RE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
# CBS also lists the country, provinces and other regions in some extracts.
OTHER_REGION_RE = re.compile(r"^(NL|PV|LD|CR|GG|RE|JZ|AR)\d{2,4}$")
LEVELS = {"GM": "gemeente", "WK": "wijk", "BU": "buurt"}
# "Wijk 03 Overvecht" -> "Overvecht": residents do not know the wijk numbers.
NUMBER_PREFIX_RE = re.compile(r"^(Wijk|Buurt)\s+\d{2}\s+(?=\S)")
GEOJSON_CODE_PROPERTIES = ("wijkcode", "wk_code", "statcode", "code", "wijkenenbuurten")
MISSING = {"", ".", "-", "x", "?"}


@dataclass
class Area:
    row: int
    code: str
    name: str
    municipality_name: str
    postcode: str | None

    @property
    def level(self) -> str:
        return LEVELS[self.code[:2]]

    @property
    def municipality_code(self) -> str:
        return "GM" + self.code[2:6]


@dataclass
class WijkReport:
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def display_name(name: str) -> str:
    return NUMBER_PREFIX_RE.sub("", name.strip()).strip()


def _is_code(value: str) -> bool:
    return bool(CODE_RE.match(value.strip()) or OTHER_REGION_RE.match(value.strip()))


class _Source:
    """The CSV read into areas, with the problems of each row."""

    def __init__(self, path: str | Path, only: str | None):
        self.table = read_table(path)
        self.path = self.table.path
        self.problems: list[Problem] = []
        self.skipped = Counter()
        self.municipality_names: dict[str, str] = {}
        self._columns()
        self.areas = self._areas(only)

    def _columns(self) -> None:
        table = self.table
        codes = table.find_column("codering")
        regions = table.find_column("wijkenenbuurten")
        sample = [row for _, row in table.rows[:20]]
        regions_are_codes = bool(regions) and all(_is_code(r.get(regions, "")) for r in sample)
        if not codes and regions_are_codes:
            codes = regions
        names = table.find_column("wijkenenbuurten_label", "naam", "regionaam", "title")
        if not names and regions and not regions_are_codes:
            names = regions
        missing = []
        if not codes:
            missing.append("Codering_3 (the CBS code of each region)")
        if not names:
            missing.append("WijkenEnBuurten with names, or Naam")
        if missing:
            raise OpenDataError(
                f"{self.path}: missing column {' and '.join(missing)}. Expected the CBS table "
                "'Kerncijfers wijken en buurten' as Statline exports it (columns "
                "WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;...)."
            )
        self.code_column, self.name_column = codes, names
        self.level_column = table.find_column("soortregio")
        self.municipality_column = table.find_column("gemeentenaam")
        self.postcode_column = table.find_column("meestvoorkomendepostcode")

    def _problem(self, row: int, column: str, reason: str) -> None:
        self.problems.append(Problem(self.path, row, column, reason))

    def _areas(self, only: str | None) -> list[Area]:
        areas: list[Area] = []
        for number, row in self.table.rows:
            code = row.get(self.code_column, "").strip().upper()
            if OTHER_REGION_RE.match(code):
                self.skipped["regions other than municipality, wijk or buurt"] += 1
                continue
            if not CODE_RE.match(code):
                self._problem(
                    number,
                    self.code_column,
                    f"{code!r} is not a CBS code: GM and 4 digits, WK and 6, or BU and 8 "
                    "(GM0344, WK034403, BU03440311)",
                )
                continue
            area = Area(
                row=number,
                code=code,
                name=display_name(row.get(self.name_column, "")),
                municipality_name=row.get(self.municipality_column or "", "").strip(),
                postcode=None,
            )
            if self.level_column:
                level = row.get(self.level_column, "").strip().lower()
                if level and level != area.level:
                    self._problem(
                        number, self.level_column, f"{code} is a {area.level}, not a {level}"
                    )
                    continue
            if self.postcode_column:
                raw = row.get(self.postcode_column, "").replace(" ", "")
                if raw.lower() not in MISSING:
                    if not PC4_RE.match(raw[:4]) or len(raw) not in (4, 6):
                        self._problem(
                            number, self.postcode_column, f"{raw!r} is not a Dutch postcode"
                        )
                        continue
                    area.postcode = raw[:4]
            if not area.name and area.level != "gemeente":
                self._problem(number, self.name_column, f"{code} has no name")
                continue
            areas.append(area)
        return self._checked(areas, only)

    def _checked(self, areas: list[Area], only: str | None) -> list[Area]:
        municipality_names = {
            a.code: a.name or a.municipality_name for a in areas if a.level == "gemeente"
        }
        self.municipality_names = municipality_names
        codes_by_name = defaultdict(set)
        for code, name in municipality_names.items():
            codes_by_name[name].add(code)
        wanted_names = {municipality_names.get(only, "")} if only else set()
        wijk_codes = {a.code for a in areas if a.level == "wijk"}
        seen: set[str] = set()
        kept = []
        for area in areas:
            claimed = area.municipality_name
            if only and area.municipality_code != only and claimed not in wanted_names:
                self.skipped["rows of other municipalities"] += 1
                continue
            column = self.municipality_column or self.code_column
            expected = municipality_names.get(area.municipality_code)
            if claimed and expected and claimed != expected:
                self._problem(
                    area.row,
                    column,
                    f"{area.code} belongs to {area.municipality_code} ({expected}), "
                    f"but the row says {claimed}",
                )
                continue
            if claimed and not expected and codes_by_name.get(claimed):
                other = ", ".join(sorted(codes_by_name[claimed]))
                self._problem(
                    area.row,
                    column,
                    f"{area.code} belongs to {area.municipality_code}, but the row says "
                    f"{claimed} ({other})",
                )
                continue
            if area.code in seen:
                self._problem(area.row, self.code_column, f"{area.code} appears twice")
                continue
            if area.level == "buurt" and "WK" + area.code[2:8] not in wijk_codes:
                self._problem(
                    area.row,
                    self.code_column,
                    f"buurt {area.code} belongs to wijk WK{area.code[2:8]}, which is not in the file",
                )
                continue
            seen.add(area.code)
            kept.append(area)
        return kept


def _read_shapes(path: str | Path | None, problems: list[Problem]) -> dict[str, tuple]:
    """Wijk code -> ((latitude, longitude), outline) from a CBS/PDOK wijken GeoJSON;
    None for a wijk whose feature cannot be read (it refuses its municipality)."""
    if not path:
        return {}
    shapes = {}
    for number, properties, geometry in read_geojson(path):
        code = str(property_of(properties, *GEOJSON_CODE_PROPERTIES) or "").strip().upper()
        if not code.startswith("WK"):
            continue
        point = centre_point(geometry)
        if point is None:
            problems.append(
                Problem(str(path), number, "geometry", f"{code} has no polygon or point")
            )
            shapes[code] = None
            continue
        shapes[code] = (point, simplified_outline(geometry))
    return shapes


def import_wijken(
    path: str | Path,
    *,
    geojson: str | Path | None = None,
    municipality: str | None = None,
    dry_run: bool = False,
) -> WijkReport:
    source = _Source(path, municipality)
    report = WijkReport()
    report.problems.extend(source.problems)
    shapes = _read_shapes(geojson, report.problems)
    for reason, count in source.skipped.items():
        report.counts[f"skipped: {reason}"] += count
    by_municipality: dict[str, list[Area]] = defaultdict(list)
    for area in source.areas:
        by_municipality[area.municipality_code].append(area)
    # One refused row refuses its municipality (by the code's digits, also when
    # the code is malformed); a row without even that refuses every municipality.
    rows = dict(source.table.rows)
    refused_municipalities = set()
    for problem in source.problems:
        raw = rows.get(problem.row, {}).get(source.code_column, "").strip().upper()
        digits = raw[2:6]
        if len(digits) == 4 and digits.isdigit():
            refused_municipalities.add("GM" + digits)
        else:
            refused_municipalities |= set(by_municipality)
        # A row that names a municipality refuses that one too (a misfiled wijk).
        claimed = rows.get(problem.row, {}).get(source.municipality_column or "", "").strip()
        refused_municipalities |= {
            code for code, name in source.municipality_names.items() if claimed and name == claimed
        }
    refused_municipalities |= {"GM" + code[2:6] for code, shape in shapes.items() if not shape}
    locale = Locale.get_default()
    index = WijkIndexPage.objects.filter(locale=locale).first()
    if index is None:
        raise OpenDataError(
            "There is no wijk index page to put wijken under; create the site's pages first."
        )
    has_buurten = any(area.level == "buurt" for area in source.areas)
    for code, areas in sorted(by_municipality.items()):
        wijken = sum(area.level == "wijk" for area in areas)
        if code in refused_municipalities:
            report.counts["municipalities refused"] += 1
            report.counts["wijken refused"] += wijken
            continue
        importer = _MunicipalityImport(source, index, shapes, has_buurten, dry_run)
        with transaction.atomic():
            importer.run(code, areas)
            if importer.problems or dry_run:
                transaction.set_rollback(True)
        if importer.problems:
            report.problems.extend(importer.problems)
            report.counts["municipalities refused"] += 1
            report.counts["wijken refused"] += wijken
        else:
            report.counts.update(importer.counts)
    report.counts["rows refused"] = len({(p.file, p.row) for p in report.problems})
    return report


class _MunicipalityImport:
    def __init__(self, source: _Source, index: WijkIndexPage, shapes, has_buurten, dry_run):
        self.source, self.index, self.shapes = source, index, shapes
        self.has_buurten, self.dry_run = has_buurten, dry_run
        self.counts: Counter = Counter()
        self.problems: list[Problem] = []

    def run(self, code: str, areas: list[Area]) -> None:
        gemeente = next((a for a in areas if a.level == "gemeente"), None)
        name = (gemeente.name if gemeente else "") or next(
            (a.municipality_name for a in areas if a.municipality_name), ""
        )
        municipality = self._municipality(code, name, gemeente or areas[0])
        if municipality is None:
            return
        buurten = defaultdict(list)
        for area in areas:
            if area.level == "buurt":
                buurten["WK" + area.code[2:8]].append(area)
        for area in areas:
            if area.level == "wijk":
                self._wijk(area, municipality, buurten[area.code])

    def _municipality(self, code: str, name: str, row: Area) -> Municipality | None:
        municipality = Municipality.objects.filter(cbs_code=code).first()
        if municipality and (not name or municipality.name == name):
            self.counts["municipalities unchanged"] += 1
            return municipality
        if not name:
            self.problems.append(
                Problem(
                    self.source.path,
                    row.row,
                    self.source.municipality_column or "",
                    f"no name for municipality {code}: add its Gemeente row or Gemeentenaam_1",
                )
            )
            return None
        created = municipality is None
        municipality = municipality or Municipality(cbs_code=code)
        municipality.name = name
        try:
            municipality.full_clean()
        except ValidationError as exc:
            self._refuse(row, exc)
            return None
        # Also in a dry run: wijk pages validate against a saved municipality,
        # and the transaction around a dry run is rolled back.
        municipality.save()
        self.counts["municipalities created" if created else "municipalities updated"] += 1
        return municipality

    def _refuse(self, area: Area, exc: ValidationError) -> None:
        columns = {
            "cbs_code": self.source.code_column,
            "title": self.source.name_column,
            "postcodes": self.source.postcode_column or "postcodes",
        }
        for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            for message in messages:
                self.problems.append(
                    Problem(self.source.path, area.row, columns.get(name) or name, message)
                )

    def _wijk(self, area: Area, municipality: Municipality, buurten: list[Area]) -> None:
        existing = WijkPage.objects.filter(cbs_code=area.code, locale=self.index.locale).first()
        fields: dict = {"title": area.name, "cbs_code": area.code, "municipality": municipality}
        postcodes = sorted({a.postcode for a in [area, *buurten] if a.postcode})
        if postcodes:
            fields["postcodes"] = ", ".join(postcodes)
        if self.has_buurten:
            fields["buurten"] = [
                {"code": b.code, "name": b.name, **({"postcode": b.postcode} if b.postcode else {})}
                for b in sorted(buurten, key=lambda b: b.code)
            ]
        if self.shapes.get(area.code):
            (latitude, longitude), outline = self.shapes[area.code]
            fields |= {
                "latitude": round(latitude, 5),
                "longitude": round(longitude, 5),
                "outline": outline,
            }
        elif existing is None:
            point = self._from_postcodes(postcodes)
            if point is None:
                self.problems.append(
                    Problem(
                        self.source.path,
                        area.row,
                        self.source.code_column,
                        f"no location for new wijk {area.code}: pass --geojson with the CBS wijken "
                        "map, or give its postcodes and import the PC4 centre points first",
                    )
                )
                return
            fields["latitude"], fields["longitude"] = point
        if existing is None:
            page = WijkPage(slug=self._free_slug(area, municipality), locale=self.index.locale)
        else:
            page = existing.specific
            if page.has_unpublished_changes:
                self.problems.append(
                    Problem(
                        self.source.path,
                        area.row,
                        self.source.code_column,
                        f"wijk {area.code} has unpublished changes by an editor; publish or "
                        "discard them in the admin first",
                    )
                )
                return
            if all(getattr(page, name) == value for name, value in fields.items()):
                self.counts["wijken unchanged"] += 1
                return
        for name, value in fields.items():
            setattr(page, name, value)
        try:
            page.full_clean(exclude=["path", "depth"] if existing is None else None)
        except ValidationError as exc:
            self._refuse(area, exc)
            return
        self.counts["wijken created" if existing is None else "wijken updated"] += 1
        if self.dry_run:
            return
        if existing is None:
            self.index.add_child(instance=page)
        page.save_revision().publish()

    def _from_postcodes(self, postcodes: list[str]) -> tuple[float, float] | None:
        """The mean of the wijk's PC4 centre points, from the geocoder's table."""
        table = pc4_table()
        points = [table[code] for code in postcodes if code in table]
        if not points:
            return None
        return (
            round(sum(p.latitude for p in points) / len(points), 5),
            round(sum(p.longitude for p in points) / len(points), 5),
        )

    def _free_slug(self, area: Area, municipality: Municipality) -> str:
        taken = set(WijkPage.objects.child_of(self.index).values_list("slug", flat=True))
        for candidate in (
            slugify(area.name),
            slugify(f"{area.name} {municipality.name}"),
            slugify(f"{area.name} {area.code}"),
        ):
            if candidate and candidate not in taken:
                return candidate
        return area.code.lower()
