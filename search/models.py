from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexChange(models.Model):
    """A page whose entry in the search engine must be refreshed.

    Written in the same transaction as the publish, unpublish, move or delete,
    and removed once the engine has it; while the engine is down the rows wait,
    so the index catches up afterwards and publishing never depends on it.
    """

    page_id = models.PositiveBigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("pending search index change")
        verbose_name_plural = _("pending search index changes")

    def __str__(self):
        return f"page {self.page_id}"
