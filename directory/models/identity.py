"""Stable identities for the rows below a service page, for open data (HSDS).

Pages and taxonomy terms are identified by Wagtail's ``translation_key``: a
UUID that never changes and is shared by every language version. Locations
and opening hours are rows of one page version, copied into each
translation by wagtail-localize with all their fields, so a stored
``hsds_id`` is shared by the copies of one row across languages too.

Wagtail's "copy page" copies the rows the same way, which would give a new,
different service the ids of the old one's rows. ``save()`` therefore takes a
new id for a row whose id is already used below a page of another
translation key.
"""

import uuid

from django.db import models


class HSDSIdentified(models.Model):
    """A row below a service page with an id of its own in the HSDS API."""

    hsds_id = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        taken = (
            type(self)
            .objects.filter(hsds_id=self.hsds_id)
            .exclude(page__translation_key=self.page.translation_key)
        )
        if taken.exists():
            self.hsds_id = uuid.uuid4()
        super().save(*args, **kwargs)
