from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from modelcluster.fields import ParentalManyToManyField

from ..choices import PartnerType, label
from ..fields import PublicEmailField, PublicURLField, phone_field
from ..forms import DirectoryPageForm
from ..languages import with_dutch_fallback
from ..pagination import paginate
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
        from .service import ServicePage

        context = super().get_context(request, *args, **kwargs)
        context["structured_data"] = structured_data.organisation(self, request)
        # Services below any language version of this partner, each in the
        # page's language where translated; a page of them at a time: a
        # national partner offers thousands (11,500 at 300,000 services made
        # a page of 12 MB).
        below = self.in_any_version(children_only=True)
        context["services"] = paginate(
            request, ServicePage.objects.filter(below).for_listing(self.locale)
        )
        return context

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
