"""E-mails about payouts, each in its recipient's language: the owner of each beneficiary in a
batch is told when the payment leaves for the bank. Sent by a background task after the commit;
links are built from the collectivité’s own address."""

from django.urls import reverse
from django.utils import translation

from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url

from .models import Batch, LineStatus


def send_payment_sent(batch_id: int) -> int:
    """One e-mail per line still to be paid of a sent batch (in the worker); returns how many."""
    batch = Batch.objects.select_related("collectivite", "campaign").filter(pk=batch_id).first()
    if batch is None:
        return 0
    lines = batch.lines.filter(status=LineStatus.PENDING).select_related("registration__establishment__owner")
    sent = 0
    for line in lines:
        owner = line.registration.establishment.owner
        with translation.override(owner.language):
            path = reverse("payouts:owner_payouts", args=[line.registration_id])
        send_templated(
            to=owner.email,
            template="payouts/email/payment_sent",
            language=owner.language,
            reply_to=batch.collectivite.contact_email or None,
            context={
                "batch": batch,
                "line": line,
                "establishment": line.registration.establishment,
                "campaign": batch.campaign,
                "collectivite": batch.collectivite,
                "url": tenant_url(batch.collectivite, path),
            },
        )
        sent += 1
    return sent
