"""What each export holds (its columns, its cells) and the audit entry it leaves: the donors'
e-mail addresses only for finance officers, and then said so in the audit log."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from solidaire.audit.models import AuditEvent
from solidaire.exports import tables
from solidaire.exports.models import ExportStatus

from ..factories import CampaignFactory
from ..gifts import approved_registration, give
from ..vouchers.helpers import approved_offer, redeem, voucher_for
from .helpers import export_for, read_csv

pytestmark = pytest.mark.django_db


def headers(columns, language="en"):
    with translation.override(language):
        return [str(column.header) for column in columns]


def exported_events(tenant):
    return list(AuditEvent.objects.filter(collectivite=tenant, action="export.personal_data"))


def test_gifts_for_a_viewer_have_no_email_and_are_audited(personas, campaign, gifts):
    a = personas.a
    export = export_for(a.viewer, a.tenant, "gifts", campaign=campaign, role="viewer")
    assert export.status == ExportStatus.DONE and not export.with_emails
    header, *rows = read_csv(export)
    assert header == headers(tables.GIFT_COLUMNS)
    assert len(rows) == export.row_count == 3
    content = "\n".join(";".join(row) for row in rows)
    assert "@" not in content, "no e-mail address"
    by_amount = {row[7]: dict(zip(header, row, strict=True)) for row in rows}
    named, anonymous, formula = by_amount["5.00"], by_amount["10.00"], by_amount["7.00"]
    assert named["Donor’s name (unless anonymous)"] == "Dora Dupont"
    assert named["Public match"] == "5.00" and named["Campaign"] == "Café Solidaire"
    assert named["May be contacted by the beneficiary"] == "yes"
    assert anonymous["Donor’s name (unless anonymous)"] == "" and "Anne" not in content
    assert anonymous["Public message"] == "Courage à toute l’équipe"
    assert formula["Public message"] == "'=SUM(A1:A9)", "a formula is never run by the spreadsheet"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", named["Paid on"]), "ISO 8601"
    (event,) = exported_events(a.tenant)
    assert event.actor == a.viewer and event.object_id == str(export.pk)
    assert event.data == {
        "kind": "gifts",
        "format": "csv",
        "rows": 3,
        "emails": False,
        "campaign": "Café Solidaire",
    }


def test_gifts_for_a_finance_officer_have_the_emails_and_the_log_says_so(personas, campaign, gifts):
    a = personas.a
    export = export_for(a.finance, a.tenant, "gifts", campaign=campaign, role="finance")
    assert export.with_emails
    header, *rows = read_csv(export)
    assert "Donor’s e-mail address" in header
    assert header.index("Donor’s e-mail address") == header.index("Donor’s name (unless anonymous)") + 1
    emails = {row[header.index("Donor’s e-mail address")] for row in rows}
    assert emails == {"dora@example.org", "secret@example.org", "eve@example.org"}
    (event,) = exported_events(a.tenant)
    assert event.actor == a.finance and event.data["emails"] is True and event.data["rows"] == 3


def test_amounts_use_the_requesters_decimal_separator_and_headers_their_language(personas, campaign, gifts):
    a = personas.a
    export = export_for(a.viewer, a.tenant, "days", campaign=campaign, role="viewer", language="fr")
    header, row = read_csv(export)
    assert header == headers(tables.DAY_COLUMNS, "fr")
    assert row[1:] == ["3", "22,00", "22,00", "0,00"]


def test_per_day_figures(personas, campaign, gifts):
    a = personas.a
    export = export_for(a.viewer, a.tenant, "days", role="viewer")
    header, row = read_csv(export)
    assert header == headers(tables.DAY_COLUMNS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row[0])
    assert row[1:] == ["3", "22.00", "22.00", "0.00"]
    assert exported_events(a.tenant) == [], "no personal data: not in the audit log"


def test_per_beneficiary_totals(personas, campaign, cafe, gifts):
    a = personas.a
    export = export_for(a.moderator, a.tenant, "beneficiaries", campaign=campaign, role="moderator")
    header, row = read_csv(export)
    assert header == headers(tables.BENEFICIARY_COLUMNS)
    line = dict(zip(header, row, strict=True))
    assert line["Beneficiary"] == "Café de la Gare" and line["SIRET or RNA"] == cafe.legal_identifier
    assert line["INSEE code"] == "67482" and line["Registration"] == "Approved"
    assert (line["Gifts"], line["Given by donors"], line["Public match"], line["Total received"]) == (
        "3",
        "22.00",
        "22.00",
        "44.00",
    )
    assert exported_events(a.tenant) == []


def test_vouchers_outstanding(personas, campaign, cafe):
    a = personas.a
    approved_offer(cafe)
    voucher = voucher_for(cafe, 1000)
    redeem(voucher, a.owner, 400)
    export = export_for(a.viewer, a.tenant, "vouchers", role="viewer")
    header, row = read_csv(export)
    assert header == headers(tables.VOUCHER_COLUMNS)
    line = dict(zip(header, row, strict=True))
    value = f"{voucher.value_cents // 100}.{voucher.value_cents % 100:02d}"
    assert line["Vouchers issued"] == "1" and line["Value issued"] == value
    assert line["Used at the counter"] == "4.00" and line["Vouchers still valid"] == "1"
    left = voucher.value_cents - 400
    assert line["Still owed to donors"] == f"{left // 100}.{left % 100:02d}"


def test_audit_log_for_admins_only_and_audited(personas, campaign, gifts):
    a = personas.a
    with pytest.raises(PermissionDenied):
        export_for(a.finance, a.tenant, "audit", role="finance")
    first = export_for(a.viewer, a.tenant, "gifts", role="viewer")
    export = export_for(a.admin, a.tenant, "audit", role="admin")
    header, *rows = read_csv(export)
    assert header == headers(tables.AUDIT_COLUMNS)
    line = dict(zip(header, rows[-1], strict=True))
    assert line["Action code"] == "export.personal_data" and line["Who"] == a.viewer.email
    assert line["Object reference"] == str(first.pk) and '"rows": 3' in line["Details (JSON)"]
    assert [event.data["kind"] for event in exported_events(a.tenant)] == ["audit", "gifts"]


def test_an_export_holds_nothing_of_another_collectivite(personas, campaign, gifts):
    b = personas.b
    theirs = approved_registration(CampaignFactory(collectivite=b.tenant), commune="57463")
    give(theirs, 900, email="dan@example.org", donor_name="Dan")
    export = export_for(b.admin, b.tenant, "gifts", role="admin")
    _header, *rows = read_csv(export)
    assert len(rows) == 1 and "Dan" in rows[0] and "Dora Dupont" not in str(rows)
    with pytest.raises(Exception, match="campaign"):
        export_for(b.admin, b.tenant, "gifts", campaign=campaign, role="admin")


def test_xlsx_is_a_valid_workbook_with_euro_amounts(personas, campaign, gifts):
    a = personas.a
    export = export_for(a.viewer, a.tenant, "gifts", fmt="xlsx", campaign=campaign, role="viewer")
    with export.file.open("rb") as handle:
        content = handle.read()
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        assert book.testzip() is None
        names = set(book.namelist())
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"} <= names
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in names else sheet
        styles = book.read("xl/styles.xml").decode()
    assert "Donor’s name (unless anonymous)" in strings and "Dora Dupont" in strings
    assert "Anne Onyme" not in strings and "@" not in strings
    assert "#,##0.00 €" in styles
    assert re.search(r"<v>10</v>", sheet) and re.search(r"<v>7</v>", sheet), "amounts are numbers in euros"
    assert export.row_count == 3
    (event,) = exported_events(a.tenant)
    assert event.data["format"] == "xlsx"
