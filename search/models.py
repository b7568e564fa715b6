import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.choices import Access, Cost, PartnerType, ServiceStatus


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


class ServiceRowQuerySet(models.QuerySet):
    def shown(self):
        """What ``ServicePage.objects.shown()`` selects: rows exist only for
        live, public services, and the freshness rule depends on today."""
        from directory.models.service import shown_filter

        return self.filter(shown_filter())


class ServiceRow(models.Model):
    """A live, public service as the database search reads it: what it filters,
    counts and sorts on, and nothing else.

    Searching Wagtail's page table joined with the service table read 200 MB
    at 100,000 services before counting anything; this table is a tenth of
    that. search/rows.py keeps it in step through ``directory.changes``.
    """

    service = models.OneToOneField(
        "directory.ServicePage", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    locale = models.ForeignKey("wagtailcore.Locale", on_delete=models.CASCADE, related_name="+")
    translation_key = models.UUIDField()
    title = models.CharField(max_length=255)
    title_key = models.CharField(max_length=400, blank=True)  # ServicePage.title_key
    last_verified = models.DateField()
    status = models.CharField(max_length=20, choices=ServiceStatus.choices)
    cost = models.CharField(max_length=20, choices=Cost.choices)
    access = models.CharField(max_length=20, choices=Access.choices)
    partner_type = models.CharField(max_length=30, choices=PartnerType.choices, blank=True)
    theme_mask = models.BigIntegerField(default=0)
    audience_mask = models.BigIntegerField(default=0)
    language_mask = models.BigIntegerField(default=0)
    wijk_mask = models.BigIntegerField(default=0)
    municipality_mask = models.BigIntegerField(default=0)

    objects = ServiceRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("search row")
        verbose_name_plural = _("search rows")
        indexes = [
            models.Index(fields=["translation_key"], name="search_row_translation_key"),
            # The order of listings by title (search/snapshot.py).
            models.Index(fields=["title_key", "service"], name="search_row_title_key"),
        ]

    def __str__(self):
        return self.title


class RowsVersion(models.Model):
    """One row whose token changes whenever the search rows do, in the same
    transaction. Each process keeps the rows in memory (search/snapshot.py)
    and reloads them when the token it read them with is no longer current.
    A random token rather than a counter: a rolled-back change takes its
    token along, and a counter would then count to a number already seen."""

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("search rows version")

    def __str__(self):
        return str(self.token)

    @classmethod
    def current(cls) -> uuid.UUID | None:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first()

    @classmethod
    def bump(cls) -> None:
        cls.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})
