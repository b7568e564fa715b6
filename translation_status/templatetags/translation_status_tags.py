from django import template

from wagtail.models import Locale

from directory import per_request

from ..status import machine_notice_needed

register = template.Library()


@register.inclusion_tag("translation_status/includes/machine_notice.html", takes_context=True)
def machine_translation_notice(context, page) -> dict:
    """The reader's notice on a machine translation nobody has checked, with a
    link to the Dutch original. A few queries per page view, none per string."""
    if not machine_notice_needed(page):
        return {"show": False}
    # The request read the Dutch locale and, routing, the Dutch page already.
    locale = Locale.get_default()
    dutch = per_request.known_translation(page, locale) or page.get_translation_or_none(locale)
    return {"show": True, "original": dutch.get_url(context.get("request")) if dutch else ""}
