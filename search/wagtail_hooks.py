from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import ThesaurusConceptForm
from .models import ThesaurusConcept
from .thesaurus import LANGUAGES


class ThesaurusConceptViewSet(SnippetViewSet):
    """The thesaurus search expands residents' words with. Coalition
    moderators and administrators keep it (coalition/roles.py); each save
    reaches the next search at once (``search.thesaurus.current``)."""

    model = ThesaurusConcept
    icon = "search"
    menu_label = _("Thesaurus")
    menu_order = 310
    add_to_admin_menu = True
    list_display = [
        "key",
        Column("dutch_terms", label=_("Dutch terms")),
        Column("missing_languages", label=_("Languages without terms")),
        UpdatedAtColumn(),
    ]
    search_fields = ["key", *(f"terms_{code}" for code in LANGUAGES)]
    edit_handler = ObjectList(
        [
            FieldPanel("key"),
            FieldPanel("themes"),
            MultiFieldPanel(
                [FieldPanel(f"terms_{code}") for code in LANGUAGES],
                heading=_("Terms"),
                help_text=_(
                    "A search for any of these words finds what is written with the others, "
                    "in every language."
                ),
            ),
        ],
        base_form_class=ThesaurusConceptForm,
    )


register_snippet(ThesaurusConceptViewSet)
