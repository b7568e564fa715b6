"""Find a location from its postcode and house number, for the service editor.

In order, the first that knows the address:
1. the PDOK Locatieserver (the Dutch government's address register, BAG), when
   the deployment chose it (``GEOCODER=pdok``): street, city and the address's
   own coordinates;
2. the directory itself: a location already entered at that postcode and number;
3. the offline PC4 table: the centre of the postcode area, which the editor then
   moves to the door (the answer says it is approximate).

The editor can always type or correct the coordinates by hand.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from search.geocoding import pc4_table

from .validators import normalise_postcode, validate_postcode

logger = logging.getLogger(__name__)

ADDRESS = "address"
POSTCODE_AREA = "postcode_area"
# A house number as the BAG writes it: digits, then an optional letter or addition.
HOUSE_NUMBER = re.compile(r"^\s*(?P<number>[1-9]\d{0,4})\s*-?\s*(?P<addition>[A-Za-z0-9]{0,4})\s*$")
PDOK_URL = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free"


@dataclass(frozen=True)
class FoundAddress:
    latitude: float
    longitude: float
    precision: str
    source: str
    street: str = ""
    postcode: str = ""
    city: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def clean(postcode: str, number: str) -> tuple[str, str]:
    """The postcode as ``1234 AB`` and the house number as written, or a
    ValidationError naming the field that is wrong."""
    errors = {}
    postcode = normalise_postcode(postcode or "")
    try:
        validate_postcode(postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages
    match = HOUSE_NUMBER.match(number or "")
    if not match:
        errors["number"] = [_("Enter a house number, for example 12 or 12a.")]
    if errors:
        raise ValidationError(errors)
    return postcode, (match["number"] + match["addition"]).strip()


def find(postcode: str, number: str) -> FoundAddress | None:
    postcode, number = clean(postcode, number)
    if settings.GEOCODER == "pdok":
        found = from_pdok(postcode, number)
        if found:
            return found
    return from_directory(postcode, number) or from_pc4_table(postcode)


def from_directory(postcode: str, number: str) -> FoundAddress | None:
    from .models import ServiceLocation

    pattern = rf"(^|\s){re.escape(number)}$"
    for location in ServiceLocation.objects.filter(postcode=postcode).order_by("pk"):
        if re.search(pattern, location.address.strip(), re.IGNORECASE):
            return FoundAddress(
                latitude=location.latitude,
                longitude=location.longitude,
                precision=ADDRESS,
                source="directory",
                street=location.address.strip(),
                postcode=postcode,
                city=location.city,
            )
    return None


def from_pc4_table(postcode: str) -> FoundAddress | None:
    point = pc4_table().get(postcode[:4])
    if point is None:
        return None
    return FoundAddress(
        latitude=round(point.latitude, 6),
        longitude=round(point.longitude, 6),
        precision=POSTCODE_AREA,
        source="pc4",
        postcode=postcode,
    )


def from_pdok(postcode: str, number: str) -> FoundAddress | None:
    import requests

    try:
        response = requests.get(
            PDOK_URL,
            params={
                "q": f"postcode:{postcode.replace(' ', '')} and huis_nlt:{number}",
                "fq": "type:adres",
                "rows": 1,
            },
            timeout=3,
        )
        response.raise_for_status()
        return parse_pdok(response.json())
    except (requests.RequestException, ValueError):
        logger.warning("PDOK address lookup failed for %s %s", postcode, number, exc_info=True)
        return None


def parse_pdok(payload: dict) -> FoundAddress | None:
    """The first address of a Locatieserver answer (``centroide_ll`` is ``POINT(lon lat)``)."""
    docs = payload.get("response", {}).get("docs", [])
    if not docs:
        return None
    doc = docs[0]
    match = re.match(r"POINT\(([-\d.]+) ([-\d.]+)\)", doc.get("centroide_ll", ""))
    if not match:
        return None
    street = " ".join(part for part in (doc.get("straatnaam", ""), doc.get("huis_nlt", "")) if part)
    return FoundAddress(
        latitude=float(match[2]),
        longitude=float(match[1]),
        precision=ADDRESS,
        source="pdok",
        street=street,
        postcode=normalise_postcode(doc.get("postcode", "")),
        city=doc.get("woonplaatsnaam", ""),
    )
