"""What the engine stores for a service: its searchable text in the page's own
language, and everything the filters, facets and sorts need, precomputed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags

from directory.models import Audience, Municipality, PartnerPage, ServicePage, Theme

MINUTES_PER_DAY = 24 * 60
# Exceptions are indexed day by day; a longer one (a renovation) is capped.
MAX_EXCEPTION_DAYS = 366


def minute_of_week(moment: datetime.datetime) -> int:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def _minutes(time: datetime.time) -> int:
    return time.hour * 60 + time.minute


def _days(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    for offset in range(min((end - start).days + 1, MAX_EXCEPTION_DAYS)):
        yield start + datetime.timedelta(days=offset)


def _local_iso(day: datetime.date, time: datetime.time) -> str:
    naive = datetime.datetime.combine(day, time)
    return timezone.make_aware(naive).isoformat()


def prefetched(services):
    return services.prefetch_related(
        "themes",
        "audiences",
        "languages",
        "wijken",
        "municipalities",
        "locations",
        "opening_hours",
        "opening_hours_exceptions",
    )


class DocumentBuilder:
    """Builds documents for many services with a fixed number of queries."""

    def __init__(self, services: Iterable[ServicePage]):
        self.services = list(services)
        parent_paths = {service.path[: -ServicePage.steplen] for service in self.services}
        self.partners = {
            partner.path: partner for partner in PartnerPage.objects.filter(path__in=parent_paths)
        }
        # Names of themes and audiences in every language, for the text of each
        # service's own language (translations share a translation_key).
        self.names = {
            (model, key, locale_id): name
            for model in (Theme, Audience)
            for key, locale_id, name in model.objects.values_list(
                "translation_key", "locale_id", "name"
            )
        }
        # For Dutch pages: the languages they are translated into, so searches
        # in those languages show the translation instead of the Dutch page.
        self.translated_into: dict = {}
        keys = {service.translation_key for service in self.services}
        for key, code in (
            ServicePage.objects.live()
            .public()
            .filter(translation_key__in=keys)
            .exclude(locale__language_code=settings.LANGUAGE_CODE)
            .values_list("translation_key", "locale__language_code")
        ):
            self.translated_into.setdefault(key, []).append(code)
        self.municipality_wijken: dict[int, set[str]] = {}
        for municipality in Municipality.objects.prefetch_related("wijken"):
            self.municipality_wijken[municipality.pk] = {
                w.cbs_code for w in municipality.wijken.all()
            }

    def __iter__(self) -> Iterator[tuple[ServicePage, dict]]:
        for service in self.services:
            yield service, self.document(service)

    def name(self, term, service: ServicePage) -> str:
        return self.names.get((type(term), term.translation_key, service.locale_id), term.name)

    def document(self, service: ServicePage) -> dict:
        partner = self.partners.get(service.path[: -ServicePage.steplen])
        themes = list(service.themes.all())
        audiences = list(service.audiences.all())
        municipalities = list(service.municipalities.all())
        wijken = {wijk.cbs_code for wijk in service.wijken.all()}
        for municipality in municipalities:
            wijken |= self.municipality_wijken.get(municipality.pk, set())
        exceptions = list(service.opening_hours_exceptions.all())
        language = service.locale.language_code
        return {
            "pk": service.pk,
            "language": language,
            "translated_into": (
                sorted(self.translated_into.get(service.translation_key, []))
                if language == settings.LANGUAGE_CODE
                else []
            ),
            "title": service.title,
            "summary": service.summary,
            "body": strip_tags(service.body or ""),
            "accessibility": service.accessibility,
            "partner_name": partner.title if partner else "",
            "partner_type": partner.partner_type if partner else "",
            "theme_names": [self.name(theme, service) for theme in themes],
            "themes": [theme.slug for theme in themes],
            "audience_names": [self.name(audience, service) for audience in audiences],
            "audiences": [audience.slug for audience in audiences],
            "languages": [language.code for language in service.languages.all()],
            "wijken": sorted(wijken),
            "municipalities": [municipality.cbs_code for municipality in municipalities],
            "cost": service.cost,
            "access": service.access,
            "status": service.status,
            "last_verified": service.last_verified.isoformat(),
            "locations": [
                {"lat": location.latitude, "lon": location.longitude}
                for location in service.locations.all()
            ],
            "open_ranges": [
                {
                    "gte": row.weekday * MINUTES_PER_DAY + _minutes(row.opens),
                    "lt": row.weekday * MINUTES_PER_DAY + _minutes(row.closes),
                }
                for row in service.opening_hours.all()
            ],
            "exception_dates": sorted(
                {day.isoformat() for e in exceptions for day in _days(e.start_date, e.end_date)}
            ),
            "exception_open": [
                {"gte": _local_iso(day, e.opens), "lt": _local_iso(day, e.closes)}
                for e in exceptions
                if not e.closed
                for day in _days(e.start_date, e.end_date)
            ],
            "spell": f"{service.title} {service.summary}",
        }
