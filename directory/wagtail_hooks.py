from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Audience, Language, Municipality, Theme


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]


class LanguageViewSet(SnippetViewSet):
    model = Language
    icon = "globe"
    list_display = ["name", "native_name", "code"]
    search_fields = ["name", "native_name", "code"]


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "site"
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]


class TaxonomyViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Lists")
    menu_icon = "list-ul"
    menu_order = 300
    items = (ThemeViewSet, AudienceViewSet, LanguageViewSet, MunicipalityViewSet)


register_snippet(TaxonomyViewSetGroup)
