from django import template
from django.conf import settings

from wagtail.models import Locale

from ..status import machine_notice_needed

register = template.Library()


@register.inclusion_tag("translation_status/includes/machine_notice.html", takes_context=True)
def machine_translation_notice(context, page) -> dict:
    """The reader's notice on a machine translation nobody has checked, with a
    link to the Dutch original. A few queries per page view, none per string."""
    if not machine_notice_needed(page):
        return {"show": False}
    dutch = page.get_translation_or_none(Locale.objects.get(language_code=settings.LANGUAGE_CODE))
    return {"show": True, "original": dutch.get_url(context.get("request")) if dutch else ""}
