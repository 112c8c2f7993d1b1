"""POST /csp-report: browsers report what the Content-Security-Policy refused, as `report-uri`
(application/csp-report) or `report-to` (application/reports+json) asks. Each report is one compact
line of the `solidaire.csp` logger, without query strings nor line breaks; nothing is stored. The
endpoint takes no CSRF token, reads at most 8 KB (413 above), and counts the posts of each address
in the shared cache (429 above the limit). Every page's policy names it, and the
Reporting-Endpoints header names it for `report-to`."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from solidaire.audit.models import AuditEvent
from solidaire.core import csp_reports
from solidaire.core.middleware import ReportingEndpoints

pytestmark = pytest.mark.django_db

URL = "/csp-report"

REPORT_URI_BODY = {
    "csp-report": {
        "document-uri": "https://grand-est.localhost/dons/0f3c/?t=secret-token#x",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; report-uri /csp-report",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://grand-est.localhost/dons/0f3c/?t=secret-token",
        "status-code": 200,
    }
}

REPORT_TO_BODY = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://grand-est.localhost/campagnes/cafe/",
        "user_agent": "Mozilla/5.0",
        "body": {
            "documentURL": "https://grand-est.localhost/campagnes/cafe/",
            "blockedURL": "https://evil.example/x.js?session=abc",
            "effectiveDirective": "script-src-elem",
            "originalPolicy": "default-src 'self'",
            "disposition": "enforce",
            "sourceFile": "https://grand-est.localhost/static/solidaire/map.js",
            "lineNumber": 3,
            "statusCode": 200,
        },
    },
    {"type": "deprecation", "url": "https://grand-est.localhost/", "body": {"id": "x"}},
]


@pytest.fixture(autouse=True)
def _counted(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    yield
    cache.clear()


def post(personas, body, content_type="application/csp-report", address="203.0.113.7", **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    client = Client(HTTP_HOST=personas.a.host, REMOTE_ADDR=address, enforce_csrf_checks=True)
    return client.post(URL, data=data, content_type=content_type, **extra)


def csp_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "solidaire.csp"]


def test_a_report_uri_report_is_logged_on_one_line_without_its_query_string(personas, caplog):
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        response = post(personas, REPORT_URI_BODY)
    assert response.status_code == 204
    (line,) = csp_lines(caplog)
    assert "directive=script-src-elem" in line and "blocked=inline" in line
    assert "document=https://grand-est.localhost/dons/0f3c/" in line and "line=12" in line
    assert f"host={personas.a.host}" in line
    assert "secret-token" not in line and "\n" not in line


def test_a_reporting_api_report_is_logged_and_other_kinds_of_report_are_not(personas, caplog):
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        response = post(personas, REPORT_TO_BODY, content_type="application/reports+json")
    assert response.status_code == 204
    (line,) = csp_lines(caplog)
    assert "blocked=https://evil.example/x.js" in line and "session=abc" not in line
    assert "source=https://grand-est.localhost/static/solidaire/map.js" in line


def test_nothing_is_stored(personas, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the rate limit's cache (the database's cache table)
        assert post(personas, REPORT_URI_BODY).status_code == 204
    assert AuditEvent.objects.count() == 0


def test_line_breaks_in_a_report_cannot_forge_log_lines(personas, caplog):
    body = {"csp-report": {**REPORT_URI_BODY["csp-report"], "blocked-uri": "inline\nWARNING forged line"}}
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        post(personas, body)
    (line,) = csp_lines(caplog)
    assert "\n" not in line and "inline WARNING forged line" in line


def test_a_report_larger_than_8_kb_is_refused_unread(personas, caplog):
    body = {"csp-report": {**REPORT_URI_BODY["csp-report"], "script-sample": "x" * csp_reports.REPORT_MAX_BYTES}}
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        response = post(personas, body)
    assert response.status_code == 413
    assert csp_lines(caplog) == []


def test_a_report_of_exactly_8_kb_is_taken(personas):
    body = json.dumps(REPORT_URI_BODY).encode()
    body = body[:-1] + b" " * (csp_reports.REPORT_MAX_BYTES - len(body)) + b"}"
    assert len(body) == csp_reports.REPORT_MAX_BYTES
    assert post(personas, body).status_code == 204


def test_reports_are_limited_per_address(personas, caplog):
    limit = int(csp_reports.REPORTS_PER_MINUTE.split("/")[0])
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        answers = [post(personas, REPORT_URI_BODY).status_code for _ in range(limit + 2)]
    assert answers == [204] * limit + [429, 429]
    assert len(csp_lines(caplog)) == limit
    assert post(personas, REPORT_URI_BODY, address="198.51.100.9").status_code == 204  # another address


def test_another_content_type_or_a_body_that_is_no_report_is_refused(personas):
    assert post(personas, REPORT_URI_BODY, content_type="text/plain").status_code == 415
    assert post(personas, b"not json").status_code == 400
    assert post(personas, {"something": "else"}).status_code == 400


def test_it_takes_no_get(personas):
    assert Client(HTTP_HOST=personas.a.host).get(URL).status_code == 405


def test_every_page_names_the_endpoint(personas):
    response = Client(HTTP_HOST=personas.a.host).get("/")
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert directives["report-uri"] == URL
    assert directives["report-to"] == "csp"
    assert response["Reporting-Endpoints"] == f'csp="{URL}"'


def test_reports_are_taken_on_the_operators_host_too(settings, caplog):
    with caplog.at_level(logging.WARNING, logger="solidaire.csp"):
        response = Client(HTTP_HOST=settings.SOLIDAIRE_OPERATOR_HOST).post(
            URL, data=json.dumps(REPORT_URI_BODY), content_type="application/csp-report"
        )
    assert response.status_code == 204
    assert len(csp_lines(caplog)) == 1


def test_the_reporting_header_leaves_one_already_set_alone():
    from django.http import HttpResponse

    def answer(_request):
        response = HttpResponse()
        response["Reporting-Endpoints"] = 'other="/x"'
        return response

    assert ReportingEndpoints(answer)(None)["Reporting-Endpoints"] == 'other="/x"'
