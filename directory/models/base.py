from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from ..forms import DirectoryPageForm

# Slugs are the same in every language, so an address differs only in its
# language prefix and an untranslated page can be shown at the same path.
PAGE_TRANSLATABLE_FIELDS = [
    TranslatableField("title"),
    TranslatableField("seo_title"),
    TranslatableField("search_description"),
    SynchronizedField("slug", overridable=False),
]


class IntroMixin(models.Model):
    """A short plain-language introduction shown at the top of a listing page."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)

    intro_panels = [FieldPanel("intro")]

    class Meta:
        abstract = True


class DirectoryIndexPage(IntroMixin, Page):
    """Base for the listing pages directly under the home page."""

    base_form_class = DirectoryPageForm

    content_panels = Page.content_panels + IntroMixin.intro_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["directory.HomePage"]
    translatable_fields = [*PAGE_TRANSLATABLE_FIELDS, TranslatableField("intro")]

    class Meta:
        abstract = True
