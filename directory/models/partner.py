from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Locale, Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from modelcluster.fields import ParentalManyToManyField

from .. import per_request
from ..choices import PartnerType, label
from ..fields import PublicEmailField, PublicURLField, phone_field
from ..forms import DirectoryPageForm
from ..languages import with_dutch_fallback
from ..pagination import Concatenated, paginate
from ..validators import validate_kvk_number
from .base import (
    PAGE_TRANSLATABLE_FIELDS,
    UNLISTED_PAGE_FIELDS,
    DirectoryIndexPage,
    RestrictionsReadOnce,
)
from .service import ServicePage


class PartnerIndexPage(DirectoryIndexPage):
    """Lists the coalition's partners, by type."""

    subpage_types = ["directory.PartnerPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("partner index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        partners = PartnerPage.listed(self.locale).order_by("title")
        chosen = request.GET.get("type", "")
        if chosen in PartnerType.values:
            partners = partners.filter(partner_type=chosen)
        context["partners"] = partners
        context["partner_types"] = PartnerType.choices
        context["chosen_type"] = chosen if chosen in PartnerType.values else ""
        return context


class PartnerPage(RestrictionsReadOnce, Page):
    """A coalition partner: an organisation whose services are its child pages."""

    base_form_class = DirectoryPageForm

    partner_type = models.CharField(
        _("type of organisation"), max_length=30, choices=PartnerType.choices
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = RichTextField(_("description"), blank=True)
    website = PublicURLField(_("website"), blank=True)
    phone = phone_field(_("general phone number"))
    email = PublicEmailField(_("general e-mail address"), blank=True)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        validators=[validate_kvk_number],
        help_text=_(
            "The 8 digits of the organisation's number in the Dutch Chamber of Commerce "
            "register, if it has one. Published in the open data."
        ),
    )
    wijken = ParentalManyToManyField(
        "directory.WijkPage",
        related_name="active_partners",
        blank=True,
        verbose_name=_("wijken where the partner is active"),
    )

    parent_page_types = ["directory.PartnerIndexPage"]
    subpage_types = ["directory.ServicePage"]

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        # Services carry their partner's type for the database search.
        ServicePage.objects.child_of(self).exclude(partner_type=self.partner_type).update_listed(
            partner_type=self.partner_type
        )
        return result

    content_panels = Page.content_panels + [
        FieldPanel("partner_type"),
        FieldPanel("logo"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("website"), FieldRowPanel([FieldPanel("phone"), FieldPanel("email")])],
            heading=_("Contact"),
        ),
        FieldPanel("kvk_number"),
        FieldPanel("wijken"),
    ]

    search_fields = Page.search_fields + [
        index.SearchField("description"),
        index.FilterField("partner_type"),
    ]

    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        TranslatableField("description"),
        SynchronizedField("kvk_number"),
    ]

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    @classmethod
    def listed(cls, locale):
        """Live, public partners in ``locale`` (or in Dutch where not
        translated), read for a list of names and types: their contact
        fields, whose phone numbers are parsed on every load, stay unread."""
        return with_dutch_fallback(cls.objects.live().public(), locale).defer(
            *UNLISTED_PAGE_FIELDS, "logo", "description", "website", "phone", "email", "kvk_number"
        )

    def get_partner_type_display(self) -> str:
        # On every partner a listing shows: see choices.label.
        return label(PartnerType, self.partner_type)

    def get_context(self, request, *args, **kwargs):
        from .. import structured_data

        context = super().get_context(request, *args, **kwargs)
        context["structured_data"] = structured_data.organisation(self, request)
        # A page of them at a time, not counted: a national partner offers
        # thousands (11,500 at 300,000 services made a page of 12 MB).
        context["services"] = paginate(request, self.listed_services(), count=False)
        return context

    def listed_services(self):
        """The partner's services shown to a visitor of this page, as
        ``ServicePage.objects.for_listing`` lists them: those in the page's
        language first, then the Dutch ones not translated into it, each in
        title order. Translations mirror the tree, so each part is the
        children of one language version of the partner, read in title order
        from an index of the services' copy of their partner page
        (``ServicePage.partner_page``): one query sorting "its language
        first" sorted all 11,700 services of a national partner, 130 ms."""

        def shown_under(partner_pk):
            return ServicePage.objects.shown().filter(partner_page=partner_pk)

        def in_title_order(services, partner):
            return services.for_cards(partner_title=partner.title).order_by("title_key", "pk")

        own = shown_under(self.pk)
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return in_title_order(own, self)
        # As the breadcrumbs find an ancestor's translation: the routing read it.
        dutch = per_request.known_translation(self, default) or self.get_translation_or_none(
            default
        )
        if dutch is None:
            return in_title_order(own, self)
        # NOT EXISTS, not NOT IN: PostgreSQL read the Dutch ones in title
        # order from the index only for the former.
        untranslated = shown_under(dutch.pk).exclude(
            models.Exists(own.filter(translation_key=models.OuterRef("translation_key")))
        )
        return Concatenated(in_title_order(own, self), in_title_order(untranslated, dutch))

    def in_any_version(self, field: str = "path", children_only: bool = False) -> models.Q:
        """Pages that belong to this partner in any language: the partner page
        and what is below it (only its children with ``children_only``) in
        every language version. ``field`` is the tree path of the filtered
        model, e.g. ``page__path`` for log entries."""
        depth = field.removesuffix("path") + "depth"
        belongs = models.Q(pk__in=[])
        for version in self.get_translations(inclusive=True).only("path", "depth"):
            if children_only:
                belongs |= models.Q(
                    **{f"{field}__startswith": version.path, depth: version.depth + 1}
                )
            else:
                belongs |= models.Q(**{f"{field}__startswith": version.path})
        return belongs
