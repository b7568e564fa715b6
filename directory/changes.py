"""The signals for copies of services to follow their changes.

``services_changed`` is sent with ``ids`` (service page ids) whenever what a
service shows in a listing may have changed: its own row or relations, its
facet values, its partner's type, its place in the page tree or a view
restriction above it. The database search's narrow table (search/rows.py)
listens.

``facet_values_changed`` is sent, besides ``services_changed``, when a value
services carry changed outside the services themselves: a theme, audience,
language, wijk or municipality got another code or was deleted, or a wijk was
added to, moved between or taken from municipalities (a service of a whole
municipality serves all its wijken). The search engine's index listens: its
documents spell those values out.

Work that saves many pages (the demo load, an HSDS import) holds these copies
back and brings them up to date once: ``collected()`` for the signals above,
``search_index_deferred()`` for Wagtail's own search index.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_save
from django.dispatch import Signal

services_changed = Signal()
facet_values_changed = Signal()


def send(ids) -> None:
    if (gathering := _collecting.get()) is not None:
        gathering.update(ids)
        return
    if ids := list(ids):
        services_changed.send(sender=None, ids=ids)


def send_facet_values(ids) -> None:
    if ids := list(ids):
        facet_values_changed.send(sender=None, ids=ids)
        services_changed.send(sender=None, ids=ids)


# Within ``collected()``, ``send`` gathers the ids instead of announcing them
# one save at a time; a bulk writer (the HSDS import) announces them once per
# batch with ``send_collected``. A context variable, not a global: a test's
# live server thread keeps announcing its own changes meanwhile.
_collecting: ContextVar[set[int] | None] = ContextVar("services_changed_collecting", default=None)


@contextmanager
def collected():
    """Gather ``send``'s ids; what is still gathered at a normal end is sent
    then (after an error the writer's transaction is rolled back with them)."""
    token = _collecting.set(set())
    try:
        yield
        ids = _collecting.get()
    finally:
        _collecting.reset(token)
    send(ids)


def send_collected() -> list[int]:
    """Announce what ``collected()`` gathered so far; returns those ids."""
    ids = _collecting.get()
    if not ids:
        return []
    found = sorted(ids)
    ids.clear()
    services_changed.send(sender=None, ids=found)
    return found


@contextmanager
def search_index_deferred(*models):
    """Wagtail's search index not written on each save of ``models`` (every
    indexed model when none is named): its save receivers taken off meanwhile,
    for the whole process. Whoever defers it brings the index up to date
    after (``update_index``, or ``add_bulk`` for what was saved)."""
    from modelsearch.index import get_indexed_models
    from modelsearch.signal_handlers import post_save_signal_handler

    handler = post_save_signal_handler
    taken_off = [
        model
        for model in models or get_indexed_models()
        if post_save.disconnect(handler, sender=model)
    ]
    try:
        yield
    finally:
        for model in taken_off:
            post_save.connect(handler, sender=model)
