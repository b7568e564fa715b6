from django.utils.translation import gettext_lazy as _

from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from ..forms import DirectoryPageForm
from ..languages import with_dutch_fallback
from .base import PAGE_TRANSLATABLE_FIELDS, IntroMixin, RestrictionsReadOnce


class HomePage(IntroMixin, RestrictionsReadOnce, Page):
    """The start page: a search box, the themes and the wijken."""

    base_form_class = DirectoryPageForm

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "directory.PartnerIndexPage",
        "directory.WijkIndexPage",
        "directory.ThemeIndexPage",
        "directory.ContentPage",
    ]

    content_panels = Page.content_panels + IntroMixin.intro_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]
    translatable_fields = [*PAGE_TRANSLATABLE_FIELDS, TranslatableField("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .taxonomy import Theme, ThemeIndexPage
        from .wijk import WijkIndexPage, WijkPage, municipalities_with_wijken

        context = super().get_context(request, *args, **kwargs)
        context["themes"] = Theme.listed(self.locale)
        context["theme_index"] = ThemeIndexPage.objects.child_of(self).live().first()
        wijk_index = WijkIndexPage.objects.child_of(self).live().first()
        context["wijk_index"] = wijk_index
        # One municipality: its wijken. More: the municipalities, each leading
        # to its wijken, so the page does not grow with the country.
        municipalities = municipalities_with_wijken()
        if len(municipalities) > 1 and wijk_index is not None:
            context["municipalities"] = municipalities
        else:
            context["wijken"] = with_dutch_fallback(
                WijkPage.objects.live().public(), self.locale
            ).order_by("title")
        return context
