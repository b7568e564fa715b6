from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Locale, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from .. import pagination
from .base import DirectoryIndexPage


class TaxonomyTerm(TranslatableMixin, index.Indexed, models.Model):
    """Shared base for the lists that services are tagged with."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        help_text=_("Used in web addresses and filters; the same in every language."),
    )
    description = models.TextField(_("description"), blank=True, max_length=300)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("locale_id"),
    ]
    # The slug identifies a term across languages (filters, addresses), so it is
    # copied from the Dutch source, never translated.
    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("description"),
        SynchronizedField("slug", overridable=False),
        SynchronizedField("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        abstract = True
        ordering = ["sort_order", "name"]
        unique_together = [("translation_key", "locale"), ("slug", "locale")]

    def __str__(self):
        return self.name

    @classmethod
    def for_locale(cls, locale: Locale | None = None):
        return cls.objects.filter(locale=locale or Locale.get_active())

    @classmethod
    def listed(cls, locale: Locale) -> list:
        """The terms in ``locale`` in their order, as pages list them: kept
        per process while no term changes (``per_request.shared``)."""
        from .. import per_request

        return per_request.shared((cls, "listed", locale.pk), lambda: list(cls.for_locale(locale)))

    @classmethod
    def choices_for(cls, locale: Locale):
        """The terms a page in ``locale`` is tagged with: each term once, in
        ``locale`` where it is translated and in Dutch where it is not."""
        dutch = Locale.get_default()
        translated = cls.objects.filter(locale=locale).values("translation_key")
        return cls.objects.filter(
            models.Q(locale=locale)
            | models.Q(locale=dutch) & ~models.Q(translation_key__in=translated)
        )

    @classmethod
    def in_locale(cls, terms, locale: Locale) -> list:
        """``terms`` (of any language) as the same terms in ``locale``'s
        choices, matched by translation key, in the order given."""
        keys = [term.translation_key for term in terms]
        by_key = {
            term.translation_key: term
            for term in cls.choices_for(locale).filter(translation_key__in=keys)
        }
        return [by_key.get(key, term) for key, term in zip(keys, terms, strict=True)]


class Theme(TaxonomyTerm):
    """A kind of help residents look for, such as money and debt or housing."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Audience(TaxonomyTerm):
    """A group of residents a service is meant for, such as older people."""

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")


class ThemeIndexPage(RoutablePageMixin, DirectoryIndexPage):
    """Lists every theme, and at /<theme slug>/ the services for that theme.

    Both lists are the search's (search/query.py): a theme's page is the
    search with only that theme chosen, in its title order, and the index
    shows the search's count of each theme. Counted and sorted in SQL they
    took 0.3-0.45 s each at 300,000 services (41,000 in a theme), on every
    view after a publish had purged them; the search answers from what it
    keeps for exactly that (the rows in memory, or the engine's index). With
    the engine, a change reaches these pages once the index has it, and the
    page cache purges them again then (page_cache/signals.py)."""

    subpage_types: list[str] = []
    max_count_per_parent = 1
    template = "directory/theme_index_page.html"

    class Meta:
        verbose_name = _("theme index page")

    @path("")
    def themes_with_counts(self, request):
        """Every theme with its number of services."""
        from search.query import ServiceQuery, count_services

        counts = count_services(ServiceQuery(), self.locale, facets=["themes"]).facets["themes"]
        themes = [(theme, counts.get(theme.slug, 0)) for theme in Theme.listed(self.locale)]
        return self.render(request, context_overrides={"themes": themes})

    def get_sitemap_urls(self, request=None):
        """The index, then each theme's page below it."""
        urls = super().get_sitemap_urls(request)
        base = urls[0]["location"].rstrip("/") + "/"
        for theme in Theme.for_locale(self.locale):
            urls.append(
                {
                    "location": base + self.reverse_subpage("theme", args=(theme.slug,)),
                    "lastmod": urls[0]["lastmod"],
                }
            )
        return urls

    @path("<slug:slug>/", name="theme")
    def theme(self, request, slug):
        """A page of the theme's services: in title order, those in her
        language first, then the Dutch ones not translated into it."""
        from search.query import ServiceQuery, page_of_hits, search_services

        theme = next((t for t in Theme.listed(self.locale) if t.slug == slug), None)
        if theme is None:
            raise Http404(_("There is no theme with this address."))
        per_page = pagination.PER_PAGE
        found = search_services(
            ServiceQuery(themes=(slug,)), self.locale, request.GET.get("page"), per_page, facets=()
        )
        services = page_of_hits(
            [hit.service for hit in found.page], found.total, found.page.number, per_page
        )
        return self.render(
            request,
            template="directory/theme_page.html",
            context_overrides={"theme": theme, "services": services},
        )
