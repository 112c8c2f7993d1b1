"""E-mails to donors, in the language they gave in, and the work a gift's write path leaves for
after its commit (asking the provider for a payment’s details, giving it a dispute's evidence).
E-mails are rendered and sent by a background task, off the payment’s hot path."""

from django.db import transaction
from django.urls import reverse
from django.utils import translation

from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url
from solidaire.vouchers.codes import display
from solidaire.vouchers.documents import pdf, private_url
from solidaire.vouchers.models import Voucher

from .books import beneficiary_share

TEMPLATES = {"receipt": "donations/email/receipt", "reversed": "donations/email/reversed"}


def gift_url(gift) -> str:
    with translation.override(gift.language):
        path = reverse("donations:gift", args=[gift.pk])
    return tenant_url(gift.collectivite, f"{path}?t={gift.token}")


def space_url(gift) -> str:
    """Where the donor asks for a link to all their gifts and their personal data (privacy)."""
    with translation.override(gift.language):
        path = reverse("privacy:ask")
    return tenant_url(gift.collectivite, path)


def send(gift, kind: str) -> None:
    """Renders and sends one e-mail to the donor (in the worker). The receipt carries the
    voucher, when the gift has one, as a PDF."""
    voucher = Voucher.objects.filter(gift=gift).first() if kind == "receipt" else None
    attachments = []
    if voucher is not None:
        attachments.append((f"bon-{display(voucher.code)}.pdf", pdf(voucher, gift.language), "application/pdf"))
    send_templated(
        to=gift.email,
        template=TEMPLATES[kind],
        language=gift.language,
        collectivite=gift.collectivite,
        attachments=attachments,
        context={
            "gift": gift,
            "establishment": gift.registration.establishment,
            "campaign": gift.campaign,
            "collectivite": gift.collectivite,
            "url": gift_url(gift),
            "space_url": space_url(gift),
            "voucher": voucher,
            "voucher_url": private_url(voucher) if voucher else "",
            "share": beneficiary_share(gift),
        },
    )


def _after_commit(task, *args) -> None:
    transaction.on_commit(lambda: task.delay(*args))


def receipt(gift) -> None:
    from .tasks import send_gift_email

    _after_commit(send_gift_email, str(gift.pk), "receipt")


def reversed_gift(gift) -> None:
    from .tasks import send_gift_email

    _after_commit(send_gift_email, str(gift.pk), "reversed")


def fetch_details_later(gift) -> None:
    from .tasks import fetch_payment_details

    _after_commit(fetch_payment_details, str(gift.pk))


def submit_evidence_later(gift, dispute) -> None:
    from .tasks import submit_dispute_evidence

    _after_commit(submit_dispute_evidence, dispute.pk)
