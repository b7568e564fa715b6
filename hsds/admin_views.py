"""The moderators' download of the tabular export (hsds/tabular.py) as a zip."""

import tempfile

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseForbidden

from wagtail.models import Locale

from coalition import roles
from directory.models import PartnerPage

from . import tabular


def may_export(user) -> bool:
    """Moderators and administrators: the export is the whole directory, not
    one partner's, so a partner's staff never get it here."""
    return roles.is_moderator(user)


def export_zip(request):
    """The package as a zip: ``?lang=`` (default Dutch), ``?partner=`` (slug,
    page id or HSDS id; default every partner)."""
    if not may_export(request.user):
        # A plain 403 (Wagtail turns PermissionDenied into a redirect to the
        # dashboard): this address is a download, not a page to land on.
        return HttpResponseForbidden("Only coalition moderators may download the export.")
    code = request.GET.get("lang") or settings.LANGUAGE_CODE
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        raise Http404("Unknown language")
    partner = None
    if wanted := request.GET.get("partner"):
        try:
            partner = tabular.find_partner(wanted)
        except PartnerPage.DoesNotExist:
            raise Http404("Unknown partner") from None
    # Written to a temporary file, then streamed; the file goes when the
    # response is closed.
    archive = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115
    tabular.export_zip(
        archive,
        locale,
        partner=partner,
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    archive.seek(0)
    name = f"wijkwijzer-hsds-{code}{'-' + partner.slug if partner else ''}.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
