"""Keep the services' facet masks (models/facets.py) in step with what they
describe: a service moved to another partner takes that partner's type, and a
term, wijk or municipality whose code changes or that is deleted is taken out
of the masks of the services that used it. Moves and view restrictions are
also announced as ``changes.services_changed``: they decide which services
are public."""

from django.db.models.signals import post_delete, post_save, pre_delete

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import post_page_move

from . import changes
from .models import Audience, Language, Municipality, ServicePage, Theme, WijkPage
from .models.facets import MASKED_FACETS, FacetBit, has_bit, refresh_facet_masks

# model: the ServicePage relation that points at it, which is also its facet
TERMS = {
    Theme: "themes",
    Audience: "audiences",
    Language: "languages",
    WijkPage: "wijken",
    Municipality: "municipalities",
}


def service_moved(sender, instance, **kwargs):
    instance = instance.specific
    if isinstance(instance, ServicePage):
        instance.refresh_facets()
    # Under another parent a service may have become private, or public.
    _below_changed(instance)


def restriction_changed(sender, instance, raw=False, **kwargs):
    # Deleting a page deletes its restrictions first; then there is nothing below.
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None and not raw:
        _below_changed(page)


def _below_changed(page):
    changes.send(
        ServicePage.objects.descendant_of(page, inclusive=True).values_list("pk", flat=True)
    )


def _services_of(instance):
    return ServicePage.objects.filter(**{TERMS[type(instance)]: instance})


def term_saved(sender, instance, created, **kwargs):
    if created:
        return
    facet = TERMS[type(instance)]
    _relation, field, column = MASKED_FACETS[facet]
    bit = FacetBit.bits(facet).get(getattr(instance, field))
    services = _services_of(instance)
    # Most saves change no code: then every service already has the bit.
    lacking = services if bit is None else services.exclude(has_bit(column, 1 << bit))
    if lacking.exists():
        refresh_facet_masks(services)


def term_deleting(sender, instance, **kwargs):
    # The through rows go before post_delete; remember whose masks to redo.
    instance._facet_services = list(_services_of(instance).values_list("pk", flat=True))


def term_deleted(sender, instance, **kwargs):
    if ids := getattr(instance, "_facet_services", None):
        refresh_facet_masks(ServicePage.objects.filter(pk__in=ids))


def connect():
    post_page_move.connect(service_moved, dispatch_uid="directory_facets_service_moved")
    for signal in (post_save, post_delete):
        signal.connect(
            restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"directory_restriction_{signal is post_save}",
        )
    for model in TERMS:
        post_save.connect(term_saved, sender=model, dispatch_uid=f"facets_{model.__name__}_saved")
        pre_delete.connect(
            term_deleting, sender=model, dispatch_uid=f"facets_{model.__name__}_deleting"
        )
        post_delete.connect(
            term_deleted, sender=model, dispatch_uid=f"facets_{model.__name__}_deleted"
        )
