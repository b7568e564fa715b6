"""The one query API over the directory's services.

Views build a :class:`ServiceQuery` and call :func:`search_services`; they never
touch a search backend themselves. This is the embedded database implementation
(SQLite FTS5 or PostgreSQL full text through Wagtail's database search backend,
with the ORM for filters and facet counts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet

from wagtail.models import Locale

from directory.models import ServicePage

FACETS = ("themes", "audiences", "languages", "wijk")


@dataclass(frozen=True)
class ServiceQuery:
    """What a visitor asked for. Within a facet values are alternatives (OR);
    different facets all apply (AND)."""

    text: str = ""
    themes: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    wijk: str = ""

    @property
    def is_empty(self) -> bool:
        return self == ServiceQuery()

    def without(self, facet: str) -> ServiceQuery:
        return replace(self, **{facet: "" if facet == "wijk" else ()})


@dataclass
class ServiceSearchResults:
    query: ServiceQuery
    page: object  # django.core.paginator.Page of ServicePage
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # True when no service had every word, so services with some of them are shown.
    matched_some_words: bool = False


def _filtered(base: QuerySet, query: ServiceQuery) -> QuerySet:
    if query.themes:
        base = base.filter(themes__slug__in=query.themes)
    if query.audiences:
        base = base.filter(audiences__slug__in=query.audiences)
    if query.languages:
        base = base.filter(languages__code__in=query.languages)
    if query.wijk:
        base = base.filter(
            Q(wijken__cbs_code=query.wijk) | Q(municipalities__wijken__cbs_code=query.wijk)
        )
    return base


def search_terms(text: str) -> str:
    """The words of ``text``, without anything a full-text engine reads as syntax.

    SQLite FTS5 fails on an unclosed quote and reads AND, OR, NOT, NEAR, ``*``,
    ``-`` and ``:`` as operators; residents mean none of that. Letters and digits
    of every script stay.
    """
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).lower().split())


def _text_matches(base: QuerySet, text: str) -> tuple[list[int], bool]:
    """Ids of services matching ``text``, best first; all words if possible, else any."""
    text = search_terms(text)
    if not text:
        return [], False
    ids = [page.pk for page in base.search(text, operator="and")]
    if ids or len(text.split()) < 2:
        return ids, False
    return [page.pk for page in base.search(text, operator="or")], True


def _facet_counts(base: QuerySet, query: ServiceQuery, matched: list[int] | None):
    def scoped(facet):
        qs = _filtered(base, query.without(facet))
        return qs.filter(pk__in=matched) if matched is not None else qs

    counts: dict[str, dict[str, int]] = {}
    for facet, path in (
        ("themes", "themes__slug"),
        ("audiences", "audiences__slug"),
        ("languages", "languages__code"),
    ):
        # order_by() clears Page's default ordering, which would split the groups.
        rows = scoped(facet).order_by().values_list(path).annotate(n=Count("pk", distinct=True))
        counts[facet] = {value: n for value, n in rows if value}

    # A service serves a wijk directly or through its whole municipality.
    in_scope = scoped("wijk")
    per_wijk: dict[str, set[int]] = defaultdict(set)
    for path in ("wijken__cbs_code", "municipalities__wijken__cbs_code"):
        for code, pk in in_scope.values_list(path, "pk"):
            if code:
                per_wijk[code].add(pk)
    counts["wijk"] = {code: len(pks) for code, pks in per_wijk.items()}
    return counts


def search_services(
    query: ServiceQuery, locale: Locale, page_number=1, per_page: int = 20
) -> ServiceSearchResults:
    base = ServicePage.objects.live().public().filter(locale=locale)
    matched, some_words = (None, False)
    if query.text:
        matched, some_words = _text_matches(base, query.text)

    filtered_ids = set(_filtered(base, query).values_list("pk", flat=True))
    if matched is not None:
        ordered = [pk for pk in matched if pk in filtered_ids]
    else:
        ordered = list(
            base.filter(pk__in=filtered_ids).order_by("title").values_list("pk", flat=True)
        )

    page = Paginator(ordered, per_page).get_page(page_number)
    services = ServicePage.objects.filter(pk__in=list(page.object_list)).prefetch_related(
        "themes", "languages", "locations"
    )
    by_pk = {service.pk: service for service in services}
    page.object_list = [by_pk[pk] for pk in page.object_list]

    return ServiceSearchResults(
        query=query,
        page=page,
        total=len(ordered),
        facets=_facet_counts(base, query, matched),
        matched_some_words=some_words,
    )
