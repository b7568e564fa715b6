"""What a search with no results offers instead, so it is never a dead end.

A resident who finds nothing, often typing in a hurry, in a second language or
in distress, gets: the backend's did-you-mean; the themes nearest to her words
(theme names in every language and the thesaurus terms, matched with
rapidfuzz, so typos and other languages still land somewhere); the services
the same search finds in Dutch when her own language found none; and the
numbers to call right now, including her municipality's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import models
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext as _

from wagtail.models import Locale

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from directory.models import Municipality, Theme, ThemeIndexPage, WijkPage

from . import thesaurus as thesaurus_module
from .query import ServiceQuery, ServiceSearchResults, search_services

# A theme is offered when one of its words is at least this similar to one of
# the resident's words (rapidfuzz's 0-100 scale). Tried on the demo themes:
# 70 keeps "schuldhlup", "wonnen", "taalles" and "huisarts" on the right theme
# and offers nothing for "xyzzy" or a postcode.
THEME_MATCH_CUTOFF = 70
MAX_THEMES = 3
MAX_DUTCH_HITS = 3
# Words of a theme's description count a little less than its name and the
# thesaurus terms: they are examples, not what the theme is.
DESCRIPTION_WEIGHT = 0.9
# Words that start alike ("geld", "geldzaken"): Dutch glues words together,
# so the start of a compound says a lot, but less than the whole word.
PREFIX_WEIGHT = 0.9
MIN_WORD_LENGTH = 3


@dataclass(frozen=True)
class Number:
    shown: str  # as residents write it: 0800-0113
    dial: str  # what a tel: link dials


@dataclass(frozen=True)
class Helpline:
    name: str  # the service's own (Dutch) name, or a translated one
    description: str
    numbers: tuple[Number, ...]
    name_is_dutch: bool = True


@dataclass(frozen=True)
class ThemeLink:
    name: str
    url: str
    language_code: str  # of the name: her language, or Dutch where not translated


@dataclass(frozen=True)
class ServiceLink:
    title: str
    url: str
    language_code: str


@dataclass
class DutchMatches:
    total: int
    services: list[ServiceLink]
    search_url: str


@dataclass
class NoResultsHelp:
    suggestion: str = ""
    themes: list[ThemeLink] = field(default_factory=list)
    all_themes_url: str = ""
    dutch: DutchMatches | None = None
    helplines: list[Helpline] = field(default_factory=list)
    has_filters: bool = False


def national_helplines() -> list[Helpline]:
    """The national numbers a resident in crisis needs, free and open day and night.

    The ``tel:`` links dial the Dutch digits, not +31: 112, 113 and 0800
    numbers are meant to be dialled in the Netherlands."""
    return [
        Helpline(
            name="112",
            description=_("Emergency: police, fire brigade or ambulance"),
            numbers=(Number("112", "112"),),
        ),
        Helpline(
            name="113 Zelfmoordpreventie",
            description=_("If you think about suicide. Free and anonymous, day and night."),
            numbers=(Number("0800-0113", "08000113"), Number("113", "113")),
        ),
        Helpline(
            name="Veilig Thuis",
            description=_("Domestic violence or child abuse. Free, day and night."),
            numbers=(Number("0800-2000", "08002000"),),
        ),
    ]


def dial_string(phone) -> str:
    """What a ``tel:`` link dials for a stored number: Dutch numbers in their
    national digits, because "14 + area code" numbers (14 030) cannot be
    dialled with +31 in front; other countries' numbers in E.164."""
    if phone.country_code == 31:
        return "".join(ch for ch in phone.as_national if ch.isdigit())
    return phone.as_e164


def municipality_helplines(municipalities: Iterable[Municipality]) -> list[Helpline]:
    from directory.templatetags.directory_tags import national

    return [
        Helpline(
            name=_("Municipality of %(name)s") % {"name": municipality.name},
            description=_("For any question about living in your municipality."),
            numbers=(Number(national(municipality.phone), dial_string(municipality.phone)),),
            name_is_dutch=False,
        )
        for municipality in municipalities
        if municipality.phone
    ]


def municipalities_for(query: ServiceQuery) -> list[Municipality]:
    """Her wijk's municipality when she chose a wijk or a municipality; otherwise every
    municipality the site has wijken in (the demo: Utrecht)."""
    wijken = WijkPage.objects.live().public()
    if query.wijk:
        wijken = wijken.filter(cbs_code=query.wijk)
    elif query.municipality:
        wijken = wijken.filter(municipality__cbs_code=query.municipality)
    return list(
        Municipality.objects.filter(wijken__in=wijken).exclude(phone="").distinct().order_by("name")
    )


def _theme_vocabulary(thesaurus) -> dict[str, dict[str, float]]:
    """Every word residents might use for a theme -> {theme slug: weight}."""
    vocabulary: dict[str, dict[str, float]] = {}

    def add(text: str, slug: str, weight: float) -> None:
        for word in default_process(text).split():
            if len(word) >= MIN_WORD_LENGTH:
                slugs = vocabulary.setdefault(word, {})
                slugs[slug] = max(slugs.get(slug, 0.0), weight)

    for name, description, slug in Theme.objects.values_list("name", "description", "slug"):
        add(name, slug, 1.0)
        add(description, slug, DESCRIPTION_WEIGHT)
    for concept in thesaurus.concepts:
        for _language, term in concept.all_terms():
            for slug in concept.themes:
                add(term, slug, 1.0)
    return vocabulary


def nearest_theme_slugs(text: str, thesaurus=None, limit: int = MAX_THEMES) -> list[str]:
    """Slugs of the themes whose names (in any language), description words or
    thesaurus terms are nearest to ``text``, best first; none when nothing is
    near enough."""
    thesaurus = thesaurus if thesaurus is not None else thesaurus_module.current()
    words = [word for word in default_process(text).split() if len(word) >= MIN_WORD_LENGTH]
    vocabulary = _theme_vocabulary(thesaurus)
    if not words or not vocabulary:
        return []
    known = list(vocabulary)
    best: dict[str, float] = {}
    for word in words:
        scores = {
            candidate: score
            for candidate, score, _index in process.extract(
                word, known, scorer=fuzz.ratio, limit=None, score_cutoff=THEME_MATCH_CUTOFF
            )
        }
        # Compounds and typos after the first letters ("geld" in "geldzaken",
        # "schuldhlup" for "schulden"): words that start alike, not a short
        # word found inside a longer one ("eten" in "ontmoeten").
        for candidate, score, _index in process.extract(
            word,
            known,
            scorer=fuzz.partial_ratio,
            limit=None,
            score_cutoff=THEME_MATCH_CUTOFF / PREFIX_WEIGHT,
        ):
            if min(len(word), len(candidate)) < 4 or score * PREFIX_WEIGHT <= scores.get(
                candidate, 0
            ):
                continue
            alignment = fuzz.partial_ratio_alignment(word, candidate)
            if alignment.src_start == 0 and alignment.dest_start == 0:
                scores[candidate] = score * PREFIX_WEIGHT
        for candidate, score in scores.items():
            for slug, weight in vocabulary[candidate].items():
                if score * weight >= THEME_MATCH_CUTOFF:
                    best[slug] = max(best.get(slug, 0.0), score * weight)
    return sorted(best, key=lambda slug: (-best[slug], slug))[:limit]


def _theme_index(locale: Locale, request) -> tuple[ThemeIndexPage | None, str]:
    """The theme index in her language (or the Dutch one) and its address in her language."""
    pages = ThemeIndexPage.objects.live().public()
    index = pages.filter(locale=locale).first() or pages.filter(locale=Locale.get_default()).first()
    if index is None:
        return None, ""
    url = index.get_url(request) or ""
    if index.locale_id != locale.pk:
        # translate_url resolves the address in the active language, so in the index's.
        with translation.override(index.locale.language_code):
            url = translate_url(url, locale.language_code)
    return index, url


def theme_links(slugs: list[str], locale: Locale, request) -> tuple[list[ThemeLink], str]:
    """Links to the theme pages of ``slugs`` in her language, and to all themes."""
    index, index_url = _theme_index(locale, request)
    if index is None:
        return [], ""
    default = Locale.get_default()
    names = {}
    # Ordered so that her language's name replaces the Dutch one.
    for theme in Theme.objects.filter(slug__in=slugs, locale__in=[default, locale]).order_by(
        models.Case(models.When(locale=locale, then=1), default=0)
    ):
        names[theme.slug] = theme
    links = []
    for slug in slugs:
        theme = names.get(slug)
        if theme is None:
            continue
        language = locale.language_code if theme.locale_id == locale.pk else default.language_code
        url = index_url + index.reverse_subpage("theme", args=[slug])
        links.append(ThemeLink(name=theme.name, url=url, language_code=language))
    return links, index_url


def dutch_matches(query: ServiceQuery, locale: Locale, request) -> DutchMatches | None:
    """The same search on the Dutch content, when she searched in another
    language: Dutch words typed on a translated page find Dutch services.
    Each service links to its translation in her language where there is one."""
    default = Locale.get_default()
    if locale.pk == default.pk or not query.text:
        return None
    results = search_services(query, default, per_page=MAX_DUTCH_HITS, facets=())
    if not results.total:
        return None
    services = []
    for hit in results.page:
        page = hit.service
        hers = page.get_translation_or_none(locale)
        if hers is not None and hers.live:
            page = hers
        services.append(
            ServiceLink(
                title=page.title,
                url=page.get_url(request) or "",
                language_code=page.locale.language_code,
            )
        )
    return DutchMatches(
        total=results.total,
        services=services,
        search_url=_in_language(request.get_full_path(), locale, default),
    )


def _in_language(path: str, current: Locale, wanted: Locale) -> str:
    """``path`` (in ``current``'s language) in ``wanted``'s language."""
    with translation.override(current.language_code):
        return translate_url(path, wanted.language_code)


def no_results_help(
    request, query: ServiceQuery, locale: Locale, results: ServiceSearchResults, thesaurus=None
) -> NoResultsHelp:
    """Everything the search page offers when ``results`` is empty."""
    slugs = nearest_theme_slugs(query.text, thesaurus) if query.text else []
    themes, all_themes_url = theme_links(slugs, locale, request)
    has_filters = replace(query, text="", sort="") != ServiceQuery()
    return NoResultsHelp(
        suggestion=results.suggestion,
        themes=themes,
        all_themes_url=all_themes_url,
        dutch=dutch_matches(query, locale, request),
        helplines=national_helplines() + municipality_helplines(municipalities_for(query)),
        has_filters=has_filters,
    )
