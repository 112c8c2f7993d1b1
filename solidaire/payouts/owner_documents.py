"""The owner's own statement (PDF): what the beneficiary earned in a campaign, what is owed, in a
batch, and paid — each payment with its date and bank reference — in the owner's language."""

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from solidaire.core.money import format_cents

from .models import Channel


def statement_pdf(registration, position, lines) -> bytes:
    establishment = registration.establishment
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title=_("Payment statement"), leftMargin=18 * mm, rightMargin=18 * mm
    )
    styles = getSampleStyleSheet()
    story = [
        Paragraph(_("Payment statement"), styles["Title"]),
        Table(
            [
                [_("Collectivité"), registration.campaign.collectivite.name],
                [_("Campaign"), registration.campaign.title],
                [_("Beneficiary"), f"{establishment.legal_name} ({establishment.trade_name})"],
                [_("SIRET or RNA"), establishment.legal_identifier],
                [_("Date"), date_format(timezone.localtime(), "DATETIME_FORMAT")],
            ],
            hAlign="LEFT",
        ),
        Spacer(1, 6 * mm),
    ]
    summary = [[_("What is paid"), _("Owed"), _("In a batch"), _("Paid")]]
    for value, label in Channel.choices:
        summary.append(
            [
                str(label),
                format_cents(position.owed[value]),
                format_cents(position.in_batch[value]),
                format_cents(position.paid[value]),
            ]
        )
    story += [_table(summary), Spacer(1, 6 * mm), Paragraph(_("Payments"), styles["Heading2"])]
    rows = [[_("Reference"), _("What is paid"), _("Amount"), _("Status"), _("Date")]]
    for line in lines:
        when = line.paid_at or line.failed_at or line.batch.sent_at or line.batch.prepared_at
        rows.append(
            [
                line.end_to_end_id,
                str(Channel(line.batch.channel).label),
                format_cents(line.amount_cents),
                str(line.get_status_display()),
                date_format(timezone.localtime(when), "DATE_FORMAT"),
            ]
        )
    if len(rows) == 1:
        rows.append([_("No payment yet."), "", "", "", ""])
    story.append(_table(rows))
    document.build(story)
    return out.getvalue()


def _table(rows) -> Table:
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table
