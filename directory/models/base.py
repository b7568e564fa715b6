from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index


class IntroMixin(models.Model):
    """A short plain-language introduction shown at the top of a listing page."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)

    intro_panels = [FieldPanel("intro")]

    class Meta:
        abstract = True


class DirectoryIndexPage(IntroMixin, Page):
    """Base for the listing pages directly under the home page."""

    content_panels = Page.content_panels + IntroMixin.intro_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["directory.HomePage"]

    class Meta:
        abstract = True
