"""Admin views: a partner's template, the upload, its preview and the submit.

Only for users who may edit the partner's pages (``editable_partners``, the
rule contact persons follow too); anyone else gets a 403, whatever the
menu showed. The uploaded rows wait in the session between the preview and
the submit, as text: nothing is written before the submit, and the submit
checks every row again.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.admin_pages import render_admin_page
from coalition.permissions import editable_partners
from directory.models import PartnerPage

from . import rows, sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )


def may_use(user) -> bool:
    return editable_partners(user).exists()


def _partner(request, partner_id):
    """The partner, or None when the user may not edit its pages."""
    partner = get_object_or_404(
        PartnerPage, pk=partner_id, locale__language_code=settings.LANGUAGE_CODE
    )
    if not editable_partners(request.user).filter(pk=partner.pk).exists():
        return None
    return partner


def _forbidden():
    # A plain 403: Wagtail would turn PermissionDenied into a redirect, and a
    # download address is not a page to land on.
    return HttpResponseForbidden(_("You may not change this partner's services."))


def _session_key(partner) -> str:
    return f"spreadsheet-{partner.pk}"


def _render(request, template, title, **context):
    trail = [(reverse("spreadsheet:index"), _("Spreadsheet import"))]
    return render_admin_page(request, template, title, trail=trail, **context)


def index(request):
    partners = editable_partners(request.user).order_by("title")
    if not partners:
        return _forbidden()
    return _render(
        request,
        "spreadsheet/index.html",
        _("Spreadsheet import"),
        partners=partners,
        form=UploadForm(),
    )


def template(request, partner_id):
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden()
    response = HttpResponse(sheet.template(partner), content_type=XLSX)
    name = slugify(f"{partner.title} {_('services')}")[:80] or "services"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


def upload(request, partner_id):
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden()
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        # A new upload replaces what waited, also when it is refused.
        request.session.pop(_session_key(partner), None)
    if request.method == "POST" and form.is_valid():
        try:
            data = sheet.read(form.cleaned_data["file"])
        except sheet.SheetError as error:
            form.add_error("file", str(error))
        else:
            data["name"] = form.cleaned_data["file"].name[:100]
            request.session[_session_key(partner)] = data
            return redirect("spreadsheet:preview", partner.pk)
    return _render(
        request,
        "spreadsheet/upload.html",
        _("Upload a spreadsheet for %(partner)s") % {"partner": partner.title},
        partner=partner,
        form=form,
    )


def preview(request, partner_id):
    partner = _partner(request, partner_id)
    if partner is None:
        return _forbidden()
    data = request.session.get(_session_key(partner))
    if data is None:
        messages.warning(request, _("Upload a spreadsheet first."))
        return redirect("spreadsheet:upload", partner.pk)
    if request.method == "POST":
        results = rows.submit(partner, request.user, data["rows"])
        del request.session[_session_key(partner)]
        submitted = sum(r.state in (rows.NEW, rows.CHANGED) for r in results)
        messages.success(
            request, _("Submitted to the partner review: %(count)s.") % {"count": submitted}
        )
        return _results(request, partner, data, results, done=True)
    return _results(request, partner, data, rows.evaluate(partner, request.user, data["rows"]))


def _results(request, partner, data, results, done=False):
    counts = {state: 0 for state in (rows.NEW, rows.CHANGED, rows.UNCHANGED, rows.REFUSED)}
    for result in results:
        counts[result.state] += 1
    title = (
        _("Submitted: %(partner)s") if done else _("Preview of the changes for %(partner)s")
    ) % {"partner": partner.title}
    return _render(
        request,
        "spreadsheet/preview.html",
        title,
        partner=partner,
        results=results,
        counts=counts,
        labels={
            rows.NEW: _("New"),
            rows.CHANGED: _("Changed"),
            rows.UNCHANGED: _("Unchanged"),
            rows.REFUSED: _("Refused"),
        },
        ignored=data.get("ignored", []),
        file_name=data.get("name", ""),
        done=done,
        submittable=counts[rows.NEW] + counts[rows.CHANGED],
    )
