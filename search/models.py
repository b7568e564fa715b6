import uuid

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from wagtail.models import RevisionMixin

from directory.choices import Access, Cost, PartnerType, ServiceStatus

from .thesaurus import LANGUAGES
from .validators import split_terms, validate_concept_key, validate_terms


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


class ServiceRowValue(models.Model):
    """One value of a facet of many values (a theme's slug, a wijk's CBS
    code, ...) that a search row has: as many as there are, without a limit
    to how many values a facet knows. search/snapshot.py turns them into
    arrays of numbers when it reads the rows."""

    # ``channels``: the ways to reach a service, alone (``phone``) and with
    # each language spoken on them (``phone:ar``; directory/models/facets.py).
    FACETS = ("themes", "audiences", "languages", "wijken", "municipalities", "channels")

    # No index of its own: the constraint's index starts with the row.
    row = models.ForeignKey(
        ServiceRow, on_delete=models.CASCADE, related_name="values", db_index=False
    )
    facet = models.CharField(max_length=20, choices=[(name, name) for name in FACETS])
    value = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("search row value")
        verbose_name_plural = _("search row values")
        constraints = [
            models.UniqueConstraint(fields=["row", "facet", "value"], name="search_row_value_once")
        ]

    def __str__(self):
        return f"{self.facet}={self.value}"


class VersionToken(models.Model):
    """One row whose random token changes whenever what it stands for does,
    in the same transaction, so each process can keep a copy in memory and
    read it again once the token differs. A random token rather than a
    counter: a rolled-back change takes its token along, and a counter would
    then count to a number already seen."""

    token = models.UUIDField(default=uuid.uuid4)

    class Meta:
        abstract = True

    def __str__(self):
        return str(self.token)

    @classmethod
    def current(cls) -> uuid.UUID | None:
        return cls.objects.filter(pk=1).values_list("token", flat=True).first()

    @classmethod
    def bump(cls) -> None:
        cls.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class RowsVersion(VersionToken):
    """Changes whenever the search rows do, and logs which services changed
    (``RowsChange``): search/snapshot.py patches those rows in its copy, or
    reads every row again."""

    # Changes logged; a process further behind than this reads every row again.
    KEPT_CHANGES = 1000
    # More services than this changed at once are logged as "every row", and
    # a process with more than this many to patch reads every row again.
    NAMED_SERVICES = 1000

    class Meta:
        verbose_name = _("search rows version")

    @classmethod
    def changed(cls, ids) -> None:
        """A new token, in the current transaction, for a change to the rows
        of the services ``ids``."""
        with transaction.atomic():
            # The token's row is locked first, until the commit: changes are
            # logged in the order they commit.
            version, created = cls.objects.select_for_update().get_or_create(pk=1)
            before = None if created else version.token
            version.token = uuid.uuid4()
            version.save(update_fields=["token"])
            services = sorted(set(ids))
            if len(services) > cls.NAMED_SERVICES:
                services = None
            change = RowsChange.objects.create(
                before=before, token=version.token, services=services
            )
            RowsChange.objects.filter(pk__lte=change.pk - cls.KEPT_CHANGES).delete()


class RowsChange(models.Model):
    """One change to the search rows: the token before and after it, and the
    services whose rows were written or deleted (``None``: any row). A copy
    of the rows with the token ``before`` of the first change since it was
    read follows the tokens from change to change; where the chain breaks (a
    change rolled back, logged no more, or a token changed around
    ``RowsVersion.changed``) it reads every row again."""

    id = models.BigAutoField(primary_key=True)
    before = models.UUIDField(null=True)
    token = models.UUIDField()
    services = models.JSONField(null=True)

    class Meta:
        verbose_name = _("search rows change")
        verbose_name_plural = _("search rows changes")

    def __str__(self):
        return f"{self.before} → {self.token}"


def terms_field(label, blank=True):
    return models.TextField(
        label,
        blank=blank,
        max_length=4000,
        validators=[validate_terms],
        help_text=_(
            "One term on each line, the most common first. Add the other words residents "
            "type for it: plurals, other spellings, everyday words."
        ),
    )


class ThesaurusConcept(RevisionMixin, models.Model):
    """One thing residents look for (debt, food bank, GP), with the words they
    use for it in every interface language. A search for one of the words also
    finds services that use another, in any language."""

    key = models.CharField(
        _("key"),
        max_length=100,
        unique=True,
        validators=[validate_concept_key],
        help_text=_(
            "A short English name that never changes, for example food-bank. "
            "Lower-case letters, digits and hyphens."
        ),
        error_messages={
            "unique": _("Another concept already has this key. Choose another, such as debt-2.")
        },
    )
    themes = models.JSONField(
        _("themes"),
        default=list,
        blank=True,
        help_text=_("The themes this concept belongs to."),
    )
    # Services are written in Dutch first: without Dutch terms a concept finds little.
    terms_nl = terms_field(_("Dutch terms"), blank=False)
    terms_en = terms_field(_("English terms"))
    terms_ar = terms_field(_("Arabic terms"))
    terms_fa = terms_field(_("Persian (Farsi and Dari) terms"))
    terms_ti = terms_field(_("Tigrinya terms"))
    terms_uk = terms_field(_("Ukrainian terms"))
    terms_tr = terms_field(_("Turkish terms"))
    terms_pl = terms_field(_("Polish terms"))
    terms_so = terms_field(_("Somali terms"))
    # What the data files last gave this concept (search/thesaurus_seed.py):
    # while its content still matches, no moderator has changed it, and a
    # newer file may replace it.
    seed_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("thesaurus concept")
        verbose_name_plural = _("thesaurus concepts")
        ordering = ["key"]

    def __str__(self):
        return self.key

    def terms(self) -> dict[str, tuple[str, ...]]:
        return {
            language: tuple(split_terms(getattr(self, f"terms_{language}")))
            for language in LANGUAGES
        }

    def dutch_terms(self) -> str:
        """The first Dutch terms, for the list in the admin."""
        terms = split_terms(self.terms_nl)
        return ", ".join(terms[:3]) + (" …" if len(terms) > 3 else "")

    def missing_languages(self) -> str:
        return " ".join(code for code in LANGUAGES if not getattr(self, f"terms_{code}").strip())

    def clean(self):
        super().clean()
        # Browsers send \r\n, and editors leave spaces around terms; stored
        # one term a line so the data files and the admin write the same text.
        for language in LANGUAGES:
            name = f"terms_{language}"
            setattr(self, name, "\n".join(split_terms(getattr(self, name))))
        self.themes = sorted(set(self.themes or ()))


class ThesaurusVersion(VersionToken):
    """Changes with every change to the thesaurus: its concepts and the names
    of themes and audiences, which count as terms (``search.thesaurus.current``)."""

    class Meta:
        verbose_name = _("thesaurus version")
