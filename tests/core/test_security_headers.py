"""Security headers. Every page of the permission matrix (tests/test_permission_matrix.py: its world,
its personas, each page asked by the first persona the matrix lets see it) answers with the
Content-Security-Policy, and its HTML has nothing that policy would block: no inline script (JSON
data excepted), no <style>, no style="…", no on…= handler. Pages of one person or one team are not
stored by browsers or caches; public pages may be. HSTS covers the sub-domains when HTTPS is on."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import transaction

from solidaire.settings import _tiles_origin
from tests.test_permission_matrix import MATRIX, PERSONAS, _no_rate_limits, request_for, users, world  # noqa: F401

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "https://tile.openstreetmap.org"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
    "report-uri": {"/csp-report"},
    "report-to": {"csp"},
}
# Charts drawn as SVG pictures (shown with <img>): pygal's styles are inside the picture, which
# runs no script at all.
PICTURES = {"reporting:dashboard_chart", "reporting:summary_chart", "exports:owner_chart"}
PICTURE_POLICY = POLICY | {"style-src": {"'unsafe-inline'"}, "script-src": {"'none'"}}
EXTRA = {  # persona → pages outside the matrix: django-allauth's account pages, an error page
    "anon": ["/comptes/login/", "/comptes/signup/", "/comptes/password/reset/", "/en/", "/de/", "/no-such-page/"],
    "A.admin": ["/comptes/email/", "/comptes/password/change/", "/comptes/2fa/", "/de/gestion/"],
}
# The public pages: the same for everyone, nobody's data. Every other page is private, and so is
# the answer to any form sent.
NOT_PAGES = {
    "healthz",
    "set_language",
    "choose_language",
    "payments:notifications",
    "csp_report",
}  # a probe, POSTs that show nothing
PUBLIC = {
    "theme_css",
    "core:home",
    "core:about_data",
    "opendata:transparency",
    "opendata:subventions_csv",
    "opendata:datasets",
    "opendata:catalogue",
    "tenants:legal",
    "tenants:accessibility",
    "tenants:privacy",
    "campaigns:public_detail",
    "beneficiaries:directory",
    "beneficiaries:map",
    "beneficiaries:markers",
    "beneficiaries:establishment",
    "beneficiaries:establishment_short",
    "beneficiaries:commune_suggestions",
    "api:openapi-json",
    "api:openapi-view",
    "api:campaign_detail",
    "api:beneficiaries",
    "api:mutualaid_posts",
    "api:api-root",
    "mutualaid:network",
    "mutualaid:map",
    "mutualaid:markers",
    "mutualaid:post",
    "/en/",
    "/de/",
    "/no-such-page/",
}

# Rows of a public page asked for something only some people may see: a mutual-aid post in a
# sensitive category, or waiting for review, is not kept by browsers or caches.
PRIVATE_ROWS = {"mutualaid:post [sensitive]", "mutualaid:post [pending]"}


def rows_by_persona() -> dict[str, list[str]]:
    """Every row of the matrix, under the first persona who gets a page (200), or anonymous."""
    grouped: dict[str, list[str]] = {}
    for row, cells in MATRIX.items():
        persona = PERSONAS[cells.index(200)] if 200 in cells else "anon"
        grouped.setdefault(persona, []).append(row)
    return grouped


ROWS = rows_by_persona()


def answers(persona, personas, world, client_for):  # noqa: F811 - the matrix's world
    """(what was asked, response) for each row of this persona, then its extra pages; every
    change a request makes is rolled back."""
    client = client_for(personas.a, users(personas)[persona])
    for row in ROWS.get(persona, []):
        method, path, data = request_for(row, world)
        with transaction.atomic():
            as_json = {"content_type": "application/json"} if isinstance(data, str) else {}
            yield row, getattr(client, method)(path, data, **as_json)
            transaction.set_rollback(True)
    for path in EXTRA.get(persona, []):
        yield path, client.get(path)


class InlineCode(HTMLParser):
    """What a strict Content-Security-Policy would block in a page: inline scripts (JSON data,
    never run, excepted), <style> elements, style attributes, event handler attributes and
    javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._script = attributes
            if "src" not in attributes and attributes.get("type") != "application/json":
                self.found.append(f"<script {attrs}> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}">')
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data):
        if self._script is not None and "src" in self._script and data.strip():
            self.found.append(f"<script src=…> with a body: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def policy(response) -> dict[str, set[str]]:
    header = response.get("Content-Security-Policy", "")
    return {name: set(sources) for name, *sources in (part.split() for part in header.split(";") if part.strip())}


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_inline_code_finder_finds_what_the_policy_blocks():
    page = (
        '<script>alert(1)</script><script type="application/json">{"a": 1}</script>'
        '<script src="/static/x.js"></script><style>p{}</style><p style="color:red" onclick="go()">'
        '<a href="javascript:go()">x</a>'
    )
    assert len(inline_code(page)) == 5


@pytest.mark.parametrize("persona", sorted(ROWS))
def test_every_page_has_the_content_security_policy_and_no_inline_script_or_style(persona, personas, world, client_for):  # noqa: F811
    missing, inline = [], {}
    for asked, response in answers(persona, personas, world, client_for):
        expected = PICTURE_POLICY if asked in PICTURES else POLICY
        if policy(response) != expected:
            missing.append(f"{asked}: {response.status_code} {response.get('Content-Security-Policy')}")
        if response.get("Content-Type", "").startswith("text/html"):
            found = inline_code(response.content.decode())
            if found:
                inline[asked] = found
    assert missing == [], "answered without the policy"
    assert inline == {}, "inline code a browser would refuse under the policy"


@pytest.mark.parametrize("persona", sorted(ROWS))
def test_private_pages_are_not_stored_and_public_pages_may_be(persona, personas, world, client_for):  # noqa: F811
    wrong = []
    for asked, response in answers(persona, personas, world, client_for):
        if asked.partition(" ")[0] in NOT_PAGES:
            continue
        if asked.partition(" ")[0] in PUBLIC and asked not in PRIVATE_ROWS:
            if "no-store" in response.get("Cache-Control", ""):
                wrong.append(f"{asked} is public but not stored")
        elif "no-store" not in response.get("Cache-Control", ""):
            wrong.append(f"{asked} is private but may be stored ({response.get('Cache-Control')})")
    assert wrong == [], "\n".join(wrong)


def test_a_page_in_another_language_is_private_as_in_french(personas, client_for):
    client = client_for(personas.a, personas.a.admin)
    assert "no-store" in client.get("/en/gestion/")["Cache-Control"]
    assert "no-store" not in client.get("/en/").get("Cache-Control", "")


def test_the_map_tiles_are_allowed_as_pictures_and_nothing_else(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "https://tile.openstreetmap.org" in directives["img-src"]
    assert all(
        "openstreetmap" not in source for name, sources in directives.items() if name != "img-src" for source in sources
    )
    assert _tiles_origin("https://{s}.tiles.example.fr:8443/{z}/{x}/{y}.png") == ["https://*.tiles.example.fr:8443"]
    assert _tiles_origin("/tuiles/{z}/{x}/{y}.png") == []  # served by this site: 'self'


def test_hsts_covers_the_sub_domains_when_https_is_on(tmp_path):
    read = "import solidaire.settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    environment = {**os.environ, "SOLIDAIRE_HTTPS": "true", "SOLIDAIRE_VAR_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", read], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["31536000", "True"]


def test_an_https_answer_carries_hsts_with_the_sub_domains(settings, personas, client_for):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client_for(personas.a).get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client_for(personas.a).get("/")  # never over plain HTTP
