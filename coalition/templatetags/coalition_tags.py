from django import template

from ..models import ContactPerson
from ..roles import is_professional_viewer

register = template.Library()


def _contact_persons(context, partner, wijk, partners) -> dict:
    request = context.get("request")
    if not is_professional_viewer(getattr(request, "user", None)):
        return {"people": None}
    people = ContactPerson.objects.select_related("partner").prefetch_related("wijken")
    if partner is not None:
        people = people.of_partner(partner)
    if wijk is not None:
        people = people.in_wijk(wijk, partners)
    return {
        "people": list(people.order_by("partner__title", "name")),
        "by_partner": wijk is not None,
    }


@register.inclusion_tag("coalition/includes/contact_persons.html", takes_context=True)
def contact_persons(context, partner=None, wijk=None, partners=()):
    """A partner's or a wijk's contact persons, for logged-in professionals only.

    For anyone else it renders nothing at all, not even a heading, so public HTML
    never shows that contact persons exist.
    """
    return _contact_persons(context, partner, wijk, partners)


@register.inclusion_tag("coalition/includes/contact_persons_table.html", takes_context=True)
def contact_persons_table(context, wijk, partners=()):
    """The same people as a table, for the printed overview of a wijk."""
    return _contact_persons(context, None, wijk, partners)
