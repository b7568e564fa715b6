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
"""

from django.dispatch import Signal

services_changed = Signal()
facet_values_changed = Signal()


def send(ids) -> None:
    if ids := list(ids):
        services_changed.send(sender=None, ids=ids)


def send_facet_values(ids) -> None:
    if ids := list(ids):
        facet_values_changed.send(sender=None, ids=ids)
        services_changed.send(sender=None, ids=ids)
