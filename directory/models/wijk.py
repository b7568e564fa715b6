from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from ..fields import latitude_field, longitude_field
from ..forms import DirectoryPageForm
from ..languages import with_dutch_fallback
from ..validators import parse_pc4_list, validate_cbs_wijk_code, validate_pc4_list
from .base import PAGE_TRANSLATABLE_FIELDS, DirectoryIndexPage, IntroMixin, RestrictionsReadOnce
from .reference import Municipality


class WijkIndexPage(RoutablePageMixin, DirectoryIndexPage):
    """Lists the wijken of one municipality, or first the municipalities when
    the coalition has several: a national coalition has 3,000 wijken, which no
    page should list at once (README, "Geography that scales")."""

    subpage_types = ["directory.WijkPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("wijk index page")

    def _wijken(self):
        return with_dutch_fallback(WijkPage.objects.live().public(), self.locale).select_related(
            "municipality"
        )

    @path("")
    def municipalities_or_wijken(self, request):
        municipalities = municipalities_with_wijken()
        if len(municipalities) > 1:
            return self.render(request, context_overrides={"municipalities": municipalities})
        return self.render(request, context_overrides={"grouped": self._grouped(self._wijken())})

    @path("gemeente/<str:code>/", name="municipality")
    def municipality(self, request, code):
        wijken = self._wijken().filter(municipality__cbs_code=code.upper())
        municipality = wijken[0].municipality if wijken else None
        if municipality is None:
            raise Http404
        return self.render(
            request,
            context_overrides={"grouped": self._grouped(wijken), "municipality": municipality},
        )

    @staticmethod
    def _grouped(wijken):
        grouped = defaultdict(list)
        for wijk in wijken.order_by("municipality__name", "cbs_code"):
            grouped[wijk.municipality].append(wijk)
        return dict(grouped)


def municipalities_with_wijken():
    """The municipalities that have a live, public wijk: one query whatever
    the size of the country."""
    return list(
        Municipality.objects.filter(wijken__in=WijkPage.objects.live().public())
        .distinct()
        .order_by("name")
    )


# A wijk page names this many services of each theme and links to the search
# for all of them, so it stays small however many serve the wijk.
SERVICES_PER_THEME = 8


class WijkPage(RoutablePageMixin, IntroMixin, RestrictionsReadOnce, Page):
    """A wijk as CBS defines it: who offers what help here ('wie doet wat in de wijk'),
    and at overzicht/ the same as a compact table to print for a wijk meeting."""

    base_form_class = DirectoryPageForm

    cbs_code = models.CharField(
        _("CBS wijk code"),
        max_length=8,
        validators=[validate_cbs_wijk_code],
        help_text=_("WK followed by 6 digits, for example WK034403"),
    )
    municipality = models.ForeignKey(
        "directory.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="wijken",
    )
    postcodes = models.CharField(
        _("postcodes (4 digits)"),
        max_length=400,
        blank=True,
        validators=[validate_pc4_list],
        help_text=_("The 4-digit postcodes in this wijk, separated by commas: 3561, 3562"),
    )
    latitude = latitude_field()
    longitude = longitude_field()
    # Kept by ``manage.py import_wijken`` from the CBS files, not typed by
    # editors: the buurten ({"code", "name", "postcode"}) and a simplified
    # outline (a GeoJSON Polygon in WGS84, at most 200 points) for a later map.
    buurten = models.JSONField(_("CBS buurten"), default=list, blank=True, editable=False)
    outline = models.JSONField(_("outline"), null=True, blank=True, editable=False)

    parent_page_types = ["directory.WijkIndexPage"]
    subpage_types: list[str] = []

    content_panels = (
        Page.content_panels
        + IntroMixin.intro_panels
        + [
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("cbs_code"), FieldPanel("municipality")]),
                    FieldPanel("postcodes"),
                    FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                ],
                heading=_("Geography"),
            ),
        ]
    )

    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("postcodes"),
        index.FilterField("cbs_code"),
    ]

    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        TranslatableField("intro"),
    ]

    class Meta:
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.cbs_code and self.municipality_id:
            number = self.municipality.number
            if self.cbs_code[2:6] != number:
                errors["cbs_code"] = _(
                    "Wijk codes of %(municipality)s start with WK%(number)s. "
                    "Check the code or the municipality."
                ) % {"municipality": self.municipality.name, "number": number}
            elif (
                WijkPage.objects.filter(cbs_code=self.cbs_code, locale_id=self.locale_id)
                .exclude(translation_key=self.translation_key)
                .exists()
            ):
                errors["cbs_code"] = _("Another wijk already has this CBS code.")
        if self.postcodes:
            self.postcodes = ", ".join(parse_pc4_list(self.postcodes))
        if errors:
            raise ValidationError(errors)

    @property
    def postcode_list(self) -> list[str]:
        return parse_pc4_list(self.postcodes)

    def available_services(self):
        from .service import ServicePage

        return ServicePage.objects.for_listing(self.locale).in_wijk(self)

    def partners_active_here(self, paths=None):
        """Partners active here: named for the wijk, or offering a service
        that serves it (``paths``: those services' tree paths)."""
        from .partner import PartnerPage

        if paths is None:
            paths = self.available_services().prefetch_related(None).values_list("path", flat=True)
        parent_paths = {path[: -PartnerPage.steplen] for path in paths}
        return (
            PartnerPage.listed(self.locale)
            .filter(
                models.Q(wijken__translation_key=self.translation_key)
                | models.Q(path__in=parent_paths)
            )
            .distinct()
            .order_by("title")
        )

    def get_context(self, request, *args, **kwargs):
        from .service import ServicePage
        from .taxonomy import Theme

        context = super().get_context(request, *args, **kwargs)
        services = self.available_services()
        # In listing order with their themes, without their cards: a wijk of
        # a large municipality is served by hundreds (417 at 100,000 services).
        # A service's rows are adjacent and in listing order (its pk breaks
        # every tie), so each theme's services come in that order too.
        rows = services.prefetch_related(None).values_list("pk", "path", "themes__slug")
        listed = {}
        # By slug: a translated service may still link the Dutch theme.
        by_theme = defaultdict(dict)
        for pk, tree_path, slug in rows:
            listed[pk] = tree_path
            if slug:
                by_theme[slug][pk] = True
        first = {slug: list(pks)[:SERVICES_PER_THEME] for slug, pks in by_theme.items()}
        # Found above: only what the lines show is fetched again.
        cards = (
            ServicePage.objects.filter(pk__in={pk for pks in first.values() for pk in pks})
            .for_lines()
            .in_bulk()
        )
        context["services_by_theme"] = [
            (theme, [cards[pk] for pk in first.get(theme.slug, ()) if pk in cards],
             len(by_theme.get(theme.slug, ())))
            for theme in Theme.listed(self.locale)
        ]  # fmt: skip
        context["service_count"] = len(listed)
        context["partners"] = self.partners_active_here(listed.values())
        return context

    @path("overzicht/", name="overview")
    def overview(self, request):
        """Who does what in the wijk on as few sheets of paper as it takes:
        each service once, under the first of its themes, with what a
        professional needs to refer a resident (see directory/overview.py)."""
        from ..overview import wijk_overview

        # The cards' query, with the contact fields the cards leave out.
        services = list(self.available_services().defer(None).defer("body"))
        # Not self.render(): the page's own context is the listing by theme,
        # which the overview replaces (six queries and its lines' work).
        context = super().get_context(request)
        context.update(
            overview=wijk_overview(services, self.locale),
            partners=self.partners_active_here(service.path for service in services),
            today=timezone.localdate(),
        )
        return TemplateResponse(request, "directory/wijk_overview.html", context)
