from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from .. import per_request
from ..forms import DirectoryPageForm

# Slugs are the same in every language, so an address differs only in its
# language prefix and an untranslated page can be shown at the same path.
PAGE_TRANSLATABLE_FIELDS = [
    TranslatableField("title"),
    TranslatableField("seo_title"),
    TranslatableField("search_description"),
    SynchronizedField("slug", overridable=False),
]

# Wagtail's own columns that no public listing shows: the draft title,
# publishing schedule, locks, revisions, menus and SEO fields. SQLite reads
# each date from text; 25 services read 1.4 ms without them against 2.0.
UNLISTED_PAGE_FIELDS = (
    "draft_title",
    "seo_title",
    "search_description",
    "show_in_menus",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
    "first_published_at",
    "latest_revision_created_at",
    "latest_revision",
    "live_revision",
    "owner",
)


class RestrictionsReadOnce:
    """Before serving a page Wagtail reads its ancestors, then the view
    restrictions on them; the routing read those ancestors already and
    ``public()`` reads every restriction in the same request
    (directory/per_request.py). A page that none of them restricts gets the
    empty answer without a query; anything else (a restricted section, an
    alias on the way, a page the request did not route to) Wagtail's own."""

    def get_view_restrictions(self):
        ancestors = per_request.known_ancestors(self)
        restrictions = per_request.view_restrictions() if ancestors is not None else None
        if (
            restrictions is None
            # An alias takes its source's restrictions: Wagtail resolves that.
            or any(page.alias_of_id for page in (*ancestors, self))
            # A restriction on the page or above it: the paths of a tree nest.
            or any(self.path.startswith(r.page.path) for r in restrictions)
        ):
            return super().get_view_restrictions()
        return PageViewRestriction.objects.none()


class IntroMixin(models.Model):
    """A short plain-language introduction shown at the top of a listing page."""

    intro = models.TextField(_("introduction"), blank=True, max_length=600)

    intro_panels = [FieldPanel("intro")]

    class Meta:
        abstract = True


class DirectoryIndexPage(IntroMixin, RestrictionsReadOnce, Page):
    """Base for the listing pages directly under the home page."""

    base_form_class = DirectoryPageForm

    content_panels = Page.content_panels + IntroMixin.intro_panels
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["directory.HomePage"]
    translatable_fields = [*PAGE_TRANSLATABLE_FIELDS, TranslatableField("intro")]

    class Meta:
        abstract = True
