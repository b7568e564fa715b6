"""Template filters for dates, times and numbers in the active language
(see ``directory/localized.py``): ``{{ page.last_verified|day }}``,
``{{ exception.start_date|days:exception.end_date }}``, ``{{ row.opens|clock }}``,
``{{ entry.timestamp|moment }}``, ``{{ distance|decimal:1 }}``."""

from django import template

from directory import localized

register = template.Library()


@register.filter
def day(value) -> str:
    return localized.day(value)


@register.filter
def days(start, end) -> str:
    return localized.days(start, end)


@register.filter
def clock(value) -> str:
    return localized.clock(value)


@register.filter
def moment(value) -> str:
    return localized.moment(value)


@register.filter
def decimal(value, places=1) -> str:
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 1
    return localized.decimal(value, places)


@register.filter
def language_name(language) -> str:
    return localized.language_name(language)
