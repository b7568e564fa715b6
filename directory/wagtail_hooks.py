from django.conf import settings
from django.contrib import messages
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.fields import RichTextField
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import Audience, Language, Municipality, ServicePage, Theme
from .plain_language import plain_language_warnings
from .rich_text import RichTextFormField

register_form_field_override(RichTextField, override={"form_class": RichTextFormField})


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


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def warn_about_hard_summaries(request, page):
    """Tell the editor, after saving, when a Dutch summary is hard to read."""
    page = page.specific
    if not isinstance(page, ServicePage) or page.locale.language_code != settings.LANGUAGE_CODE:
        return
    for warning in plain_language_warnings(page.summary):
        messages.warning(request, _("Plain language: %(warning)s") % {"warning": warning})


@hooks.register("register_admin_urls")
def directory_admin_urls():
    return [path("address-lookup/", admin_views.find_address, name="directory_address_lookup")]


@hooks.register("register_help_menu_item")
def style_guide_menu_item():
    """Editors and designers check a change against every component in Dutch and
    Arabic side by side (site/style_guide.py); it opens the public guide."""
    from wagtail.admin.menu import MenuItem

    return MenuItem(_("Style guide"), reverse("style_guide"), icon_name="doc-full", order=1000)
