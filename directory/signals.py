"""Keep the copies of services (search rows, engine documents) in step with
what they describe: a service moved to another partner takes that partner's
type and page, and a term, wijk or municipality whose code changes or that is deleted
is taken out of the copies of the services that used it. A wijk that comes to,
moves between or leaves municipalities changes what the services of those
whole municipalities serve. Moves and view restrictions are also announced as
``changes.services_changed``: they decide which services are public."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from wagtail.models import Page, PageViewRestriction
from wagtail.signals import post_page_move

from . import changes
from .models import Audience, Language, Municipality, ServicePage, Theme, WijkPage
from .models.facets import FACET_RELATIONS, services_with

# model: the facet (and ServicePage relation) that holds its values
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
        instance.refresh_partner()
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


def _value(instance):
    return getattr(instance, FACET_RELATIONS[TERMS[type(instance)]][1])


def _municipality_code(municipality_id) -> str | None:
    if municipality_id is None:
        return None
    return (
        Municipality.objects.filter(pk=municipality_id).values_list("cbs_code", flat=True).first()
    )


def _state(instance) -> tuple:
    """What services' copies depend on: the term's value, and a wijk's municipality."""
    if isinstance(instance, WijkPage):
        return _value(instance), _municipality_code(instance.municipality_id)
    return (_value(instance),)


def _affected(instance, *states) -> set[int]:
    """The services that carry ``instance`` now or carried it in any of
    ``states``: by its value, and for a wijk the services of its whole
    municipalities."""
    facet = TERMS[type(instance)]
    ids = set(services_with(facet, {state[0] for state in states}))
    if isinstance(instance, WijkPage):
        municipalities = {state[1] for state in states if state[1] is not None}
        ids |= set(services_with("municipalities", municipalities))
    return ids


def term_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    # Saving a draft revision writes a few page fields, not these.
    if update_fields is not None and not {"slug", "code", "cbs_code", "municipality"} & set(
        update_fields
    ):
        return
    before = type(instance)._default_manager.filter(pk=instance.pk).first()
    instance._facet_state_before = _state(before) if before is not None else None


def term_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_facet_state_before", None)
    instance._facet_state_before = None
    if created:
        # A new wijk is served by the services of its whole municipality.
        if isinstance(instance, WijkPage) and instance.municipality_id is not None:
            changes.send_facet_values(_affected(instance, _state(instance)))
        return
    # Most saves change no value: then no copy changes either.
    if before is not None and (now := _state(instance)) != before:
        changes.send_facet_values(_affected(instance, before, now))


def term_deleting(sender, instance, **kwargs):
    # The through rows go before post_delete; remember whose copies to redo.
    instance._facet_services = _affected(instance, _state(instance))


def term_deleted(sender, instance, **kwargs):
    # Services deleted along with it (a wijk's subtree holds none) are skipped
    # by whoever rewrites copies: they have no page left.
    changes.send_facet_values(getattr(instance, "_facet_services", ()))


def connect():
    post_page_move.connect(service_moved, dispatch_uid="directory_facets_service_moved")
    for signal in (post_save, post_delete):
        signal.connect(
            restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"directory_restriction_{signal is post_save}",
        )
    for model in TERMS:
        name = model.__name__
        pre_save.connect(term_saving, sender=model, dispatch_uid=f"facets_{name}_saving")
        post_save.connect(term_saved, sender=model, dispatch_uid=f"facets_{name}_saved")
        pre_delete.connect(term_deleting, sender=model, dispatch_uid=f"facets_{name}_deleting")
        post_delete.connect(term_deleted, sender=model, dispatch_uid=f"facets_{name}_deleted")
