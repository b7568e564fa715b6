import re
import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Locale

from directory import per_request
from directory.choices import Access, ChannelKind, Cost, PartnerType
from directory.languages import with_dutch_fallback
from directory.models import Audience, Language, Theme, WijkPage
from directory.models.wijk import municipalities_with_wijken

from .geocoding import get_geocoder
from .query import ServiceQuery
from .thesaurus import LANGUAGES

MAX_QUERY_LENGTH = 200
# Up to this many municipalities the place filter lists them; beyond it she types
# one (with suggestions), so the search page does not grow with the country:
# 400 options would be some 18 KB of every search page.
MUNICIPALITIES_LISTED = 40
RADIUS_CHOICES = [("1", _("1 km")), ("2", _("2 km")), ("5", _("5 km")), ("10", _("10 km"))]
SORT_CHOICES = [
    ("", _("Best match")),
    ("distance", _("Nearest first")),
    ("verified", _("Most recently checked")),
]


def name_key(name: str) -> str:
    """A municipality's name as residents may type it: "s hertogenbosch" finds
    "'s-Hertogenbosch", "sudwest fryslan" finds "Súdwest-Fryslân"."""
    plain = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(r"[\W_]", "", "".join(c for c in plain if not unicodedata.combining(c)))


def matching_municipalities(text: str, limit: int = 10) -> list:
    """The municipalities whose name starts with what she typed, then those
    that contain it, for the place filter's suggestions."""
    key = name_key(text)
    if len(key) < 2:
        return []
    municipalities = municipalities_with_wijken()
    starting = [m for m in municipalities if name_key(m.name).startswith(key)]
    containing = [m for m in municipalities if key in name_key(m.name) and m not in starting]
    return (starting + containing)[:limit]


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
    place = forms.CharField(
        label=_("Near postcode"),
        required=False,
        max_length=40,
        help_text=_("For example 3563 AB or 3563"),
    )
    radius = forms.TypedChoiceField(
        label=_("Distance"), required=False, choices=RADIUS_CHOICES, coerce=float, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    gemeente = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        error_messages={"invalid_choice": _("We do not know a municipality called %(value)s.")},
    )
    wijk = forms.ChoiceField(label=_("Wijk"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    theme = forms.MultipleChoiceField(
        label=_("Theme"), required=False, widget=forms.CheckboxSelectMultiple
    )
    audience = forms.MultipleChoiceField(
        label=_("For whom"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.MultipleChoiceField(
        label=_("Language"), required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(
        label=_("How do you want to reach them?"),
        required=False,
        choices=[("", _("Any way")), *ChannelKind.choices],
        help_text=_(
            "With a language chosen: services that speak it on this way, such as Arabic by phone."
        ),
    )
    partner_type = forms.MultipleChoiceField(
        label=_("Type of organisation"),
        required=False,
        choices=PartnerType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    cost = forms.MultipleChoiceField(
        label=_("Cost"), required=False, choices=Cost.choices, widget=forms.CheckboxSelectMultiple
    )
    access = forms.MultipleChoiceField(
        label=_("How to get it"),
        required=False,
        choices=Access.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, locale: Locale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [(t.slug, t.name) for t in Theme.listed(locale)]
        self.fields["audience"].choices = [(a.slug, a.name) for a in Audience.listed(locale)]
        # Dutch names help Dutch readers; everyone else finds a language by its own name.
        languages = per_request.every(Language)
        self.fields["language"].choices = [
            (language.code, str(language) if locale.language_code == "nl" else language.native_name)
            for language in languages
        ]
        self._place_choices(locale)

    def _place_choices(self, locale: Locale) -> None:
        """The place filter in two steps when the coalition spans several
        municipalities: the municipality, then its wijken, so the form does not
        grow with the country (3,000 wijken would be 220 KB of options). A wijk
        asked for without its municipality (a wijk page's link) chooses it."""
        wijken = with_dutch_fallback(WijkPage.objects.live().public(), locale)
        municipalities = municipalities_with_wijken()
        self.several_municipalities = len(municipalities) > 1
        self.municipality_typed = len(municipalities) > MUNICIPALITIES_LISTED
        self.municipality_name = ""
        if self.several_municipalities:
            self.fields["gemeente"].choices = [("", _("All municipalities"))] + [
                (municipality.cbs_code, municipality.name) for municipality in municipalities
            ]
            chosen = self.data.get("gemeente", "").strip()
            if chosen and self.municipality_typed:
                # A typed name (any case, accents or hyphens) stands for its code.
                by_key = {name_key(m.name): m.cbs_code for m in municipalities}
                code = by_key.get(name_key(chosen), chosen)
                if code != self.data.get("gemeente"):
                    self.data = self.data.copy()
                    self.data["gemeente"] = code
                chosen = code
            if not chosen and self.data.get("wijk"):
                chosen = (
                    wijken.filter(cbs_code=self.data["wijk"])
                    .values_list("municipality__cbs_code", flat=True)
                    .first()
                    or ""
                )
                self.data = self.data.copy()
                self.data["gemeente"] = chosen
            wijken = wijken.filter(municipality__cbs_code=chosen) if chosen else wijken.none()
            names = {m.cbs_code: m.name for m in municipalities}
            self.municipality_name = names.get(chosen, chosen)
        self.fields["wijk"].choices = [("", _("All wijken"))] + [
            (wijk.cbs_code, wijk.title) for wijk in wijken.order_by("title")
        ]

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_place(self):
        place = self.cleaned_data["place"].strip()
        if not place:
            return None
        point = get_geocoder().locate(place)
        if point is None:
            raise forms.ValidationError(
                _("We do not know this place. Enter a postcode such as 3563 AB or 3563."),
                code="unknown_place",
            )
        return point

    def unknown_place(self) -> str:
        """The place she typed when no geocoder knows it; the search then runs
        without a place (see the notice in search/includes/notices.html)."""
        if self.is_valid() or not self.has_error("place", "unknown_place"):
            return ""
        return self.data.get("place", "").strip()

    def to_query(self) -> ServiceQuery:
        """The query built from the fields that are valid."""
        self.is_valid()
        data = self.cleaned_data
        point = data.get("place")
        return ServiceQuery(
            text=data.get("q", ""),
            themes=tuple(data.get("theme", ())),
            audiences=tuple(data.get("audience", ())),
            languages=tuple(data.get("language", ())),
            partner_types=tuple(data.get("partner_type", ())),
            costs=tuple(data.get("cost", ())),
            accesses=tuple(data.get("access", ())),
            wijk=data.get("wijk", ""),
            municipality=data.get("gemeente", ""),
            channel=data.get("channel", ""),
            open_at=timezone.now() if data.get("open_now") else None,
            point=point,
            radius_km=(data.get("radius") or 5.0) if point else None,
            sort=data.get("sort", ""),
        )


class ThesaurusConceptForm(WagtailAdminModelForm):
    """The admin's concept form: themes as boxes to tick, and each language's
    terms in a box that knows its language and writing direction, so they
    show and are read out correctly."""

    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The themes this concept belongs to."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(
            Theme.objects.filter(locale=Locale.get_default()).values_list("slug", "name")
        )
        # A theme a data file names that does not exist (any more) stays
        # visible, so saving the form does not drop it unseen.
        known = {slug for slug, _name in choices}
        for slug in self.initial.get("themes") or ():
            if slug not in known:
                choices.append((slug, _("%(slug)s (no such theme)") % {"slug": slug}))
        self.fields["themes"].choices = choices
        for code in LANGUAGES:
            self.fields[f"terms_{code}"].widget.attrs.update(
                {"lang": code, "dir": "auto", "rows": 4}
            )
