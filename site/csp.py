"""Content-Security-Policy: enforced on the public site, report-only in the admin,
and violations of both reported to the site itself.

Wagtail's admin (and the page preview it renders inside the editor) relies on
inline styles and scripts that a strict policy would break, so under the admin
prefixes the same policy is sent as ``Content-Security-Policy-Report-Only``.
Browsers send what either policy blocks (or would block) to ``report``, which
logs one warning per violation: an injected script on a public page, or what the
admin would need before its policy can be enforced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from csp.middleware import CSPMiddleware, PolicyParts

from .throttling import limited

logger = logging.getLogger(__name__)

# The old ``report-uri`` sends the first, the Reporting API (``report-to``) the second.
REPORT_TYPES = ("application/csp-report", "application/reports+json")
REPORT_GROUP = "csp"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        if request.path_info.startswith(tuple(settings.CSP_REPORT_ONLY_PATH_PREFIXES)):
            if not report_only:
                # An empty dict builds an empty policy, so no enforcing header.
                return PolicyParts({}, None, None, None)
            return PolicyParts(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], None, None, None)
        return super().get_policy_parts(request, response, report_only=report_only)

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        response = super().process_response(request, response)
        if (
            "Content-Security-Policy" in response
            or "Content-Security-Policy-Report-Only" in response
        ):
            # The endpoint that ``report-to`` names.
            url = request.build_absolute_uri(reverse("csp_report"))
            response.headers.setdefault("Reporting-Endpoints", f'{REPORT_GROUP}="{url}"')
        return response


def _text(value) -> str:
    """A value from the report, short and on one line in the log."""
    if not isinstance(value, str):
        return "-"
    return "".join(c if c.isprintable() else "?" for c in value[:200])


def _violations(data, content_type: str) -> Iterator[tuple[str, str, str]]:
    """(directive, blocked address, page) per violation; ValueError when the
    body is not a report."""
    if content_type == "application/csp-report":
        if not isinstance(data, dict) or not isinstance(data.get("csp-report"), dict):
            raise ValueError("not a csp-report")
        r = data["csp-report"]
        yield (
            _text(r.get("effective-directive") or r.get("violated-directive")),
            _text(r.get("blocked-uri")),
            _text(r.get("document-uri")),
        )
        return
    if not isinstance(data, list) or not data:
        raise ValueError("not a list of reports")
    for r in data:
        if not isinstance(r, dict) or not isinstance(r.get("body"), dict):
            raise ValueError("not a report")
        if r.get("type") == "csp-violation":
            body = r["body"]
            yield (
                _text(body.get("effectiveDirective")),
                _text(body.get("blockedURL")),
                _text(body.get("documentURL")),
            )


@require_POST
def receive_report(request: HttpRequest) -> HttpResponse:
    if request.content_type not in REPORT_TYPES:
        return HttpResponse(status=415)
    limit = settings.CSP_REPORT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > limit:
        return HttpResponse(status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse(status=413)
    try:
        violations = list(_violations(json.loads(body), request.content_type))
    except ValueError:  # also bad JSON and bad UTF-8
        return HttpResponse(status=400)
    for directive, blocked, page in violations:
        logger.warning(
            "Content-Security-Policy violation: %s blocked %s on %s", directive, blocked, page
        )
    return HttpResponse(status=204)


# Browsers post reports without a CSRF token; a flood is cut off per address.
report = csrf_exempt(limited("RATELIMIT_CSP_REPORT", receive_report))
