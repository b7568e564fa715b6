import datetime
from collections import defaultdict

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Substr
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Locale, Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from modelcluster.fields import ParentalKey, ParentalManyToManyField

from .. import changes, per_request
from ..choices import Access, Cost, PartnerType, ServiceStatus, Weekday, label
from ..collation import KEY_LENGTH, title_key
from ..fields import (
    PostcodeField,
    PublicEmailField,
    PublicURLField,
    latitude_field,
    longitude_field,
    phone_field,
)
from ..forms import LocationHoursPanel, ServicePageForm
from ..widgets import PostcodeLookupWidget
from .base import PAGE_TRANSLATABLE_FIELDS, UNLISTED_PAGE_FIELDS, RestrictionsReadOnce
from .facets import FACET_RELATIONS, partners_above
from .identity import HSDSIdentified
from .taxonomy import Audience, Theme

# What a listing of services shows or selects on, besides the facet relations.
LISTED_FIELDS = {
    "live",
    "title",
    "locale",
    "translation_key",
    "last_verified",
    "status",
    "cost",
    "access",
    *(relation for relation, _field in FACET_RELATIONS.values()),
}


def expiry_date(today: datetime.date | None = None) -> datetime.date:
    """Services last checked before this date count as expired."""
    from django.conf import settings

    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.FRESHNESS_EXPIRE_AFTER_DAYS)


def hidden_before() -> datetime.date | None:
    """Expired services are hidden from residents; None while
    ``FRESHNESS_EXPIRED_STAY_PUBLIC`` keeps every service public."""
    from django.conf import settings

    return None if settings.FRESHNESS_EXPIRED_STAY_PUBLIC else expiry_date()


def shown_filter() -> models.Q:
    since = hidden_before()
    return models.Q() if since is None else models.Q(last_verified__gte=since)


class ServicePageQuerySet(PageQuerySet):
    def shown(self):
        """Live, public and (where the coalition wants that) checked within a year."""
        return self.live().public().filter(shown_filter())

    def for_lines(self):
        """What a one-line listing (a wijk's services per theme) shows: the
        title, the summary and whether it is open. The hours and the
        exceptions not yet over say whether it is open (directory/opening.py),
        per location where the hours are: read with the services
        (``LineIterable``)."""
        lines = self.defer(
            "body", "accessibility", "phone", "whatsapp", "email", "website", *UNLISTED_PAGE_FIELDS
        )
        lines._iterable_class = LineIterable
        return lines

    def for_cards(self, partner_title: str | None = None):
        """What a result card (includes/service_card.html) shows, and no more:
        a line's fields, who offers it, its themes and its languages (set as
        the cards are read: ``CardIterable``). A page of hits skips the full
        description and the contact fields, whose phone numbers are parsed
        on every load. ``partner_title``: who offers them all, where one
        partner lists its own."""
        if partner_title is not None:
            # PostgreSQL looks up every row it skips on the way to an
            # offset: a partner's page 400 did that 8,000 times.
            partner = models.Value(partner_title, output_field=models.CharField())
        else:
            # The partner's name, for "who offers it": one subquery rather
            # than a parent page per card. Translations mirror the tree, so
            # the parent is in the service's own language.
            partner = models.Subquery(
                Page.objects.filter(
                    path=Substr(
                        models.OuterRef("path"), 1, Length(models.OuterRef("path")) - Page.steplen
                    )
                ).values("title")[:1]
            )
        cards = self.for_lines().annotate(partner_title=partner)
        cards._iterable_class = CardIterable
        return cards

    def for_listing(self, locale: Locale):
        """Shown services in ``locale`` (or in Dutch where not translated),
        ready for result cards: those in her language first, then the Dutch
        ones, each in title order."""
        from ..languages import with_dutch_fallback

        return (
            with_dutch_fallback(self.shown(), locale)
            .for_cards()
            .alias(
                fallback=models.Case(
                    models.When(locale=locale, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("fallback", "title_key", "pk")
        )

    def update_listed(self, **values) -> int:
        """``update()`` for what listings show (``LISTED_FIELDS``, the partner
        type): written around ``save()``, so the change is announced here."""
        ids = list(self.values_list("pk", flat=True))
        updated = ServicePage.objects.filter(pk__in=ids).update(**values)
        changes.send(ids)
        return updated

    def in_wijk(self, wijk):
        """Services that serve ``wijk`` directly or serve its whole municipality."""
        return self.filter(serves_wijk(wijk.cbs_code))


class LineIterable(ModelIterable):
    """Services as ``for_lines`` reads them: with their locations, their
    hours and their exceptions not yet over before anyone sees them.
    ``values()`` and the like replace it."""

    def __iter__(self):
        yield from with_hours(list(super().__iter__()))


class CardIterable(LineIterable):
    """Services as ``for_cards`` reads them: they get their themes and
    languages too, so no reader of cards can forget those and ask one
    query per card."""

    def __iter__(self):
        yield from with_terms(list(super().__iter__()))


def with_hours(services: list) -> list:
    """``services`` with their locations, their weekly hours and their
    exceptions not yet over, set in memory as modelcluster sets a page's
    child rows for a preview. Django's prefetch gave each service a
    filtered queryset per relation: 2.4 ms of the 6 ms that a wijk's 25
    lines took to read."""
    saved = {service.pk: service for service in services if service.pk is not None}
    if not saved:
        return services
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for name, rows in (
        ("locations", ServiceLocation.objects.all()),
        ("opening_hours", OpeningHours.objects.all()),
        (
            "opening_hours_exceptions",
            OpeningHoursException.objects.filter(end_date__gte=yesterday),
        ),
    ):
        by_service = defaultdict(list)
        for row in rows.filter(page_id__in=saved).order_by("page_id", "sort_order", "pk"):
            by_service[row.page_id].append(row)
        for pk, service in saved.items():
            getattr(service, name).set(by_service[pk])
    return services


def with_terms(services: list, names=("themes", "languages")) -> list:
    """``services`` with the terms of the relations ``names`` (themes,
    audiences, languages, municipalities): which ones from the relation
    tables, in one query for every kind, the terms themselves from those
    kept per process (``per_request.every``; a changed term replaces the
    site's token), set in memory as modelcluster sets a page's relations
    for a preview. At 300,000 services a prefetch per kind cost 0.7-0.9 ms
    each, most of it building the query."""
    saved = [service for service in services if service.pk is not None]
    if not saved:
        return services
    ids = [service.pk for service in saved]
    fields = [ServicePage._meta.get_field(name) for name in names]
    parts = [
        field.remote_field.through.objects.filter(servicepage_id__in=ids)
        .annotate(kind=models.Value(number))
        .values_list("kind", "servicepage_id", f"{field.related_model._meta.model_name}_id")
        for number, field in enumerate(fields)
    ]
    # Per kind: each service's terms.
    chosen = [defaultdict(list) for _field in fields]
    for kind, service, term in parts[0].union(*parts[1:], all=True) if parts[1:] else parts[0]:
        chosen[kind][service].append(term)
    for field, by_service in zip(fields, chosen, strict=True):
        terms = per_request.every_by_key(field.related_model)
        wanted = {term for found in by_service.values() for term in found}
        if not wanted <= terms.keys():  # added since they were kept (outside a request: never kept)
            terms = {term.pk: term for term in field.related_model.objects.all()}
        for service in saved:
            # modelcluster puts them in the terms' order.
            getattr(service, field.name).set([terms[pk] for pk in by_service[service.pk]])
    return services


def serves_wijk(cbs_code: str) -> models.Q:
    """Services that serve the wijk ``cbs_code`` directly or serve its whole
    municipality. Translations of a wijk share its code. The services are
    found from the wijk: asked per service (EXISTS), PostgreSQL tried every
    live service, 540 ms for a wijk at 100,000 services. A set, so no
    service is counted twice."""
    direct = ServicePage.wijken.through.objects.filter(wijkpage__cbs_code=cbs_code)
    citywide = ServicePage.municipalities.through.objects.filter(
        municipality__wijken__cbs_code=cbs_code
    )
    return models.Q(pk__in=direct.values("servicepage_id").union(citywide.values("servicepage_id")))


ServicePageManager = PageManager.from_queryset(ServicePageQuerySet)


class ServicePage(RestrictionsReadOnce, Page):
    """One kind of help a partner offers: what it is, for whom, where, when and how to get it."""

    summary = models.CharField(
        _("summary"),
        max_length=200,
        help_text=_(
            "One or two short sentences in plain language: what does a resident get? "
            "At most 200 characters."
        ),
    )
    body = RichTextField(_("full description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )

    themes = ParentalManyToManyField(
        "directory.Theme", related_name="services", verbose_name=_("themes")
    )
    audiences = ParentalManyToManyField(
        "directory.Audience", related_name="services", verbose_name=_("audiences")
    )
    languages = ParentalManyToManyField(
        "directory.Language",
        related_name="services",
        verbose_name=_("languages"),
        help_text=_("The languages residents can use with this service."),
    )
    wijken = ParentalManyToManyField(
        "directory.WijkPage", related_name="services", blank=True, verbose_name=_("wijken served")
    )
    municipalities = ParentalManyToManyField(
        "directory.Municipality",
        related_name="services",
        blank=True,
        verbose_name=_("whole municipality"),
        help_text=_("Choose a municipality when the service is for every wijk in it."),
    )

    cost = models.CharField(_("cost"), max_length=20, choices=Cost.choices, default=Cost.FREE)
    cost_note = models.CharField(
        _("about the cost"),
        max_length=200,
        blank=True,
        help_text=_("For example: € 2.50 per lesson"),
    )
    access = models.CharField(
        _("how to get it"), max_length=20, choices=Access.choices, default=Access.WALK_IN
    )
    access_note = models.CharField(_("about access"), max_length=200, blank=True)

    phone = phone_field(_("phone"))
    email = PublicEmailField(_("e-mail"), blank=True)
    whatsapp = phone_field(_("WhatsApp number"))
    website = PublicURLField(_("website"), blank=True)

    accessibility = models.TextField(
        _("accessibility"),
        blank=True,
        max_length=600,
        help_text=_("Wheelchair access, lift, toilet, hearing loop, sign language..."),
    )
    last_verified = models.DateField(
        _("last checked on"),
        default=datetime.date.today,
        help_text=_("The date someone last checked that everything on this page is correct."),
    )

    # Copies of the partner above the service, rewritten on every save and
    # move (see facets.py): its type, for the search, and the partner page
    # itself, so that a partner's listing reads its services in title order
    # from one index rather than sorting the thousands a national partner
    # offers (``PartnerPage.listed_services``). No constraint: the tree, not
    # this copy, says where a service is.
    partner_type = models.CharField(
        max_length=30, choices=PartnerType.choices, blank=True, editable=False
    )
    partner_page = models.ForeignKey(
        "directory.PartnerPage",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # The title as its language's readers sort it (directory/collation.py),
    # rewritten on every save: listings and both search backends order by it.
    title_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False)

    objects = ServicePageManager()
    base_form_class = ServicePageForm

    parent_page_types = ["directory.PartnerPage"]
    subpage_types: list[str] = []

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("status"),
        MultiFieldPanel(
            [
                # Boxes to tick, one per term in the page's language (ServicePageForm):
                # a multiple select lost the choice with one click without Ctrl.
                FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
                FieldPanel("languages"),
            ],
            heading=_("What and for whom"),
        ),
        MultiFieldPanel(
            [FieldPanel("wijken"), FieldPanel("municipalities")], heading=_("Where it is offered")
        ),
        InlinePanel("locations", heading=_("Locations"), label=_("location")),
        InlinePanel(
            "channels",
            heading=_("Ways to reach us"),
            label=_("way to reach us"),
            help_text=_(
                "Each way residents can reach the service (desk, phone, WhatsApp, e-mail, "
                "video call, interpreter) with the languages spoken on it, such as Arabic "
                "by WhatsApp and Tigrinya at the desk. Residents can search on these: "
                "Arabic by phone."
            ),
        ),
        LocationHoursPanel("opening_hours", heading=_("Opening hours"), label=_("opening hours")),
        LocationHoursPanel(
            "opening_hours_exceptions",
            heading=_("Exceptions to the opening hours"),
            label=_("exception"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("cost"), FieldPanel("cost_note")]),
                FieldRowPanel([FieldPanel("access"), FieldPanel("access_note")]),
                FieldPanel("accessibility"),
            ],
            heading=_("Cost and access"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("phone"), FieldPanel("whatsapp")]),
                FieldRowPanel([FieldPanel("email"), FieldPanel("website")]),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("last_verified"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.SearchField("accessibility"),
        index.SearchField("analysed_text"),
        index.RelatedFields("themes", [index.SearchField("name"), index.FilterField("slug")]),
        index.RelatedFields("audiences", [index.SearchField("name"), index.FilterField("slug")]),
        index.RelatedFields("languages", [index.FilterField("code")]),
        index.FilterField("cost"),
        index.FilterField("access"),
        index.FilterField("status"),
        index.FilterField("last_verified"),
    ]

    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        TranslatableField("summary"),
        TranslatableField("body"),
        TranslatableField("cost_note"),
        TranslatableField("access_note"),
        TranslatableField("accessibility"),
        # A translation serves the same themes and audiences as its source;
        # save() keeps them as the terms of its own language.
        SynchronizedField("themes", overridable=False),
        SynchronizedField("audiences", overridable=False),
    ]

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(
                fields=["partner_page", "title_key", "page_ptr"], name="service_partner_listing"
            )
        ]

    @classmethod
    def get_indexed_objects(cls):
        # Wagtail's search indexing does not prefetch ParentalManyToManyFields,
        # and reads each related field five times per page: without this,
        # update_index ran 15 queries per service.
        return (
            super()
            .get_indexed_objects()
            .select_related("locale")
            .prefetch_related("themes", "audiences", "languages")
        )

    def save(self, *args, **kwargs):
        self.title_key = title_key(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.localize_terms()
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key"}
        result = super().save(*args, **kwargs)
        if update_fields is None:
            self.refresh_partner()
        if update_fields is None or LISTED_FIELDS & set(update_fields):
            # Saving a draft revision touches none of these.
            changes.send([self.pk])
        return result

    def localize_terms(self) -> None:
        """Keep the themes and audiences as terms of the page's own language.
        A translation is copied from its source with the source's Dutch terms;
        readers and search match terms by slug, but the editor's form offers
        only the page's own terms (``TaxonomyTerm.choices_for``)."""
        if not self.locale_id:
            return
        for name, model in (("themes", Theme), ("audiences", Audience)):
            terms = list(getattr(self, name).all())
            if any(term.locale_id != self.locale_id for term in terms):
                mapped = model.in_locale(terms, self.locale)
                if [term.pk for term in mapped] != [term.pk for term in terms]:
                    getattr(self, name).set(mapped)

    def get_cost_display(self) -> str:
        # On every card: see choices.label.
        return label(Cost, self.cost)

    def analysed_text(self) -> str:
        """The stems, compound parts and normalised forms of the page's words,
        indexed beside them so the database search finds word forms, parts of
        compounds and words typed without accents (search/analysis.py)."""
        from search.analysis import index_terms, vocabulary

        language = self.locale.language_code
        texts = (language, self.title, self.summary, strip_tags(self.body), self.accessibility)
        # Wagtail's database index asks for it once per indexed column (three
        # times per save); the answer is the same while the texts are.
        cached = getattr(self, "_analysed_text", None)
        if cached is not None and cached[0] == texts:
            return cached[1]
        # Counted only when the vocabulary would otherwise be kept: a bulk
        # import grows its own instead (search.analysis.growing_vocabulary).
        known = vocabulary(services=ServicePage.objects.count)
        found = index_terms(list(texts[1:]), language, known)
        self._analysed_text = (texts, found)
        return found

    def refresh_partner(self):
        """Rewrite the copies of the partner above (``partner_type``,
        ``partner_page``) where they differ from the tree."""
        partner = partners_above([self.pk]).get(self.pk, (None, ""))
        if partner != (self.partner_page_id, self.partner_type):
            ServicePage.objects.filter(pk=self.pk).update(
                partner_page_id=partner[0], partner_type=partner[1]
            )
            self.partner_page_id, self.partner_type = partner

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        if self.cost in (Cost.CONTRIBUTION, Cost.PAID) and not self.cost_note:
            errors.setdefault("cost_note", []).append(
                _("Say what a resident pays, for example: € 2.50 per lesson.")
            )
        if self.last_verified and self.last_verified > timezone.localdate():
            errors.setdefault("last_verified", []).append(
                _("The date last checked cannot be in the future.")
            )
        if not (self.phone or self.email or self.whatsapp or self.website):
            errors.setdefault("phone", []).append(
                _(
                    "Give at least one way to contact the service: phone, e-mail, WhatsApp or website."
                )
            )
        if errors:
            raise ValidationError(errors)

    def serve(self, request, *args, **kwargs):
        from django.http import Http404

        since = hidden_before()
        if since is not None and self.last_verified < since:
            raise Http404
        return super().serve(request, *args, **kwargs)

    # What the service page shows (and its JSON-LD repeats): read once each.
    SHOWN_TERMS = ("themes", "audiences", "languages", "municipalities")
    SHOWN_RELATIONS = (
        "wijken",
        "locations",
        "opening_hours",
        "opening_hours_exceptions",
        "channels__languages",
    )

    def get_context(self, request, *args, **kwargs):
        from .. import structured_data

        if not getattr(request, "is_preview", False):
            # A preview shows the editor's terms, held in memory, not the saved ones.
            with_terms([self], self.SHOWN_TERMS)
        models.prefetch_related_objects([self], *self.SHOWN_RELATIONS)
        context = super().get_context(request, *args, **kwargs)
        context["structured_data"] = structured_data.service(self, request)
        return context

    @staticmethod
    def service_area_error(wijken, municipalities):
        """The error for a service that serves nowhere, or None.

        Not part of ``clean()``: the editor form assigns many-to-many values only
        after model validation, so ``ServicePageForm`` checks its cleaned data.
        """
        if not wijken and not municipalities:
            return _("Choose the wijken this service is for, or a whole municipality.")
        return None

    @cached_property
    def partner(self):
        # The routing read the parent already (directory/per_request.py).
        parent = per_request.known_page(self.path[: -self.steplen]) or self.get_parent()
        return parent.specific

    def where_shown(self) -> str:
        """Where a card says the service is: the town of its one location,
        "several locations", or nothing without locations."""
        locations = list(self.locations.all())
        if len(locations) > 1:
            return _("Several locations")
        return locations[0].city if locations else ""

    @property
    def is_temporarily_closed(self) -> bool:
        return self.status == ServiceStatus.TEMPORARILY_CLOSED

    @staticmethod
    def _by_weekday(rows):
        days: dict[int, list] = {}
        for row in rows:
            days.setdefault(row.weekday, []).append(row)
        return [
            (Weekday(day).label, sorted(rows, key=lambda r: r.opens))
            for day, rows in sorted(days.items())
        ]

    def weekly_hours(self):
        """Opening hours grouped per weekday, Monday first, days without hours
        left out; empty when the hours are per location (``location_hours``)."""
        if self.hours_per_location:
            return []
        return self._by_weekday(self.opening_hours.all())

    def upcoming_exceptions(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        if self.hours_per_location:
            return []
        return [e for e in self.opening_hours_exceptions.all() if e.end_date >= today]

    @property
    def hours_per_location(self) -> bool:
        """Whether some row of hours or some exception holds for one location only."""
        from ..opening import scopes

        return scopes(self)[0][0] is not None

    def location_hours(self, today: datetime.date | None = None):
        """(location, its hours per weekday, its exceptions not yet over) for
        each location, when the hours are per location; otherwise empty."""
        from ..opening import scopes

        today = today or timezone.localdate()
        return [
            (where, self._by_weekday(rows), [e for e in exceptions if e.end_date >= today])
            for where, rows, exceptions in scopes(self)
            if where is not None
        ]

    def is_open_at(self, moment: datetime.datetime) -> bool:
        """Whether the service is open at ``moment`` (local time) at any of its
        locations, exceptions first: one for the location before one for all."""
        from ..opening import scopes

        if self.is_temporarily_closed:
            return False
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        day, now = local.date(), local.time()
        for _where, rows, exceptions in scopes(self):
            today = sorted(
                (e for e in exceptions if e.start_date <= day <= e.end_date),
                key=lambda e: (e.location_key is None, e.start_date),
            )
            if today:
                exception = today[0]
                if not exception.closed and exception.opens <= now < exception.closes:
                    return True
            elif any(r.opens <= now < r.closes for r in rows if r.weekday == day.weekday()):
                return True
        return False


class ServiceLocation(HSDSIdentified, Orderable):
    """A place where residents can go for a service."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name of the place"), max_length=120, blank=True)
    address = models.CharField(_("street and number"), max_length=120)
    postcode = PostcodeField(_("postcode"), help_text=_("For example 3563 AB"))
    city = models.CharField(_("town or city"), max_length=80)
    latitude = latitude_field()
    longitude = longitude_field()

    panels = [
        FieldPanel("name"),
        FieldPanel("postcode", widget=PostcodeLookupWidget),
        FieldPanel("address"),
        FieldPanel("city"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        # The database search's bounding boxes: "close by first" reads a
        # narrow band of latitudes, not every location.
        indexes = [models.Index(fields=["latitude", "longitude"], name="location_coordinates")]

    def __str__(self):
        return ", ".join(part for part in (self.name, self.address, self.city) if part)

    @property
    def pc4(self) -> str:
        return self.postcode[:4]


def _check_opens_before_closes(opens, closes, errors):
    if opens and closes and closes <= opens:
        errors["closes"] = _(
            "The closing time must be later than the opening time. "
            "For hours past midnight, add a second row for the next day."
        )


def location_key_field():
    """Which of the service's locations a row of hours is for: the location's
    ``hsds_id``, or blank for all of them (a service with one location, or
    the same hours everywhere). The id rather than a foreign key: it stays
    the same through revisions and in every translation, where
    wagtail-localize copies the locations as new rows (identity.py)."""
    return models.UUIDField(
        _("location"),
        null=True,
        blank=True,
        help_text=_("Leave empty when these hours hold for every location of the service."),
    )


class LocationHours(models.Model):
    """A row of hours that may hold for one location of the service only."""

    location_key = location_key_field()

    class Meta:
        abstract = True

    def holds_for(self, location_key) -> bool:
        return self.location_key is None or self.location_key == location_key


class OpeningHours(HSDSIdentified, LocationHours, Orderable):
    """Regular weekly opening hours; several rows on one day for a lunch break."""

    page = ParentalKey(ServicePage, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    panels = [
        FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")]),
        FieldPanel("location_key"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        # "Open now" in the database search: the services open at a moment
        # come from this index alone, not from reading every week's hours.
        indexes = [
            models.Index(
                fields=["weekday", "opens", "closes", "page", "location_key"],
                name="hours_open_at",
            )
        ]

    def __str__(self):
        return f"{Weekday(self.weekday).label} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        errors: dict = {}
        _check_opens_before_closes(self.opens, self.closes, errors)
        if errors:
            raise ValidationError(errors)


class OpeningHoursException(HSDSIdentified, LocationHours, Orderable):
    """A day or period with other hours than usual, such as a public holiday."""

    page = ParentalKey(
        ServicePage, on_delete=models.CASCADE, related_name="opening_hours_exceptions"
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until and including"), null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=True)
    opens = models.TimeField(_("opens at"), null=True, blank=True)
    closes = models.TimeField(_("closes at"), null=True, blank=True)
    note = models.CharField(_("reason"), max_length=120, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldRowPanel([FieldPanel("closed"), FieldPanel("opens"), FieldPanel("closes")]),
        FieldPanel("note"),
        FieldPanel("location_key"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("exception to the opening hours")
        verbose_name_plural = _("exceptions to the opening hours")
        indexes = [
            # The end first: exceptions that are over pile up, and the open-now
            # filter asks for today's (search/backends/database.py open_at).
            models.Index(
                fields=["end_date", "start_date", "page", "location_key"], name="exceptions_on"
            )
        ]

    def __str__(self):
        return f"{self.start_date}–{self.end_date or self.start_date}"

    def save(self, *args, **kwargs):
        self.end_date = self.end_date or self.start_date
        if self.closed:
            self.opens = self.closes = None
        super().save(*args, **kwargs)

    def clean(self):
        if not self.end_date:
            self.end_date = self.start_date
        errors: dict = {}
        if self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if not self.closed:
            for name in ("opens", "closes"):
                if getattr(self, name) is None:
                    errors[name] = _("Give the opening hours for this day, or tick 'closed'.")
            _check_opens_before_closes(self.opens, self.closes, errors)
        if errors:
            raise ValidationError(errors)
