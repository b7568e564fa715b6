"""The "Translation status" report and the "reviewed" action."""

from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wagtail.admin.views.reports import ReportView
from wagtail.log_actions import log
from wagtail.models import Locale

from coalition.permissions import editable_partners
from coalition.roles import ADMIN_ACCESS
from directory.models import PartnerPage, ServicePage

from . import status
from .models import TranslationReview

REVIEWED = "translation_status.reviewed"


def may_see_report(user) -> bool:
    return bool(user.is_active and user.has_perm(ADMIN_ACCESS) and editable_partners(user).exists())


def may_review_for(user, partner: PartnerPage) -> bool:
    """Whether ``user`` may vouch for translations of the services of
    ``partner`` (its Dutch page): its publishers, even where the coalition
    moderates what they publish, and whoever may publish its pages (moderators,
    administrators)."""
    if not (user.is_active and user.is_authenticated):
        return False
    if partner.permissions_for_user(user).can_publish():
        return True
    return user.groups.filter(publishers_of__partner=partner, publishers_of__active=True).exists()


def may_review(user, page: ServicePage) -> bool:
    partner = page.get_parent().specific
    if partner.locale.language_code != settings.LANGUAGE_CODE:
        partner = partner.get_translation(Locale.objects.get(language_code=settings.LANGUAGE_CODE))
    return may_review_for(user, partner)


class StatusFilterForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partner"), queryset=PartnerPage.objects.none(), required=False
    )
    state = forms.ChoiceField(label=gettext_lazy("Translation state"), required=False)

    def __init__(self, *args, partners, locales, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners.order_by("title")
        self.fields["language"].choices = [("", _("All languages"))] + [
            (locale.language_code, locale.get_display_name()) for locale in locales
        ]
        self.fields["state"].choices = [("", _("All translation states")), *status.STATES.items()]


class TranslationStatusView(ReportView):
    """Per service and language: not translated, outdated, machine-translated,
    up to date or reviewed. Partner staff see their partners' services only."""

    template_name = "translation_status/report.html"
    page_title = gettext_lazy("Translation status")
    header_icon = "globe"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not may_see_report(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def setup_filters(self):
        self.partners = editable_partners(self.request.user)
        self.locales = status.target_locales()
        self.form = StatusFilterForm(
            self.request.GET or None, partners=self.partners, locales=self.locales
        )
        chosen = self.form.cleaned_data if self.form.is_valid() else {}
        partners = [chosen["partner"]] if chosen.get("partner") else self.partners
        services = ServicePage.objects.none()
        for partner in partners:
            services |= ServicePage.objects.child_of(partner)
        self.all_rows = status.rows(services.live(), self.locales)
        self.chosen = chosen

    def get_base_queryset(self):
        self.setup_filters()
        found = self.all_rows
        if self.chosen.get("language"):
            found = [row for row in found if row.locale.language_code == self.chosen["language"]]
        if self.chosen.get("state"):
            found = [row for row in found if row.state == self.chosen["state"]]
        return found

    def order_queryset(self, queryset):
        return queryset

    def filter_queryset(self, queryset):
        return queryset

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        counts = Counter((row.locale.pk, row.state) for row in self.all_rows)
        context.update(
            form=self.form,
            states=status.STATES,
            counts=[
                (locale, [counts[locale.pk, state] for state in status.STATES])
                for locale in self.locales
            ],
            breadcrumbs_items=[
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": "", "label": self.page_title},
            ],
        )
        allowed = {}
        for row in context["object_list"]:
            if row.partner not in allowed:
                allowed[row.partner] = row.partner is not None and may_review_for(
                    self.request.user, row.partner
                )
            row.may_review = allowed[row.partner] and row.state not in (
                status.NOT_TRANSLATED,
                status.REVIEWED,
            )
        return context


@require_POST
def mark_reviewed(request, page_id):
    page = get_object_or_404(ServicePage, pk=page_id)
    if page.locale.language_code == settings.LANGUAGE_CODE or not may_review(request.user, page):
        # A plain 403 rather than the admin's redirect to the dashboard: this is
        # an action posted from the report, and nothing was done.
        return HttpResponseForbidden()
    dutch = page.get_translation(Locale.objects.get(language_code=settings.LANGUAGE_CODE))
    with transaction.atomic():
        TranslationReview.objects.update_or_create(
            translation_key=page.translation_key,
            locale=page.locale,
            defaults={
                "reviewed_by": request.user,
                "reviewed_at": timezone.now(),
                "source_revision_id": dutch.live_revision_id,
            },
        )
        log(
            instance=page,
            action=REVIEWED,
            user=request.user,
            data={"source_revision": dutch.live_revision_id},
        )
    messages.success(
        request,
        _("The translation of '%(title)s' (%(language)s) is marked as reviewed.")
        % {"language": page.locale.get_display_name(), "title": dutch.title},
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("translation_status:report")
    return redirect(next_url)
