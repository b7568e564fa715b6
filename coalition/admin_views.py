"""Admin screens for the coalition: onboarding, the moderation queue per partner,
changes per partner, and the one-click "still correct"."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from wagtail.models import Page, PageLogEntry, TaskState

from directory import localized
from directory.models import PartnerPage, ServicePage

from . import freshness, onboarding
from .admin_pages import render_admin_page
from .forms import ChangesFilterForm, OnboardPartnerForm
from .models import PartnerAccess, Suggestion


@permission_required("coalition.onboard_partner", raise_exception=True)
def onboard(request):
    form = OnboardPartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = onboarding.onboard_partner(
                form.cleaned_data["title"],
                form.cleaned_data["partner_type"],
                may_publish_directly=form.cleaned_data["may_publish_directly"],
                user=request.user,
            )
        except onboarding.OnboardingError as error:
            form.add_error(None, str(error))
        else:
            for user in form.cleaned_data["editors"]:
                onboarding.add_staff(access, user)
            for user in form.cleaned_data["publishers"]:
                onboarding.add_staff(access, user, publisher=True)
            messages.success(
                request, _("%(partner)s is onboarded.") % {"partner": access.partner.title}
            )
            return redirect("coalition:partners")
    return render_admin_page(
        request, "coalition/admin/onboard.html", _("Onboard a partner"), form=form
    )


@permission_required("coalition.onboard_partner", raise_exception=True)
def partners(request):
    accesses = PartnerAccess.objects.select_related("partner", "editors", "publishers").order_by(
        "partner__title"
    )
    return render_admin_page(
        request, "coalition/admin/partners.html", _("Partner access"), accesses=accesses
    )


@require_POST
@permission_required("coalition.onboard_partner", raise_exception=True)
def revoke(request, access_id):
    access = get_object_or_404(PartnerAccess, id=access_id)
    users = onboarding.revoke_partner_access(access)
    messages.success(
        request,
        ngettext(
            "Editor access for %(partner)s removed from %(count)d user.",
            "Editor access for %(partner)s removed from %(count)d users.",
            len(users),
        )
        % {"partner": access.partner.title, "count": len(users)},
    )
    return redirect("coalition:partners")


@require_POST
@permission_required("coalition.onboard_partner", raise_exception=True)
def toggle_publishing(request, access_id):
    access = get_object_or_404(PartnerAccess, id=access_id)
    access.may_publish_directly = request.POST.get("may_publish_directly") == "on"
    access.save(update_fields=["may_publish_directly"])
    onboarding.apply_access(access)
    return redirect("coalition:partners")


def _partner_of(page: Page, accesses: dict[str, PartnerAccess]) -> PartnerAccess | None:
    for path, access in accesses.items():
        if page.path.startswith(path):
            return access
    return None


def _version_paths() -> dict[str, PartnerAccess]:
    """Every language version's tree path, to the partner it belongs to."""
    accesses = {
        a.partner.translation_key: a for a in PartnerAccess.objects.select_related("partner")
    }
    return {
        page.path: accesses[page.translation_key]
        for page in PartnerPage.objects.filter(translation_key__in=accesses).only(
            "path", "translation_key"
        )
    }


@permission_required("coalition.view_partner_changes", raise_exception=True)
def moderation_queue(request):
    """Pages waiting for review, grouped per partner."""
    states = (
        TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
        .select_related("task", "workflow_state", "workflow_state__requested_by")
        .prefetch_related("workflow_state__content_object")
        .order_by("started_at")
    )
    paths = _version_paths()
    groups: dict[str, list] = {}
    for state in states:
        page = state.workflow_state.content_object
        if not isinstance(page, Page):
            continue
        access = _partner_of(page, paths)
        label = access.partner.title if access else _("Coalition pages")
        groups.setdefault(label, []).append({"state": state, "page": page})
    return render_admin_page(
        request,
        "coalition/admin/moderation_queue.html",
        _("Moderation queue"),
        groups=sorted(groups.items()),
        suggestions=_open_suggestions_per_partner(),
    )


def _open_suggestions_per_partner() -> list[tuple[str, list[Suggestion]]]:
    """Residents' open suggestions, under the partner whose service they concern."""
    titles = dict(
        PartnerPage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).values_list(
            "path", "title"
        )
    )
    groups: dict[str, list[Suggestion]] = {}
    for suggestion in Suggestion.objects.open().select_related("service").order_by("created"):
        title = titles.get(suggestion.service.path[: -ServicePage.steplen], "")
        groups.setdefault(title, []).append(suggestion)
    return sorted(groups.items())


@permission_required("coalition.view_partner_changes", raise_exception=True)
def changes(request):
    """Wagtail's log of page changes, narrowed to one partner and a period."""
    form = ChangesFilterForm(request.GET or None)
    entries = PageLogEntry.objects.select_related("user", "page").order_by("-timestamp")
    if form.is_valid():
        access = form.cleaned_data["partner"]
        if access:
            entries = entries.filter(access.partner.in_any_version("page__path"))
        tz = timezone.get_current_timezone()
        if form.cleaned_data["since"]:
            start = datetime.datetime.combine(form.cleaned_data["since"], datetime.time(), tz)
            entries = entries.filter(timestamp__gte=start)
        if form.cleaned_data["until"]:
            end = datetime.datetime.combine(
                form.cleaned_data["until"] + datetime.timedelta(days=1), datetime.time(), tz
            )
            entries = entries.filter(timestamp__lt=end)
    else:
        entries = entries.none()
    return render_admin_page(
        request,
        "coalition/admin/changes.html",
        _("Changes per partner"),
        form=form,
        entries=entries[:500],
    )


def still_correct(request, page_id):
    page = get_object_or_404(ServicePage, id=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if request.method != "POST":
        return render_admin_page(
            request, "coalition/admin/still_correct.html", _("Still correct?"), page=page
        )
    checked = freshness.confirm_still_correct(page, request.user)
    messages.success(
        request,
        _("'%(title)s' is marked as checked on %(date)s.")
        % {"title": page.title, "date": localized.day(checked)},
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = reverse("wagtailadmin_pages:edit", args=[page.id])
    return redirect(next_url)
