"""Content-Security-Policy: enforced on the public site, report-only in the admin.

Wagtail's admin (and the page preview it renders inside the editor) relies on
inline styles and scripts that a strict policy would break, so under the admin
prefixes the same policy is sent as ``Content-Security-Policy-Report-Only``.
"""

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from csp.middleware import CSPMiddleware, PolicyParts


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
