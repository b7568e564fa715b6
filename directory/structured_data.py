"""schema.org JSON-LD for services and organisations, so search engines and
other directories can read a listing. Only public fields: never contact persons."""

from .choices import Cost, Weekday
from .links import page_url
from .opening import scopes


def _full_url(page, request) -> str:
    """The page's address in the visitor's language, on the host she asked."""
    url = page_url(page, request=request)
    return request.build_absolute_uri(url) if request is not None else page.get_full_url()


def organisation(partner, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": _full_url(partner, request) + "#organisation",
        "name": partner.title,
        "url": _full_url(partner, request),
    }
    if partner.website:
        data["sameAs"] = [partner.website]
    if partner.phone:
        data["telephone"] = partner.phone.as_e164
    if partner.email:
        data["email"] = partner.email
    return data


def service(page, request) -> dict:
    partner = page.partner
    data = {
        "@context": "https://schema.org",
        "@type": "Service",
        "name": page.title,
        "description": page.summary,
        "url": _full_url(page, request),
        "inLanguage": page.locale.language_code,
        "dateModified": (page.last_published_at or page.latest_revision_created_at),
        "provider": organisation(partner, request),
        "serviceType": [theme.name for theme in page.themes.all()],
        "audience": [
            {"@type": "Audience", "audienceType": audience.name}
            for audience in page.audiences.all()
        ],
        "availableLanguage": [language.code for language in page.languages.all()],
        "isAccessibleForFree": page.cost == Cost.FREE,
        "areaServed": [
            {"@type": "AdministrativeArea", "name": wijk.title, "identifier": wijk.cbs_code}
            for wijk in page.wijken.all()
        ]
        + [
            {"@type": "AdministrativeArea", "name": m.name, "identifier": m.cbs_code}
            for m in page.municipalities.all()
        ],
    }
    channel = {"@type": "ServiceChannel"}
    if page.phone:
        channel["servicePhone"] = {"@type": "ContactPoint", "telephone": page.phone.as_e164}
    if page.website:
        channel["serviceUrl"] = page.website
    # Hours per location go with each place; hours for all locations stay the service's.
    per_location = {where.hsds_id: rows for where, rows, _exceptions in scopes(page) if where}
    locations = list(page.locations.all())
    if locations:
        channel["serviceLocation"] = [
            _place(location, per_location.get(location.hsds_id)) for location in locations
        ]
    data["availableChannel"] = channel
    hours = [] if per_location else _hours(page.opening_hours.all())
    if hours:
        data["hoursAvailable"] = hours
    return data


def _hours(rows) -> list[dict]:
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": Weekday(row.weekday).schema_org,
            "opens": row.opens.strftime("%H:%M"),
            "closes": row.closes.strftime("%H:%M"),
        }
        for row in rows
    ]


def _place(location, rows=None) -> dict:
    place = {
        "@type": "Place",
        "name": location.name or location.address,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": location.address,
            "postalCode": location.postcode,
            "addressLocality": location.city,
            "addressCountry": "NL",
        },
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": location.latitude,
            "longitude": location.longitude,
        },
    }
    if rows:
        place["openingHoursSpecification"] = _hours(rows)
    return place
