from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from directory.choices import PartnerType
from directory.forms import DirectoryModelForm

from .models import PartnerAccess
from .permissions import editable_partners


class OnboardPartnerForm(forms.Form):
    title = forms.CharField(label=_("Name of the organisation"), max_length=255)
    partner_type = forms.ChoiceField(label=_("Type of organisation"), choices=PartnerType.choices)
    may_publish_directly = forms.BooleanField(
        label=_("Publishers may publish without moderation"), required=False
    )
    editors = forms.ModelMultipleChoiceField(
        label=_("Editors"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text=_("Existing users who edit this partner's pages."),
    )
    publishers = forms.ModelMultipleChoiceField(
        label=_("Publishers"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
    )


class ContactPersonForm(DirectoryModelForm):
    """Partners to choose from: only those whose pages the user may edit."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not for_user.has_perm("coalition.change_contactperson"):
            self.fields["partner"].queryset = editable_partners(for_user)
        else:
            from directory.models import PartnerPage

            self.fields["partner"].queryset = PartnerPage.objects.filter(
                locale__language_code=settings.LANGUAGE_CODE
            )


class ChangesFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=PartnerAccess.objects.select_related("partner").order_by("partner__title"),
        required=False,
        empty_label=_("All partners"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned
