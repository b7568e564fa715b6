"""Show every listing in the visitor's language, without hiding help that is
not translated yet: pages in her language, plus the Dutch pages that have no
live translation into it (shown in Dutch, marked as such)."""

from django.db.models import Q, QuerySet

from wagtail.models import Locale


def with_dutch_fallback(queryset: QuerySet, locale: Locale) -> QuerySet:
    default = Locale.get_default()
    if locale.pk == default.pk:
        return queryset.filter(locale=locale)
    translated = queryset.filter(locale=locale).values("translation_key")
    return queryset.filter(
        Q(locale=locale) | (Q(locale=default) & ~Q(translation_key__in=translated))
    )
