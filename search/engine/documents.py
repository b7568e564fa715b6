"""What the engine stores for a service: its searchable text in the page's own
language, and everything the filters, facets and sorts need, precomputed."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import strip_tags

from directory.models import (
    Audience,
    OpeningHours,
    OpeningHoursException,
    PartnerPage,
    ServiceLocation,
    ServicePage,
    Theme,
    WijkPage,
)
from directory.models.facets import channel_values

from ..analysis import index_terms

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


_TAG = re.compile(r"<[^<>]*>")


def plain_text(html: str) -> str:
    """``strip_tags(html)``, fast for the well-formed HTML of rich text.

    Django's strip_tags runs an HTML parser and was a third of the time to
    build a document. Removing the tags with a regular expression gives the
    same text unless a ``<`` or ``>`` is left over (in an attribute value,
    a script, a broken tag); then strip_tags decides.
    """
    text = _TAG.sub("", html)
    if "<" in text or ">" in text:
        return strip_tags(html)
    return text


def _related(relation: str, page_ids: QuerySet, *fields: str) -> dict[int, list[tuple]]:
    """``fields`` of the terms each page links to through a many-to-many
    relation, per page id, in the terms' own order: one query for many pages."""
    field = ServicePage._meta.get_field(relation)
    through, own, other = (
        field.remote_field.through,
        field.m2m_field_name(),
        field.m2m_reverse_field_name(),
    )
    ordering = [f"{other}__{name}" for name in field.related_model._meta.ordering or ["pk"]]
    rows = (
        through.objects.filter(**{f"{own}__in": page_ids})
        .order_by(*ordering, "pk")
        .values_list(own, *(f"{other}__{name}" for name in fields))
    )
    per_page: dict[int, list[tuple]] = defaultdict(list)
    for page_id, *values in rows:
        per_page[page_id].append(tuple(values))
    return per_page


def open_scopes(location_keys: list, hours: list[tuple], exceptions: list[tuple]) -> list[dict]:
    """The hours of each place, as ``ServicePage.is_open_at`` reads them: of
    every location when some row is for one location only (rows for all
    count at each), else of the service as a whole. On a day with an
    exception for the place (one for the location before one for all), the
    exception's hours replace the week's."""
    keyed = any(row[-1] is not None for row in (*hours, *exceptions))
    places = location_keys if location_keys and keyed else [None]
    scopes = []
    for place in places:

        def holds(row, place=place):
            return row[-1] is None or (place is not None and row[-1] == place)

        on_day: dict[datetime.date, tuple] = {}
        ordered = sorted(
            (row for row in exceptions if holds(row)), key=lambda r: (r[-1] is None, r[0])
        )
        for row in ordered:
            for day in _days(row[0], row[1]):
                on_day.setdefault(day, row)
        scopes.append(
            {
                "open_ranges": [
                    {
                        "gte": weekday * MINUTES_PER_DAY + _minutes(opens),
                        "lt": weekday * MINUTES_PER_DAY + _minutes(closes),
                    }
                    for weekday, opens, closes, _key in hours
                    if holds((weekday, opens, closes, _key))
                ],
                "exception_dates": sorted(day.isoformat() for day in on_day),
                "exception_open": [
                    {"gte": _local_iso(day, row[3]), "lt": _local_iso(day, row[4])}
                    for day, row in sorted(on_day.items())
                    if not row[2]
                ],
            }
        )
    return scopes


def _children(model, page_ids: QuerySet, *fields: str) -> dict[int, list[tuple]]:
    """``fields`` of the inline rows (locations, hours) of each page, in order."""
    per_page: dict[int, list[tuple]] = defaultdict(list)
    rows = model.objects.filter(page_id__in=page_ids).order_by("sort_order", "pk")
    for page_id, *values in rows.values_list("page_id", *fields):
        per_page[page_id].append(tuple(values))
    return per_page


class DocumentBuilder:
    """Builds the documents of many services with a fixed number of queries.

    Reads plain rows (``values_list``) rather than page objects with prefetched
    relations: a reindex builds every document once and model instances were
    most of its cost.
    """

    FIELDS = (
        "pk",
        "path",
        "translation_key",
        "locale_id",
        "locale__language_code",
        "title",
        "title_key",
        "summary",
        "body",
        "accessibility",
        "cost",
        "access",
        "status",
        "last_verified",
    )

    def __init__(self, services: QuerySet):
        self.rows = list(services.order_by("pk").values(*self.FIELDS))
        # A subquery, not a list of ids: Django prepares every element of a
        # list for every query, which cost more than building the documents.
        ids = services.values("pk")
        parent_paths = {row["path"][: -ServicePage.steplen] for row in self.rows}
        self.partners = {
            path: (title, partner_type)
            for path, title, partner_type in PartnerPage.objects.filter(
                path__in=parent_paths
            ).values_list("path", "title", "partner_type")
        }
        # Names of themes and audiences in every language, for the text of each
        # service's own language (translations share a translation_key).
        self.names, self.term_keys = {}, {}
        for model in (Theme, Audience):
            for pk, key, locale_id, name in model.objects.values_list(
                "pk", "translation_key", "locale_id", "name"
            ):
                self.names[model, key, locale_id] = name
                self.term_keys[model, pk] = key
        # For Dutch pages: the languages they are translated into, so searches
        # in those languages show the translation instead of the Dutch page.
        self.translated_into: dict = defaultdict(list)
        for key, code in (
            ServicePage.objects.live()
            .public()
            .filter(translation_key__in=services.values("translation_key"))
            .exclude(locale__language_code=settings.LANGUAGE_CODE)
            .values_list("translation_key", "locale__language_code")
        ):
            self.translated_into[key].append(code)
        self.municipality_wijken: dict[int, set[str]] = defaultdict(set)
        for municipality_id, code in WijkPage.objects.filter(
            municipality__isnull=False
        ).values_list("municipality_id", "cbs_code"):
            self.municipality_wijken[municipality_id].add(code)
        term = ("slug", "name", "pk")
        self.themes = _related("themes", ids, *term)
        self.audiences = _related("audiences", ids, *term)
        self.languages = _related("languages", ids, "code")
        self.channels = channel_values(ids)
        self.wijken = _related("wijken", ids, "cbs_code")
        self.municipalities = _related("municipalities", ids, "pk", "cbs_code")
        self.locations = _children(ServiceLocation, ids, "latitude", "longitude", "hsds_id")
        self.hours = _children(OpeningHours, ids, "weekday", "opens", "closes", "location_key")
        self.exceptions = _children(
            OpeningHoursException,
            ids,
            "start_date",
            "end_date",
            "closed",
            "opens",
            "closes",
            "location_key",
        )

    def __iter__(self) -> Iterator[tuple[int, str, dict]]:
        """(page id, language, document) for every service."""
        for row in self.rows:
            yield row["pk"], row["locale__language_code"], self.document(row)

    def names_of(self, model, terms: list[tuple], locale_id: int) -> list[str]:
        return [
            self.names.get((model, self.term_keys[model, pk], locale_id), name)
            for _slug, name, pk in terms
        ]

    def document(self, row: dict) -> dict:
        pk = row["pk"]
        partner_title, partner_type = self.partners.get(
            row["path"][: -ServicePage.steplen], ("", "")
        )
        themes, audiences = self.themes[pk], self.audiences[pk]
        municipalities = self.municipalities[pk]
        wijken = {code for (code,) in self.wijken[pk]}
        for municipality_id, _code in municipalities:
            wijken |= self.municipality_wijken[municipality_id]
        language = row["locale__language_code"]
        body = plain_text(row["body"] or "")
        return {
            "pk": pk,
            "language": language,
            "translated_into": (
                sorted(self.translated_into[row["translation_key"]])
                if language == settings.LANGUAGE_CODE
                else []
            ),
            "title": row["title"],
            "title_key": row["title_key"],
            "summary": row["summary"],
            "body": body,
            "accessibility": row["accessibility"],
            "partner_name": partner_title,
            "partner_type": partner_type,
            "theme_names": self.names_of(Theme, themes, row["locale_id"]),
            "themes": [slug for slug, _name, _key in themes],
            "audience_names": self.names_of(Audience, audiences, row["locale_id"]),
            "audiences": [slug for slug, _name, _key in audiences],
            "languages": [code for (code,) in self.languages[pk]],
            "channels": sorted(self.channels.get(pk, ())),
            "wijken": sorted(wijken),
            "municipalities": [code for _pk, code in municipalities],
            "cost": row["cost"],
            "access": row["access"],
            "status": row["status"],
            "last_verified": row["last_verified"].isoformat(),
            "locations": [{"lat": lat, "lon": lon} for lat, lon, _key in self.locations[pk]],
            "open_scopes": open_scopes(
                [key for _lat, _lon, key in self.locations[pk]],
                self.hours[pk],
                self.exceptions[pk],
            ),
            "spell": f"{row['title']} {row['summary']}",
            # What the database backend indexes beside the text (search/analysis.py):
            # plain forms (sizinti for sızıntı) and stems of languages the engine
            # has no analyser for (Somali), which the analysed query asks for.
            "analysed": index_terms(
                [row["title"], row["summary"], body, row["accessibility"] or ""], language
            ),
        }
