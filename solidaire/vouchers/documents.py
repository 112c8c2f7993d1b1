"""The voucher as the donor keeps it: a QR code (segno) and a one-page PDF (reportlab), in the
donor’s language."""

import io

import segno
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from solidaire.core.money import format_cents
from solidaire.tenants.resolution import tenant_url

from . import codes
from .models import OfferKind


def scan_url(voucher) -> str:
    """What the QR code holds: the counter's address for this voucher, with the code's HMAC."""
    with translation.override("fr"):
        path = reverse("vouchers:scan", args=[codes.sign(voucher.code)])
    return tenant_url(voucher.collectivite, path)


def qr_svg(voucher) -> str:
    return segno.make(scan_url(voucher), error="m").svg_inline(scale=4, dark="#000", light="#fff")


def what(voucher) -> str:
    if voucher.kind == OfferKind.ITEM:
        return voucher.item_label
    return _("Voucher worth %(value)s") % {"value": format_cents(voucher.value_cents)}


def pdf(voucher, language: str) -> bytes:
    establishment = voucher.registration.establishment
    campaign = voucher.registration.campaign
    with translation.override(language):
        buffer = io.BytesIO()
        page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
        page.setTitle(_("Voucher") + f" {codes.display(voucher.code)}")
        page.setAuthor(campaign.collectivite.name)
        width, height = A4
        top = height - 25 * mm
        page.setFillColor(colors.HexColor(campaign.collectivite.main_colour))
        page.rect(0, height - 12 * mm, width, 12 * mm, stroke=0, fill=1)
        page.setFillColor(colors.black)
        page.setFont("Helvetica-Bold", 22)
        page.drawString(20 * mm, top, establishment.trade_name)
        page.setFont("Helvetica", 11)
        page.drawString(
            20 * mm, top - 7 * mm, f"{establishment.address}, {establishment.postal_code} {establishment.commune.name}"
        )
        page.setFont("Helvetica-Bold", 28)
        page.drawString(20 * mm, top - 25 * mm, what(voucher))
        page.setFont("Helvetica", 12)
        validity = _("Valid from %(start)s to %(end)s, only at this establishment.") % {
            "start": date_format(voucher.valid_from, "DATE_FORMAT"),
            "end": date_format(voucher.valid_until, "DATE_FORMAT"),
        }
        page.drawString(20 * mm, top - 35 * mm, validity)
        if voucher.kind == OfferKind.VALUE:
            page.drawString(
                20 * mm,
                top - 42 * mm,
                _("May be used in several times.") if voucher.partial_use else _("To be used in one go."),
            )
        text = page.beginText(20 * mm, top - 52 * mm)
        text.setFont("Helvetica", 10)
        for line in _wrap(voucher.terms, 95):
            text.textLine(line)
        page.drawText(text)
        qr = segno.make(scan_url(voucher), error="m")
        image = io.BytesIO()
        qr.save(image, kind="png", scale=8, border=2)
        image.seek(0)
        page.drawImage(ImageReader(image), 20 * mm, top - 140 * mm, 70 * mm, 70 * mm)
        page.setFont("Courier-Bold", 18)
        page.drawString(100 * mm, top - 100 * mm, codes.display(voucher.code))
        page.setFont("Helvetica", 10)
        page.drawString(100 * mm, top - 108 * mm, _("Show this code or the QR code at the counter."))
        page.drawString(
            100 * mm, top - 115 * mm, _("Thank you for your gift in “%(title)s”.") % {"title": campaign.title}
        )
        page.setFont("Helvetica", 8)
        page.drawString(20 * mm, 15 * mm, f"{campaign.collectivite.name} — {_('Reference')} {str(voucher.gift_id)[:8]}")
        page.showPage()
        page.save()
        return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines = []
    for paragraph in (text or "").splitlines():
        words, line = paragraph.split(), ""
        for word in words:
            if len(line) + len(word) + 1 > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    return lines[:12]


def private_url(voucher) -> str:
    with translation.override(voucher.gift.language):
        path = reverse("vouchers:voucher", args=[voucher.pk])
    return tenant_url(voucher.collectivite, f"{path}?t={voucher.token}")
