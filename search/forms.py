from django import forms
from django.utils.translation import gettext_lazy as _

from wagtail.models import Locale

from directory.models import Audience, Language, Theme, WijkPage

from .query import ServiceQuery

MAX_QUERY_LENGTH = 200


class ServiceSearchForm(forms.Form):
    """The public search form. Every field is optional; a wrong value in one
    field is reported and ignored, and the rest of the search still runs."""

    q = forms.CharField(
        label=_("What are you looking for?"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("Please use fewer words: at most %(limit_value)d characters."),
        },
    )
    wijk = forms.ChoiceField(label=_("Wijk"), required=False)
    theme = forms.MultipleChoiceField(
        label=_("Theme"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience = forms.MultipleChoiceField(
        label=_("For whom"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.MultipleChoiceField(
        label=_("Language"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, locale: Locale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = Theme.for_locale(locale).values_list("slug", "name")
        self.fields["audience"].choices = Audience.for_locale(locale).values_list("slug", "name")
        self.fields["language"].choices = [
            (language.code, str(language)) for language in Language.objects.all()
        ]
        self.fields["wijk"].choices = [("", _("All wijken"))] + [
            (wijk.cbs_code, wijk.title)
            for wijk in WijkPage.objects.live().public().filter(locale=locale).order_by("title")
        ]

    def to_query(self) -> ServiceQuery:
        """The query built from the fields that are valid."""
        self.is_valid()
        data = self.cleaned_data
        return ServiceQuery(
            text=" ".join(data.get("q", "").split()),
            themes=tuple(data.get("theme", ())),
            audiences=tuple(data.get("audience", ())),
            languages=tuple(data.get("language", ())),
            wijk=data.get("wijk", ""),
        )
