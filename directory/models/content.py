from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import TranslatableField

from ..forms import DirectoryPageForm
from .base import PAGE_TRANSLATABLE_FIELDS, RestrictionsReadOnce


class ContentPage(RestrictionsReadOnce, Page):
    """A plain page of text, such as 'About Wijkwijzer' or the privacy statement."""

    base_form_class = DirectoryPageForm

    body = RichTextField(_("text"))

    parent_page_types = ["directory.HomePage"]
    subpage_types: list[str] = []
    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    translatable_fields = [*PAGE_TRANSLATABLE_FIELDS, TranslatableField("body")]

    class Meta:
        verbose_name = _("content page")
