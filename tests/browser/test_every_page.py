"""Every page of the product, in a real browser, passes axe-core (WCAG 2.1 A and AA).

The pages are those of the permission matrix (tests/test_permission_matrix.py): each view that
shows a page to someone is opened as the first persona of the matrix who may see it, signed in
through the login form, with the same world of campaigns, cafés, gifts and vouchers. The account
pages of django-allauth and the error pages are added. A new view gets a row in the matrix, so it
is checked here too. Not pages: JSON, CSS, PDF and the API's own documentation (Swagger UI,
a third-party page)."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.test_permission_matrix import MATRIX, PERSONAS, _no_rate_limits, request_for, users, world  # noqa: F401

NOT_PAGES = {
    "healthz",
    "theme_css",
    "beneficiaries:markers",
    "beneficiaries:commune_suggestions",
    "vouchers:voucher_pdf",
    "payouts:document",  # a file download (SEPA, CSV, XLSX, PDF)
    "payouts:owner_statement",  # a PDF
    "donations:owner_donors_csv",  # a CSV download
    "payouts:mark_sent",  # a confirmation reached by POST: checked in tests/browser/test_payouts.py
    "api:openapi-json",
    "api:openapi-view",
    "api:campaign_detail",
    "api:beneficiaries",
    "api:gift_detail",
    "api:mutualaid_posts",
    "mutualaid:markers",  # JSON for the map
    "exports:status",  # JSON for the progress indicator
    "exports:download",  # a CSV or XLSX download
    "exports:owner_export",  # a CSV or XLSX download
    "exports:owner_chart",  # an SVG picture, shown by the owner's dashboard (checked there)
    "reporting:summary_chart",  # SVG pictures, shown by the dashboards (checked there)
    "reporting:dashboard_chart",
    "reporting:summary_download",  # CSV or XLSX downloads
    "reporting:dashboard_download",
    "opendata:subventions_csv",  # the open-data file
    "opendata:catalogue",  # JSON
    "privacy:download",  # a zip
}
EXTRA = {  # persona → pages outside the matrix
    "anon": ["/comptes/login/", "/comptes/signup/", "/comptes/password/reset/", "/en/", "/de/", "/no-such-page/"],
    "A.admin": ["/comptes/email/", "/comptes/password/change/", "/de/gestion/"],
}


def pages_by_persona() -> dict[str, list[str]]:
    """row names of the matrix, grouped by the first persona who gets the page (status 200)."""
    grouped: dict[str, list[str]] = {}
    for row, cells in MATRIX.items():
        if row.partition(" ")[0] not in NOT_PAGES and 200 in cells:
            grouped.setdefault(PERSONAS[cells.index(200)], []).append(row)
    return grouped


PAGES = pages_by_persona()


def test_the_pages_cover_the_matrix_and_the_roles():
    assert set(PAGES) >= {"anon", "A.admin", "A.owner"}
    assert sum(map(len, PAGES.values())) >= 40


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_every_page_passes_axe(persona, personas, world, open_page):  # noqa: F811 - the matrix's world
    page = open_page(personas.a)
    user = users(personas)[persona]
    if user is not None:
        page.goto("/comptes/login/")
        page.fill("#id_login", user.email)
        page.fill("#id_password", DEFAULT_PASSWORD)
        page.follow(page.locator("main form button[type=submit]"))
        assert page.path != "/comptes/login/", f"{persona} could not sign in"
    seen = []
    for row in PAGES[persona]:
        method, path, data = request_for(row, world)
        assert method == "get", row
        query = "&".join(f"{k}={v}" for k, v in data.items())
        response = page.goto(path + (f"?{query}" if query else ""))
        assert response.status == 200, (row, response.status)
        seen.append(row)
    for path in EXTRA.get(persona, []):
        response = page.goto(path)
        assert response.status == (404 if "no-such" in path else 200), (path, response.status)
        seen.append(path)
    checked = [url for url, was_checked in page.documents if was_checked]
    assert len(checked) >= len(seen), "every page was checked by axe"
