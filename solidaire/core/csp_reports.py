"""What browsers report when the Content-Security-Policy refuses something (ADR 0015): the
policy names /csp-report twice — `report-uri` (a POST of `application/csp-report`, one report) and
`report-to` (the Reporting API: a POST of `application/reports+json`, a list of reports). Each
report becomes one compact line of the `solidaire.csp` logger; nothing is stored.

Anyone may post here, so a report is small (REPORT_MAX_BYTES, 413 above, the rest never read),
counted per address in the shared cache (REPORTS_PER_MINUTE, 429 above), and what is logged is cut
short, without query strings (a gift's or a voucher’s page carries its token there) and without
line breaks (one report, one line)."""

import json
import logging
import re
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger("solidaire.csp")

REPORT_MAX_BYTES = 8 * 1024
REPORTS_PER_MINUTE = "30/m"
CONTENT_TYPES = ("application/csp-report", "application/reports+json", "application/json")
FIELD_MAX_CHARS = 200
REPORTS_PER_POST = 10

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")


class Unreadable(ValueError):
    """The body is not a CSP report in either format."""


def _url(value) -> str:
    """A URL without its query string and fragment; keywords ("inline", "eval") as they are."""
    value = str(value or "")
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        value = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return _short(value)


def _short(value) -> str:
    return _UNPRINTABLE.sub(" ", str(value if value is not None else ""))[:FIELD_MAX_CHARS]


def violations(body: bytes) -> list[dict]:
    """The reports a body holds, each as the same few fields, whichever format it came in."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unreadable("not JSON") from exc
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):  # report-uri
        report = data["csp-report"]
        return [
            {
                "directive": report.get("effective-directive") or report.get("violated-directive"),
                "blocked": report.get("blocked-uri"),
                "document": report.get("document-uri"),
                "source": report.get("source-file"),
                "line": report.get("line-number"),
                "disposition": report.get("disposition", "enforce"),
            }
        ]
    if isinstance(data, list):  # report-to: the Reporting API's list, CSP reports among others
        found = []
        for item in data[:REPORTS_PER_POST]:
            if not isinstance(item, dict) or item.get("type") != "csp-violation":
                continue
            body_ = item.get("body") if isinstance(item.get("body"), dict) else {}
            found.append(
                {
                    "directive": body_.get("effectiveDirective"),
                    "blocked": body_.get("blockedURL"),
                    "document": body_.get("documentURL") or item.get("url"),
                    "source": body_.get("sourceFile"),
                    "line": body_.get("lineNumber"),
                    "disposition": body_.get("disposition", "enforce"),
                }
            )
        return found
    raise Unreadable("neither a csp-report nor a list of reports")


def log(report: dict, *, host: str) -> None:
    """One line per refusal: what was refused, by which directive, on which page, from where in
    it. Not who reported it (the address only counts against the rate limit)."""
    logger.warning(
        "refused directive=%s blocked=%s document=%s source=%s line=%s disposition=%s host=%s",
        _short(report["directive"]) or "?",
        _url(report["blocked"]) or "?",
        _url(report["document"]) or "?",
        _url(report["source"]) or "-",
        _short(report["line"]) or "-",
        _short(report["disposition"]),
        _short(host),
    )
