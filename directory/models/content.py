from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class ContentPage(Page):
    """A plain page of text, such as 'About Wijkwijzer' or the privacy statement."""

    body = RichTextField(_("text"))

    parent_page_types = ["directory.HomePage"]
    subpage_types: list[str] = []
    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")
