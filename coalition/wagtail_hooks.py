from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.action_menu import WorkflowMenuItem
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import chooser
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    HistoryView,
    SnippetViewSet,
    UsageView,
)

from axes.models import AccessAttempt

from directory.models import ServicePage

from . import admin_views, freshness, localize_permissions, page_admin_permissions  # noqa: F401
from .forms import ContactPersonForm, SuggestionCloseForm
from .models import ContactPerson, Suggestion, SuggestionStatus
from .permissions import (
    ContactPersonPermissionPolicy,
    SuggestionPermissionPolicy,
    editable_partners,
)

register_permission_policy(ContactPerson, ContactPersonPermissionPolicy(ContactPerson))
register_permission_policy(Suggestion, SuggestionPermissionPolicy(Suggestion))


class InstancePermissionMixin:
    """Wagtail's generic edit and delete views check the model permission only;
    a partner's editor may change her own partner's people, not everyone's."""

    instance_action = "change"

    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


class ContactPersonEditView(InstancePermissionMixin, EditView):
    pass


class ContactPersonDeleteView(InstancePermissionMixin, DeleteView):
    instance_action = "delete"


class ContactPersonCreationFormMixin:
    """The chooser's "create" tab with the contact person's own form, which offers
    a partner's staff only their own partners.

    Why: Wagtail 8.0.1 gives every snippet chooser a create view, but a snippet
    chooser without a creation form answered every POST with a server error. When
    it can go: once Wagtail's snippet chooser builds its creation form from the
    snippet's edit handler with ``for_user`` (not as of 8.0.1);
    ``test_a_partner_editor_creates_a_contact_person_from_the_chooser`` in
    ``tests/coalition/test_bad_input.py`` then passes without it."""

    def get_creation_form_class(self):
        return ContactPerson.snippet_viewset.get_edit_handler().get_form_class()

    def get_creation_form_kwargs(self):
        return {**super().get_creation_form_kwargs(), "for_user": self.request.user}


class ContactPersonChooseView(ContactPersonCreationFormMixin, chooser.ChooseView):
    pass


class ContactPersonChooseResultsView(ContactPersonCreationFormMixin, chooser.ChooseResultsView):
    pass


class ContactPersonChooserCreateView(ContactPersonCreationFormMixin, chooser.SnippetCreateView):
    pass


class ContactPersonChooserViewSet(chooser.SnippetChooserViewSet):
    choose_view_class = ContactPersonChooseView
    choose_results_view_class = ContactPersonChooseResultsView
    create_view_class = ContactPersonChooserCreateView


class ContactPersonViewSet(SnippetViewSet):
    model = ContactPerson
    icon = "user"
    menu_label = _("Contact persons")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "role", "partner", "availability"]
    list_filter = ["partner"]
    search_fields = ["name", "role"]
    edit_handler = ObjectList(ContactPerson.panels, base_form_class=ContactPersonForm)
    edit_view_class = ContactPersonEditView
    delete_view_class = ContactPersonDeleteView
    chooser_viewset_class = ContactPersonChooserViewSet

    def get_queryset(self, request):
        """Partner staff list only their own partner's people."""
        policy = ContactPersonPermissionPolicy(ContactPerson)
        return policy.instances_user_has_any_permission_for(
            request.user, ["view", "change"]
        ).select_related("partner")


register_snippet(ContactPersonViewSet)


class SuggestionObjectPermissionMixin:
    """Every view of one suggestion asks whether this user may see that one:
    another partner's editor is refused, whatever its number."""

    instance_action = "view"

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


class SuggestionEditView(SuggestionObjectPermissionMixin, EditView):
    instance_action = "change"


class SuggestionDeleteView(SuggestionObjectPermissionMixin, DeleteView):
    instance_action = "delete"


class SuggestionHistoryView(SuggestionObjectPermissionMixin, HistoryView):
    pass


class SuggestionUsageView(SuggestionObjectPermissionMixin, UsageView):
    pass


class SuggestionViewSet(SnippetViewSet):
    """Residents' suggestions, read and closed with a note by the partner's
    editors (their own partner's only) and by moderators (all)."""

    model = Suggestion
    icon = "comment"
    menu_label = _("Suggestions from residents")
    menu_order = 255
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["service", "created", "status", "language"]
    list_filter = ["status"]
    ordering = ["-created"]
    edit_handler = ObjectList(
        [
            FieldPanel("service", read_only=True),
            FieldPanel("created", read_only=True),
            FieldPanel("language", read_only=True),
            FieldPanel("text", read_only=True),
            FieldPanel("email", read_only=True),
            FieldPanel("status"),
            FieldPanel("closing_note"),
            FieldPanel("closed_by", read_only=True),
            FieldPanel("closed_at", read_only=True),
        ],
        base_form_class=SuggestionCloseForm,
    )
    edit_view_class = SuggestionEditView
    delete_view_class = SuggestionDeleteView
    history_view_class = SuggestionHistoryView
    usage_view_class = SuggestionUsageView

    def get_queryset(self, request):
        return (
            SuggestionPermissionPolicy(Suggestion)
            .instances_user_has_any_permission_for(request.user, ["view", "change"])
            .select_related("service")
        )


register_snippet(SuggestionViewSet)


@hooks.register("register_admin_urls")
def coalition_admin_urls():
    coalition = [
        path("partners/", admin_views.partners, name="partners"),
        path("partners/onboard/", admin_views.onboard, name="onboard"),
        path("partners/<int:access_id>/revoke/", admin_views.revoke, name="revoke"),
        path(
            "partners/<int:access_id>/publishing/",
            admin_views.toggle_publishing,
            name="toggle_publishing",
        ),
        path("moderation/", admin_views.moderation_queue, name="moderation_queue"),
        path("changes/", admin_views.changes, name="changes"),
        path("still-correct/<int:page_id>/", admin_views.still_correct, name="still_correct"),
    ]
    return [
        *localize_permissions.urlpatterns,
        path("coalition/", include((coalition, "coalition"), namespace="coalition")),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        self.permission = permission
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def partners_menu_item():
    return PermissionMenuItem(
        _("Partner access"),
        reverse("coalition:partners"),
        icon_name="group",
        order=260,
        permission="coalition.onboard_partner",
    )


@hooks.register("register_reports_menu_item")
def moderation_queue_menu_item():
    return PermissionMenuItem(
        _("Moderation queue per partner"),
        reverse("coalition:moderation_queue"),
        icon_name="tasks",
        order=50,
        permission="coalition.view_partner_changes",
    )


@hooks.register("register_reports_menu_item")
def changes_menu_item():
    return PermissionMenuItem(
        _("Changes per partner"),
        reverse("coalition:changes"),
        icon_name="history",
        order=51,
        permission="coalition.view_partner_changes",
    )


@hooks.register("register_log_actions")
def register_still_correct(actions):
    @actions.register_action(freshness.STILL_CORRECT)
    class StillCorrect(LogFormatter):
        label = _("Checked: still correct")

        def format_message(self, log_entry):
            return _("Confirmed that everything on the page is still correct")


# Actions that send a page on to the people who may publish it.
SUBMIT_ACTIONS = ("action-submit", "action-restart-workflow")


@hooks.register("construct_page_action_menu")
def submit_first_for_those_who_cannot_publish(menu_items, request, context):
    """An editor without publish rights looked for "Submit to ..." and found
    only "Save draft", the first action: the submit action was under the
    chevron. Where she can neither publish nor act on a workflow step, the
    submit action comes first and is the button she sees."""
    names = [item.name for item in menu_items]
    if "action-publish" in names or any(isinstance(item, WorkflowMenuItem) for item in menu_items):
        return
    for name in SUBMIT_ACTIONS:
        if name in names:
            menu_items.insert(0, menu_items.pop(names.index(name)))
            return


@hooks.register("construct_page_chooser_queryset")
def hide_other_partners_drafts(pages, request):
    """Choosers show live pages open to everyone, and drafts and restricted pages
    only where the user may see them (see ``coalition.page_admin_permissions``)."""
    user = request.user
    if user.is_superuser:
        return pages
    explorable = PagePermissionPolicy().explorable_instances(user)
    return pages.live().public() | pages.filter(pk__in=explorable.values("pk"))


@hooks.register("register_page_header_buttons")
def still_correct_button(page, user, view_name, next_url=None):
    if (
        isinstance(page.specific_deferred, ServicePage)
        and page.live
        and page.permissions_for_user(user).can_edit()
    ):
        yield Button(
            _("Still correct"),
            reverse("coalition:still_correct", args=[page.id]),
            icon_name="check",
            priority=12,
        )


class UncheckedServicesPanel(Component):
    """Dashboard: services to check for a partner's staff, and for moderators the
    ones not checked for a year."""

    name = "unchecked_services"
    order = 90
    template_name = "coalition/admin/unchecked_services_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        user = self.request.user
        own, expired = [], []
        if user.has_perm("coalition.view_partner_changes"):
            expired = list(freshness.unchecked_services(freshness.expiry_date())[:100])
        else:
            own = list(
                freshness.unchecked_services(
                    freshness.reminder_date(), partners=editable_partners(user)
                )[:50]
            )
        return {
            "own": own,
            "expired": expired,
            "expired_public": settings.FRESHNESS_EXPIRED_STAY_PUBLIC,
            "next": reverse("wagtailadmin_home"),
        }

    def render_html(self, parent_context):
        context = self.get_context_data(parent_context)
        if not (context["own"] or context["expired"]):
            return ""
        from django.template.loader import render_to_string

        return render_to_string(self.template_name, context, request=self.request)


@hooks.register("construct_homepage_panels")
def add_unchecked_services_panel(request, panels):
    panels.append(UncheckedServicesPanel(request))


class OpenSuggestionsPanel(Component):
    """Dashboard: residents' open suggestions, the partner's own for its
    editors and every partner's for moderators."""

    name = "open_suggestions"
    order = 80
    template_name = "coalition/admin/open_suggestions_panel.html"
    shown = 20

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context):
        from django.template.loader import render_to_string

        suggestions = (
            SuggestionPermissionPolicy(Suggestion)
            .instances_user_has_any_permission_for(self.request.user, ["change"])
            .filter(status=SuggestionStatus.OPEN)
            .select_related("service")
            .order_by("created")
        )
        count = suggestions.count()
        if not count:
            return ""
        return render_to_string(
            self.template_name,
            {
                "suggestions": suggestions[: self.shown],
                "count": count,
                "more": count > self.shown,
                "all_partners": self.request.user.has_perm("coalition.change_suggestion"),
            },
            request=self.request,
        )


@hooks.register("construct_homepage_panels")
def add_open_suggestions_panel(request, panels):
    panels.append(OpenSuggestionsPanel(request))


class UnlockOnlyPolicy(ModelPermissionPolicy):
    """Failed logins are recorded by django-axes, never typed in: an
    administrator may list and delete them (which unlocks), nothing else."""

    def user_has_permission(self, user, action):
        return action in ("view", "delete") and user.is_active and user.is_superuser

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(AccessAttempt, UnlockOnlyPolicy(AccessAttempt))


class LockedLoginViewSet(ModelViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Locked logins")
    add_to_settings_menu = True
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    form_fields = ["username"]


@hooks.register("register_admin_viewset")
def register_locked_logins():
    return LockedLoginViewSet("locked_logins")
