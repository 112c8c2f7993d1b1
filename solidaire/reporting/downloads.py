"""The dashboard's figures as files: the tables the page shows, with its filters, built at once
(they are small: a few hundred rows at most). CSV as the payout statements are (payouts.documents):
UTF-8 with a BOM, `;` between columns and a decimal comma, as French spreadsheets read them, one
table after the other with a `table` column; XLSX one sheet per table. Amounts in euros."""

import csv
import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext as _

from .figures import Dashboard, Filters, Row

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def summary(dashboard: Dashboard, filters: Filters, title: str) -> list[tuple[str, object]]:
    """(what, value) lines: the filters, then the totals."""
    budget = dashboard.budget
    return [
        (_("Figures of"), title),
        (_("From"), filters.start.isoformat() if filters.start else ""),
        (_("To"), filters.end.isoformat() if filters.end else ""),
        (_("Département"), filters.departement),
        (_("Commune"), filters.commune),
        (_("Category"), filters.category),
        (_("Given (€)"), euros(dashboard.given_cents)),
        (_("Public match (€)"), euros(dashboard.match_cents)),
        (_("Gifts"), dashboard.gifts),
        (_("Donors"), dashboard.donors),
        (_("Beneficiaries"), dashboard.beneficiaries),
        (_("Public budget (€)"), euros(budget.budget_cents)),
        (_("Public budget used (€)"), euros(budget.used_cents)),
        (_("Public budget reserved by gifts being paid (€)"), euros(budget.reserved_cents)),
        (_("Public budget left (€)"), euros(budget.left_cents)),
    ]


def tables(dashboard: Dashboard) -> list[tuple[str, str, list[Row]]]:
    """(table name, its first column's heading, rows)."""
    return [
        ("days", _("Day"), dashboard.days),
        ("departements", _("Département"), dashboard.departements),
        ("communes", _("Commune"), dashboard.communes),
        ("categories", _("Category"), dashboard.categories),
    ]


def _header() -> list[str]:
    return [_("Code"), _("Name"), _("Gifts"), _("Given (€)"), _("Public match (€)"), _("Total (€)")]


def decimal_comma(value) -> object:
    """12.50 € as "12,50" in the CSV (other values unchanged)."""
    return f"{value:.2f}".replace(".", ",") if isinstance(value, Decimal) else value


def _values(row: Row) -> list:
    amounts = (row.given_cents, row.match_cents, row.total_cents)
    return [row.key, row.label, row.gifts, *(decimal_comma(euros(cents)) for cents in amounts)]


def as_csv(dashboard: Dashboard, filters: Filters, title: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["table", *_header()])
    for what, value in summary(dashboard, filters, title):
        writer.writerow(["summary", "", what, decimal_comma(value), "", "", ""])
    for name, _heading, rows in tables(dashboard):
        for row in rows:
            writer.writerow([name, *_values(row)])
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(dashboard: Dashboard, filters: Filters, title: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet(_("Summary")[:31])
    sheet.set_column(0, 0, 48)
    sheet.set_column(1, 1, 24)
    for n, (what, value) in enumerate(summary(dashboard, filters, title)):
        sheet.write_string(n, 0, str(what), bold)
        if isinstance(value, Decimal):
            sheet.write_number(n, 1, float(value), money)
        elif isinstance(value, int):
            sheet.write_number(n, 1, value)
        else:
            sheet.write_string(n, 1, str(value))
    for name, heading, rows in tables(dashboard):
        sheet = book.add_worksheet(name)
        header = _header()
        header[1] = heading
        sheet.write_row(0, 0, header, bold)
        sheet.set_column(1, 1, 30)
        sheet.set_column(3, 5, 16)
        for n, row in enumerate(rows, start=1):
            sheet.write_string(n, 0, row.key)
            sheet.write_string(n, 1, row.label)
            sheet.write_number(n, 2, row.gifts)
            for column, cents in ((3, row.given_cents), (4, row.match_cents), (5, row.total_cents)):
                sheet.write_number(n, column, cents / 100, money)
    book.close()
    return out.getvalue()


def build(fmt: str, dashboard: Dashboard, *, filters: Filters, title: str) -> tuple[bytes, str]:
    content = as_csv(dashboard, filters, title) if fmt == "csv" else as_xlsx(dashboard, filters, title)
    return content, FORMATS[fmt]
