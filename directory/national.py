"""The geography of a national coalition, written in bulk: 400 municipalities
and 3,000 wijken, one municipality as large as Amsterdam. The national search
contract (tests/search/test_national_contract.py) and the national benchmark
(bench/national.py) build on it; ``add_child`` costs some 50 ms a page, so the
wijk pages are inserted with ``hsds.bulk.insert_pages``."""

from __future__ import annotations

import random
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from wagtail.models import Page

from hsds import bulk

from .models import Municipality, WijkIndexPage, WijkPage

MUNICIPALITIES = 400
WIJKEN = 3000
LARGEST = 100  # one municipality as large as Amsterdam

# The Netherlands, roughly: where the municipalities' centres fall when the
# wijken get places of their own.
LATITUDES = (51.0, 53.3)
LONGITUDES = (3.6, 7.0)


def wijken_per_municipality() -> list[int]:
    """3,000 wijken over 400 municipalities: the first has 100, the others 7 or 8."""
    rest, others = WIJKEN - LARGEST, MUNICIPALITIES - 1
    return [LARGEST] + [rest // others + (n < rest % others) for n in range(others)]


def write_municipalities() -> list[Municipality]:
    """The 400 municipalities, with CBS codes GM9000 to GM9399 (none of them real)."""
    return Municipality.objects.bulk_create(
        Municipality(name=f"Gemeente {number:04d}", cbs_code=f"GM{9000 + number:04d}")
        for number in range(MUNICIPALITIES)
    )


def write_wijken(
    index: WijkIndexPage, municipalities: list[Municipality], rng: random.Random | None = None
) -> list[WijkPage]:
    """Live wijk pages under ``index``, written as ``add_child`` would write
    them (no revision), with one multi-row insert per table.

    Without ``rng`` every wijk lies at the same point and has no postcodes
    (what the search contract needs); with it, every municipality gets a
    centre somewhere in the country, its wijken lie within about 3 km of it,
    and every wijk gets two 4-digit postcodes of its own (what a benchmark
    of searches by distance needs)."""
    content_type = ContentType.objects.get_for_model(WijkPage)
    step = bulk.next_steps([index])[index.pk]
    pages = []
    for municipality, count in zip(municipalities, wijken_per_municipality(), strict=True):
        centre = (52.0, 5.0)
        if rng:
            centre = (rng.uniform(*LATITUDES), rng.uniform(*LONGITUDES))
        for number in range(count):
            code = f"WK{municipality.number}{number:02d}"
            latitude, longitude, postcodes = 52.0, 5.0, ""
            if rng:
                latitude = round(centre[0] + rng.uniform(-0.027, 0.027), 6)
                longitude = round(centre[1] + rng.uniform(-0.04, 0.04), 6)
                first = 1000 + 2 * len(pages)
                postcodes = f"{first}, {first + 1}"
            pages.append(
                WijkPage(
                    title=f"Wijk {number:02d} van {municipality.name}",
                    draft_title=f"Wijk {number:02d} van {municipality.name}",
                    slug=code.lower(),
                    url_path=f"{index.url_path}{code.lower()}/",
                    cbs_code=code,
                    municipality=municipality,
                    latitude=latitude,
                    longitude=longitude,
                    postcodes=postcodes,
                    live=True,
                    locale_id=index.locale_id,
                    translation_key=uuid.uuid4(),
                    content_type=content_type,
                    depth=index.depth + 1,
                    path=Page._get_path(index.path, index.depth + 1, step + len(pages)),
                    numchild=0,
                )
            )
    bulk.insert_pages(WijkPage, pages)
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(pages))
    return pages
