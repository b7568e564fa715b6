"""The one signal for copies of services to follow their changes.

Sent with ``ids`` (service page ids) whenever what a service shows in a
listing may have changed: its own row or relations, its facet masks, its
partner's type, its place in the page tree or a view restriction above it.
The database search's narrow table (search/rows.py) listens.
"""

from django.dispatch import Signal

services_changed = Signal()


def send(ids) -> None:
    if ids := list(ids):
        services_changed.send(sender=None, ids=ids)
