from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Collection, GroupApprovalTask, Workflow

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel

from directory.fields import PublicEmailField, phone_field


class PartnerAccess(models.Model):
    """How one partner's staff work in the directory: their groups, collection,
    review step and whether the coalition lets them publish without moderation.

    Created by onboarding (``coalition.onboarding.onboard_partner``), never by hand.
    """

    partner = models.OneToOneField(
        "directory.PartnerPage",
        on_delete=models.CASCADE,
        related_name="access",
        verbose_name=_("partner"),
        help_text=_("The partner's page in Dutch; its translations follow it."),
    )
    editors = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="editors_of", verbose_name=_("editors")
    )
    publishers = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="publishers_of", verbose_name=_("publishers")
    )
    collection = models.OneToOneField(
        Collection, on_delete=models.PROTECT, related_name="+", verbose_name=_("collection")
    )
    review_task = models.OneToOneField(
        GroupApprovalTask, on_delete=models.PROTECT, related_name="+", verbose_name=_("review step")
    )
    workflow = models.OneToOneField(
        Workflow, on_delete=models.PROTECT, related_name="+", verbose_name=_("workflow")
    )
    may_publish_directly = models.BooleanField(
        _("publishers may publish without moderation"),
        default=False,
        help_text=_(
            "When on, the partner's publishers can publish their own pages at once; "
            "editors always go through review and moderation."
        ),
    )
    active = models.BooleanField(
        _("staff have access"),
        default=True,
        help_text=_("Off when the partner's editor access has been removed."),
    )

    class Meta:
        verbose_name = _("partner access")
        verbose_name_plural = _("partner access")
        permissions = [
            ("onboard_partner", _("Can onboard partners and remove their access")),
            ("view_partner_changes", _("Can list changes per partner")),
        ]

    def __str__(self):
        return self.partner.title

    def staff(self):
        """Active users who edit or publish for this partner."""
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(is_active=True, groups__in=[self.editors, self.publishers])
            .distinct()
        )

    @classmethod
    def recipients(cls, partner) -> list[str]:
        """Where mail for ``partner`` (any language version) goes: its active
        staff with an e-mail address, or the partner's own address when none
        has one or the partner has no staff accounts yet."""
        access = cls.objects.filter(
            partner__translation_key=partner.translation_key, active=True
        ).first()
        staff = sorted({user.email for user in access.staff() if user.email}) if access else []
        if staff:
            return staff
        return [partner.email] if partner.email else []


class ContactPersonQuerySet(models.QuerySet):
    def of_partner(self, partner):
        """The people of ``partner``, whichever language version it is."""
        return self.filter(partner__translation_key=partner.translation_key)

    def in_wijk(self, wijk, partners):
        """People named for ``wijk``, and those of ``partners`` (the ones active
        there) who cover every wijk of their partner."""
        keys = [partner.translation_key for partner in partners]
        return self.filter(
            models.Q(wijken__translation_key=wijk.translation_key)
            | models.Q(wijken__isnull=True, partner__translation_key__in=keys)
        ).distinct()


class ContactPerson(ClusterableModel):
    """A partner's contact person for professionals in one or more wijken.

    Personal data: shown only to logged-in professionals, editors and moderators,
    never in public pages, search, sitemaps or structured data.
    """

    partner = models.ForeignKey(
        "directory.PartnerPage",
        on_delete=models.CASCADE,
        related_name="contact_persons",
        verbose_name=_("partner"),
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(
        _("role"), max_length=120, help_text=_("For example: wijkagent, schuldhulpverlener")
    )
    phone = phone_field(_("phone"))
    email = PublicEmailField(_("e-mail"), blank=True)
    availability = models.CharField(
        _("availability"),
        max_length=200,
        blank=True,
        help_text=_("For example: Monday to Wednesday, 9:00 to 17:00"),
    )
    wijken = ParentalManyToManyField(
        "directory.WijkPage",
        related_name="contact_persons",
        blank=True,
        verbose_name=_("wijken"),
        help_text=_("Leave empty when the person covers every wijk the partner works in."),
    )
    note = models.TextField(
        _("internal note for professionals"),
        blank=True,
        max_length=1000,
        help_text=_("Only logged-in professionals see this."),
    )

    objects = ContactPersonQuerySet.as_manager()

    panels = [
        FieldPanel("partner"),
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
        FieldPanel("availability"),
        FieldPanel("wijken"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if not (self.phone or self.email):
            raise ValidationError({"phone": _("Give a phone number or an e-mail address.")})


class SuggestionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("suggestion status", "open")
    CLOSED = "closed", pgettext_lazy("suggestion status", "closed")


class SuggestionQuerySet(models.QuerySet):
    def for_partners(self, partners):
        """Suggestions about the services of the given Dutch ``partners``."""
        below = models.Q(pk__in=[])
        for partner in partners:
            below |= models.Q(service__path__startswith=partner.path)
        return self.filter(below)

    def open(self):
        return self.filter(status=SuggestionStatus.OPEN)


class Suggestion(models.Model):
    """A resident's note that a service's listing is wrong ("Klopt er iets niet?").

    Read and closed by the partner's editors and the moderators. Personal data:
    the e-mail address is shown only to them, never in public; suggestions are
    deleted ``SUGGESTION_RETENTION_DAYS`` after closing (``purge_suggestions``).
    """

    TEXT_MAX_LENGTH = 2000

    service = models.ForeignKey(
        "directory.ServicePage",
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("service"),
        help_text=_("The Dutch version of the service; the resident may have read another."),
    )
    language = models.CharField(
        _("language of the visitor"), max_length=10, choices=settings.LANGUAGES
    )
    text = models.TextField(_("what is wrong"), max_length=TEXT_MAX_LENGTH)
    email = models.EmailField(_("e-mail address for a reply"), blank=True)
    created = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.OPEN,
    )
    closing_note = models.TextField(
        _("closing note"),
        blank=True,
        max_length=2000,
        help_text=_("What was done about it. Only editors and moderators see this."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created"]

    def __str__(self):
        # Log entries keep this label after the suggestion is purged: no text,
        # no e-mail address.
        return _("Suggestion #%(number)s about %(service)s") % {
            "number": self.pk,
            "service": self.service.title,
        }
