"""Validators that speak to editors in plain words.

Each message names what is wrong and shows an example of what is right, because
partner editors are not developers.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# The European part of the Netherlands, with a small margin for the coast.
NL_LATITUDE = (50.70, 53.70)
NL_LONGITUDE = (3.20, 7.30)

validate_cbs_wijk_code = RegexValidator(
    r"^WK\d{6}$",
    _("Enter a CBS wijk code: WK followed by 6 digits, for example WK034403."),
    code="cbs_wijk_code",
)
validate_cbs_municipality_code = RegexValidator(
    r"^GM\d{4}$",
    _("Enter a CBS municipality code: GM followed by 4 digits, for example GM0344."),
    code="cbs_municipality_code",
)
validate_iso_639 = RegexValidator(
    r"^[a-z]{2,3}$",
    _("Enter an ISO 639 language code of 2 or 3 lower-case letters, for example nl or prs."),
    code="iso_639",
)

POSTCODE_RE = re.compile(r"^(?P<digits>[1-9]\d{3})\s?(?P<letters>[A-Z]{2})$")
PC4_RE = re.compile(r"^[1-9]\d{3}$")
# PostNL never issues these letter pairs.
FORBIDDEN_POSTCODE_LETTERS = {"SA", "SD", "SS"}


def normalise_postcode(value: str) -> str:
    """Return ``1234 AB`` for any of ``1234ab``, ``1234 AB``, `` 1234  ab ``."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    return (value or "").strip()


def validate_postcode(value: str) -> None:
    match = POSTCODE_RE.match(value or "")
    if not match or match["letters"] in FORBIDDEN_POSTCODE_LETTERS:
        raise ValidationError(
            _("Enter a Dutch postcode: 4 digits and 2 letters, for example 3563 AB."),
            code="postcode",
        )


def parse_pc4_list(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value or "") if part]


def validate_pc4_list(value: str) -> None:
    codes = parse_pc4_list(value)
    wrong = [code for code in codes if not PC4_RE.match(code)]
    if wrong:
        raise ValidationError(
            _(
                "These are not 4-digit postcodes: %(wrong)s. "
                "Separate postcodes with commas, for example 3561, 3562."
            ),
            params={"wrong": ", ".join(wrong)},
            code="pc4",
        )
    if len(set(codes)) != len(codes):
        raise ValidationError(_("A postcode appears more than once."), code="pc4_duplicate")


def validate_latitude(value: float) -> None:
    if value is not None and not NL_LATITUDE[0] <= value <= NL_LATITUDE[1]:
        raise ValidationError(
            _(
                "This latitude lies outside the Netherlands. Dutch latitudes are between "
                "50.7 and 53.7, for example 52.0907. Did you swap latitude and longitude?"
            ),
            code="latitude",
        )


def validate_longitude(value: float) -> None:
    if value is not None and not NL_LONGITUDE[0] <= value <= NL_LONGITUDE[1]:
        raise ValidationError(
            _(
                "This longitude lies outside the Netherlands. Dutch longitudes are between "
                "3.2 and 7.3, for example 5.1214. Did you swap latitude and longitude?"
            ),
            code="longitude",
        )


def _is_public_hostname(host: str) -> bool:
    if not host or host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return False
    labels = host.rstrip(".").split(".")
    return len(labels) >= 2 and labels[-1].isalpha() and len(labels[-1]) >= 2


def validate_public_url(value: str) -> None:
    """A web address residents can open: http(s), a real-looking domain, no password."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"}:
        raise ValidationError(
            _(
                "Enter a web address that starts with https://, for example https://www.example.nl/."
            ),
            code="url_scheme",
        )
    if parts.username or parts.password or not _is_public_hostname(parts.hostname or ""):
        raise ValidationError(
            _("Enter the public web address of a website, for example https://www.example.nl/."),
            code="url_host",
        )


def validate_public_email(value: str) -> None:
    """Django accepts ``name@localhost``; residents cannot write to that."""
    if value and not _is_public_hostname(value.rpartition("@")[2].lower()):
        raise ValidationError(
            _("Enter an e-mail address with a full domain, for example info@example.nl."),
            code="email_domain",
        )


validate_kvk_number = RegexValidator(
    r"^\d{8}$",
    _("Enter a KvK number of 8 digits, for example 30123456."),
    code="kvk_number",
)
