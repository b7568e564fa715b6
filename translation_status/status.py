"""The state of every language version of the directory's services, computed in
a few queries for a whole report (never one per string or per row).

wagtail-localize keeps no "outdated" flag: it freezes the Dutch source in a
``TranslationSource`` whose ``last_updated_at`` moves when someone syncs. A
translation is outdated when the Dutch was published after that, or when the
last sync brought strings that nobody has translated yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from directory.models import PartnerPage, ServicePage

from .models import TranslationReview

NOT_TRANSLATED = "not_translated"
OUTDATED = "outdated"
MACHINE = "machine"
UP_TO_DATE = "up_to_date"
REVIEWED = "reviewed"

STATES = {
    NOT_TRANSLATED: _("Not translated"),
    OUTDATED: _("Outdated: the Dutch changed"),
    MACHINE: _("Machine translation, not reviewed"),
    UP_TO_DATE: _("Translated, up to date"),
    REVIEWED: _("Reviewed by a person"),
}


@dataclass
class Row:
    """One service in one language."""

    source: ServicePage
    partner: PartnerPage | None
    locale: Locale
    page: ServicePage | None
    state: str
    machine: bool
    review: TranslationReview | None

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def reviewed(self) -> bool:
        return self.state == REVIEWED


def target_locales() -> list[Locale]:
    order = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    locales = Locale.objects.exclude(language_code=settings.LANGUAGE_CODE)
    return sorted(locales, key=lambda locale: order.index(locale.language_code))


def rows(services, locales: list[Locale]) -> list[Row]:
    """A row per Dutch service in ``services`` and language in ``locales``."""
    services = list(services.select_related("live_revision").order_by("path"))
    keys = [service.translation_key for service in services]
    locale_ids = [locale.pk for locale in locales]
    partners = {
        partner.path: partner
        for partner in PartnerPage.objects.filter(
            path__in={service.path[: -ServicePage.steplen] for service in services}
        )
    }
    targets = {
        (page.translation_key, page.locale_id): page
        for page in ServicePage.objects.filter(
            translation_key__in=keys, locale_id__in=locale_ids
        ).only("id", "title", "live", "translation_key", "locale_id", "last_published_at")
    }
    sources = {
        source.object_id: source
        for source in TranslationSource.objects.filter(
            object_id__in=keys, locale__language_code=settings.LANGUAGE_CODE
        ).only("id", "object_id", "last_updated_at")
    }
    translations = set(
        Translation.objects.filter(
            source__in=sources.values(), target_locale_id__in=locale_ids, enabled=True
        ).values_list("source_id", "target_locale_id")
    )
    segments: dict[int, set] = {}
    for source_id, string_id, context_id in StringSegment.objects.filter(
        source__in=sources.values()
    ).values_list("source_id", "string_id", "context_id"):
        segments.setdefault(source_id, set()).add((string_id, context_id))
    translated: dict[tuple, set] = {}
    machine: set[tuple] = set()
    for key, locale_id, string_id, context_id, kind in (
        StringTranslation.objects.filter(
            context__object_id__in=keys, locale_id__in=locale_ids, has_error=False
        )
        .annotate(
            in_source=Exists(
                StringSegment.objects.filter(
                    string_id=OuterRef("translation_of_id"), context_id=OuterRef("context_id")
                )
            )
        )
        .filter(in_source=True)
        .values_list(
            "context__object_id", "locale_id", "translation_of_id", "context_id", "translation_type"
        )
    ):
        translated.setdefault((key, locale_id), set()).add((string_id, context_id))
        if kind == StringTranslation.TRANSLATION_TYPE_MACHINE:
            machine.add((key, locale_id))
    reviews = {
        (review.translation_key, review.locale_id): review
        for review in TranslationReview.objects.filter(
            translation_key__in=keys, locale_id__in=locale_ids
        ).select_related("reviewed_by")
    }

    found = []
    for service in services:
        source = sources.get(service.translation_key)
        for locale in locales:
            index = (service.translation_key, locale.pk)
            page = targets.get(index)
            review = reviews.get(index)
            if page is None or not page.live:
                state = NOT_TRANSLATED
            elif review and review.source_revision_id == service.live_revision_id:
                state = REVIEWED
            elif source is None or (source.pk, locale.pk) not in translations:
                # Translated by hand, outside wagtail-localize.
                state = (
                    OUTDATED if _published_after(service, page.last_published_at) else UP_TO_DATE
                )
            elif _published_after(service, source.last_updated_at) or (
                segments.get(source.pk, set()) - translated.get(index, set())
            ):
                state = OUTDATED
            elif index in machine:
                state = MACHINE
            else:
                state = UP_TO_DATE
            found.append(
                Row(
                    source=service,
                    partner=partners.get(service.path[: -ServicePage.steplen]),
                    locale=locale,
                    page=page,
                    state=state,
                    machine=index in machine,
                    review=review,
                )
            )
    return found


def _published_after(service: ServicePage, moment) -> bool:
    return bool(service.last_published_at and moment and service.last_published_at > moment)


def machine_notice_needed(page) -> bool:
    """Whether readers of ``page`` should be told it is an unchecked machine
    translation: some of its strings came from a machine and no person has
    reviewed it against the Dutch that is live now."""
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return False
    machine = StringTranslation.objects.filter(
        context__object_id=page.translation_key,
        locale_id=page.locale_id,
        translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
        has_error=False,
    ).exists()
    if not machine:
        return False
    dutch_revision = (
        type(page)
        .objects.filter(
            translation_key=page.translation_key, locale__language_code=settings.LANGUAGE_CODE
        )
        .values_list("live_revision_id", flat=True)
        .first()
    )
    return not TranslationReview.objects.filter(
        translation_key=page.translation_key,
        locale_id=page.locale_id,
        source_revision_id=dutch_revision,
        source_revision__isnull=False,
    ).exists()
