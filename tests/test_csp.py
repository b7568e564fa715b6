"""Violations of the Content-Security-Policy, enforced on the public site and
report-only in the admin, are reported by browsers to the site, which logs them.

The endpoint takes both report formats (``report-uri``'s ``application/csp-report``
and the Reporting API's ``application/reports+json``), refuses anything else
with a 4xx, never a 500, and is rate-limited per address.
"""

import json
import logging

from django.urls import reverse

import pytest

pytestmark = pytest.mark.django_db

URL = "/csp-report/"

CSP_REPORT = {
    "csp-report": {
        "document-uri": "https://wijkwijzer.example/nl/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "https://evil.example/x.js",
        "original-policy": "default-src 'self'",
    }
}
REPORTS_JSON = [
    {"type": "deprecation", "url": "https://wijkwijzer.example/", "body": {"id": "x"}},
    {
        "type": "csp-violation",
        "url": "https://wijkwijzer.example/admin/",
        "body": {
            "documentURL": "https://wijkwijzer.example/admin/",
            "effectiveDirective": "style-src-attr",
            "blockedURL": "inline",
            "disposition": "report",
        },
    },
]


def post(client, body, content_type="application/csp-report", **extra):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return client.generic("POST", URL, body, content_type=content_type, **extra)


def test_the_report_address_is_the_sites_own():
    assert reverse("csp_report") == URL


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/nl/", "Content-Security-Policy"),
        ("/admin/login/", "Content-Security-Policy-Report-Only"),
    ],
)
def test_both_policies_send_their_violations_to_the_site(client, path, header):
    response = client.get(path)
    policy = response[header]
    assert f"report-uri {URL}" in policy
    assert "report-to csp" in policy
    assert response["Reporting-Endpoints"] == f'csp="http://testserver{URL}"'


def test_a_report_uri_report_is_logged_with_directive_and_blocked_address(client, caplog):
    with caplog.at_level(logging.WARNING, logger="wijkwijzer.csp"):
        response = post(client, CSP_REPORT)
    assert response.status_code == 204
    [record] = [r for r in caplog.records if r.name == "wijkwijzer.csp"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "script-src-elem" in message
    assert "https://evil.example/x.js" in message
    assert "https://wijkwijzer.example/nl/" in message


def test_reporting_api_reports_are_logged_one_warning_per_violation(client, caplog):
    with caplog.at_level(logging.WARNING, logger="wijkwijzer.csp"):
        response = post(client, REPORTS_JSON, content_type="application/reports+json")
    assert response.status_code == 204
    messages = [r.getMessage() for r in caplog.records if r.name == "wijkwijzer.csp"]
    assert len(messages) == 1
    assert "style-src-attr blocked inline on https://wijkwijzer.example/admin/" in messages[0]


def test_control_characters_in_a_report_do_not_reach_the_log_as_such(client, caplog):
    report = {"csp-report": {**CSP_REPORT["csp-report"], "blocked-uri": "x\nFAKE LOG LINE"}}
    with caplog.at_level(logging.WARNING, logger="wijkwijzer.csp"):
        assert post(client, report).status_code == 204
    [message] = [r.getMessage() for r in caplog.records if r.name == "wijkwijzer.csp"]
    assert "\n" not in message


def test_reports_need_no_csrf_token():
    from django.test import Client

    assert post(Client(enforce_csrf_checks=True), CSP_REPORT).status_code == 204


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/csp-report"),
        (b"\xff\xfe\x00", "application/csp-report"),
        ({"csp-report": "nope"}, "application/csp-report"),
        ([], "application/csp-report"),
        ({"csp-report": {}}, "application/reports+json"),
        ([], "application/reports+json"),
        (["nope"], "application/reports+json"),
    ],
)
def test_a_body_that_is_not_a_report_is_a_400(client, body, content_type, caplog):
    assert post(client, body, content_type=content_type).status_code == 400
    assert not [r for r in caplog.records if r.name == "wijkwijzer.csp"]


def test_a_huge_body_is_refused_unread(client, settings):
    huge = {"csp-report": {"blocked-uri": "x" * settings.CSP_REPORT_MAX_BYTES}}
    assert post(client, huge).status_code == 413


def test_other_content_types_and_methods_are_refused(client):
    assert post(client, CSP_REPORT, content_type="application/json").status_code == 415
    assert post(client, CSP_REPORT, content_type="text/plain").status_code == 415
    assert client.get(URL).status_code == 405


def test_a_flood_of_reports_from_one_address_is_cut_off(client, settings):
    # Per hour, not per minute: django-ratelimit counts in fixed windows, and
    # a burst that crossed a minute's window was counted in two (seen in CI).
    settings.RATELIMIT_CSP_REPORT = "3/h"
    statuses = [post(client, CSP_REPORT).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    refused = post(client, CSP_REPORT)
    assert 0 < int(refused["Retry-After"]) <= 3600
