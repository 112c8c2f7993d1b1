"""A batch's files, made once when it is approved: the SEPA credit-transfer file (sepaxml,
validated against the ISO 20022 schema before it is kept), and the statement for the public
accountant — the "état liquidatif": collectivité, campaign, decision, one line per beneficiary with
legal name, SIRET or RNA, IBAN, amount and count of gifts, totals and the two approvers — as CSV
(UTF-8, ";"), XLSX and PDF."""

import csv
import io

import xlsxwriter
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from solidaire.core.errors import ActionError
from solidaire.core.money import cents_to_input, format_cents

from .models import Channel, DocumentKind, Route

LANGUAGE = "fr"  # the public accountant's


def _what(batch) -> str:
    return _("Public match") if batch.channel == Channel.MATCHING else _("Gifts")


def description(batch, line) -> str:
    """What the beneficiary’s bank statement says (140 characters at most, SEPA's)."""
    return f"{batch.campaign.title} - {batch.reference} - {line.gifts_count} dons"[:140]


def sepa(batch, lines, account) -> bytes:
    transfer = SepaTransfer(
        {"name": account.debtor_name, "IBAN": account.iban, "BIC": account.bic, "batch": True, "currency": "EUR"},
        schema=account.pain_version,
    )
    for line in lines:
        payment = {
            "name": line.account_holder or line.legal_name,
            "IBAN": line.iban,
            "amount": line.amount_cents,
            "execution_date": batch.execution_date,
            "description": description(batch, line),
            "endtoend_id": line.end_to_end_id,
        }
        if line.bic:
            payment["BIC"] = line.bic
        transfer.add_payment(payment)
    try:
        return transfer.export(validate=True)
    except SepaValidationError as exc:
        raise ActionError(
            _("The SEPA file does not pass the ISO 20022 schema: check the account details."), code="sepa"
        ) from exc


def _rows(batch, lines) -> tuple[list[str], list[list]]:
    header = [
        _("Legal name"),
        _("SIRET or RNA"),
        _("Account holder"),
        _("IBAN"),
        _("BIC"),
        _("Amount (€)"),
        _("Gifts"),
        _("Reference of the transfer"),
    ]
    rows = [
        [
            line.legal_name,
            line.identifier,
            line.account_holder,
            line.iban,
            line.bic,
            cents_to_input(line.amount_cents).replace(".", ","),
            line.gifts_count,
            line.end_to_end_id,
        ]
        for line in lines
    ]
    return header, rows


def _heading(batch) -> list[tuple[str, str]]:
    approved = batch.approved_at or timezone.now()
    return [
        (_("Collectivité"), batch.collectivite.name),
        (_("Campaign"), batch.campaign.title),
        (_("Batch"), f"{batch.reference} — {_what(batch)}"),
        (_("Paid by"), str(Route(batch.route).label)),
        (_("Decision"), batch.decision_reference or "—"),
        (_("Up to"), date_format(timezone.localtime(batch.cutoff), "DATETIME_FORMAT")),
        (_("Requested execution date"), date_format(batch.execution_date, "DATE_FORMAT")),
        (
            _("Prepared by"),
            f"{batch.prepared_by.email} — {date_format(timezone.localtime(batch.prepared_at), 'DATETIME_FORMAT')}",
        ),
        (
            _("Approved by"),
            f"{batch.approved_by.email} — {date_format(timezone.localtime(approved), 'DATETIME_FORMAT')}",
        ),
    ]


def _lines(count: int) -> str:
    return ngettext("%(count)s line", "%(count)s lines", count) % {"count": count}


def _totals(lines) -> tuple[int, int, int]:
    return len(lines), sum(line.amount_cents for line in lines), sum(line.gifts_count for line in lines)


def statement_csv(batch, lines) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for label, value in _heading(batch):
        writer.writerow([label, value])
    writer.writerow([])
    header, rows = _rows(batch, lines)
    writer.writerow(header)
    writer.writerows(rows)
    count, total, gifts = _totals(lines)
    writer.writerow([_("Total"), "", "", "", "", cents_to_input(total).replace(".", ","), gifts, _lines(count)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: spreadsheets then read UTF-8


def statement_xlsx(batch, lines) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(batch.reference)
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00 €"})
    row = 0
    for label, value in _heading(batch):
        sheet.write(row, 0, label, bold)
        sheet.write(row, 1, value)
        row += 1
    row += 1
    header, rows = _rows(batch, lines)
    sheet.write_row(row, 0, header, bold)
    for line in lines:
        row += 1
        values = [line.legal_name, line.identifier, line.account_holder, line.iban, line.bic]
        sheet.write_row(row, 0, values)
        sheet.write_number(row, 5, line.amount_cents / 100, money)  # presentation only: the file shows euros
        sheet.write_number(row, 6, line.gifts_count)
        sheet.write(row, 7, line.end_to_end_id)
    count, total, gifts = _totals(lines)
    row += 1
    sheet.write(row, 0, _("Total"), bold)
    sheet.write_number(row, 5, total / 100, money)
    sheet.write_number(row, 6, gifts)
    sheet.write(row, 7, _lines(count))
    sheet.set_column(0, 2, 30)
    sheet.set_column(3, 3, 32)
    sheet.set_column(4, 7, 16)
    book.close()
    return out.getvalue()


def statement_pdf(batch, lines) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=_("Payout statement") + f" {batch.reference}",
    )
    styles = getSampleStyleSheet()
    story = [Paragraph(_("Payout statement (état liquidatif)") + f" {batch.reference}", styles["Title"])]
    story.append(Table([[label, value] for label, value in _heading(batch)], hAlign="LEFT"))
    story.append(Spacer(1, 6 * mm))
    header, rows = _rows(batch, lines)
    count, total, gifts = _totals(lines)
    table = Table(
        [
            header,
            *[
                [*row[:5], format_cents(line.amount_cents, LANGUAGE), *row[6:]]
                for row, line in zip(rows, lines, strict=True)
            ],
            [_("Total"), "", "", "", "", format_cents(total, LANGUAGE), gifts, _lines(count)],
        ],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (5, 1), (6, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story.append(table)
    document.build(story)
    return out.getvalue()


def kinds_for(batch) -> list[str]:
    """The files an approved batch has: no SEPA file when the payment provider makes the transfers."""
    return [kind for kind in DocumentKind.values if kind != DocumentKind.SEPA or batch.route == Route.BANK]


def make_all(batch, lines, account) -> dict[str, tuple[str, bytes]]:
    """{kind: (file name, content)} — the SEPA file validated (bank route), or ActionError."""
    with translation.override(LANGUAGE):
        made = {}
        if DocumentKind.SEPA in kinds_for(batch):
            made[DocumentKind.SEPA] = (f"{batch.reference}-virements.xml", sepa(batch, lines, account))
        return made | {
            DocumentKind.CSV: (f"{batch.reference}-etat-liquidatif.csv", statement_csv(batch, lines)),
            DocumentKind.XLSX: (f"{batch.reference}-etat-liquidatif.xlsx", statement_xlsx(batch, lines)),
            DocumentKind.PDF: (f"{batch.reference}-etat-liquidatif.pdf", statement_pdf(batch, lines)),
        }
