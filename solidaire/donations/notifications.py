"""E-mails to donors, in the language they gave in. They are rendered and sent by a background
task once the transaction has committed, off the payment's hot path."""

from django.db import transaction
from django.urls import reverse
from django.utils import translation

from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url

TEMPLATES = {"receipt": "donations/email/receipt", "reversed": "donations/email/reversed"}


def gift_url(gift) -> str:
    with translation.override(gift.language):
        path = reverse("donations:gift", args=[gift.pk])
    return tenant_url(gift.collectivite, f"{path}?t={gift.token}")


def send(gift, kind: str) -> None:
    """Renders and sends one e-mail to the donor (in the worker). The receipt carries the
    voucher, when the gift has one, as a PDF."""
    from solidaire.vouchers.documents import pdf, private_url
    from solidaire.vouchers.models import Voucher

    voucher = Voucher.objects.filter(gift=gift).first() if kind == "receipt" else None
    attachments = []
    if voucher is not None:
        from solidaire.vouchers.codes import display

        attachments.append((f"bon-{display(voucher.code)}.pdf", pdf(voucher, gift.language), "application/pdf"))
    send_templated(
        to=gift.email,
        template=TEMPLATES[kind],
        language=gift.language,
        reply_to=gift.collectivite.contact_email or None,
        attachments=attachments,
        context={
            "gift": gift,
            "establishment": gift.registration.establishment,
            "campaign": gift.campaign,
            "collectivite": gift.collectivite,
            "url": gift_url(gift),
            "voucher": voucher,
            "voucher_url": private_url(voucher) if voucher else "",
        },
    )


def _later(gift, kind: str) -> None:
    from .tasks import send_gift_email

    gift_id = str(gift.pk)
    transaction.on_commit(lambda: send_gift_email.delay(gift_id, kind))


def receipt(gift) -> None:
    _later(gift, "receipt")


def reversed_gift(gift) -> None:
    _later(gift, "reversed")
