from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from directory.choices import PartnerType
from directory.forms import BIDI_CONTROLS, DirectoryModelForm
from directory.validators import validate_public_email

from .models import PartnerAccess, Suggestion, SuggestionStatus
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


class SuggestionForm(forms.Form):
    """A resident's correction. The text is plain text: HTML in it is kept as
    typed and always shown escaped."""

    text = forms.CharField(
        label=_("What is wrong or missing?"),
        max_length=Suggestion.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": Suggestion.TEXT_MAX_LENGTH}),
        error_messages={
            "required": _("Write what is wrong, for example: the phone number has changed."),
            "max_length": _(
                "Please keep it shorter: at most %(limit_value)d characters "
                "(you wrote %(show_value)d)."
            ),
        },
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        max_length=254,
        validators=[validate_public_email],
        help_text=_(
            "Only if you would like an answer. Only the organisation and the coalition's "
            "moderators see it."
        ),
        error_messages={"invalid": _("Enter an e-mail address such as name@example.nl.")},
    )
    # Hidden from people by the page's style sheet; robots fill in every field.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_text(self):
        # Direction controls could make the text read differently to the editor
        # than it was written. Residents cannot see them to remove them, so they
        # are dropped rather than refused.
        text = BIDI_CONTROLS.sub("", self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError(self.fields["text"].error_messages["required"])
        return text

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                _(
                    "This form could not be sent because a hidden field was filled in. "
                    "Please send it again without it."
                ),
                code="honeypot",
            )
        return ""


class SuggestionCloseForm(DirectoryModelForm):
    """Closing needs a note: what was done about it."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == SuggestionStatus.CLOSED and not cleaned.get("closing_note"):
            self.add_error(
                "closing_note",
                _("Say what was done, for example: phone number corrected on the page."),
            )
        return cleaned

    def save(self, commit=True):
        from . import suggestions

        instance = super().save(commit=False)
        if instance.status == SuggestionStatus.CLOSED:
            if instance.closed_at is None:
                suggestions.close(instance, instance.closing_note, self.for_user)
        else:
            instance.closed_by = instance.closed_at = None
        if commit:
            instance.save()
        return instance
