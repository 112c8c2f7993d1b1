"""Demo payouts, made through the real write paths: Région Grand Est's payout account, one batch
of "Café Solidaire" already paid (the public match of the first half of the gifts: prepared by
one finance officer, approved by the other, sent, paid) and one waiting for approval (the gifts
of the same period), one café whose payments a moderator held back. What was given since is owed,
for a newcomer to prepare the next batch."""

from django.db import transaction
from django.test import override_settings

from solidaire.accounts.models import User
from solidaire.beneficiaries import actions as beneficiary_actions
from solidaire.beneficiaries.models import Registration
from solidaire.celery import app as celery_app
from solidaire.ledger.models import Entry
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Channel, PainVersion, PayoutSettings

# The collectivité’s account at the Banque de France, where public accountants hold theirs (a
# valid IBAN for the demo; not a real account).
ACCOUNT = {
    "debtor_name": "REGION GRAND EST - PAIERIE REGIONALE",
    "iban": "FR7630001007941234567890185",
    "bic": "BDFEFRPPCCT",
}


def seed_payouts(campaign, *, preparer_email: str, approver_email: str, moderator_email: str) -> None:
    collectivite = campaign.collectivite
    PayoutSettings.objects.get_or_create(
        collectivite=collectivite, defaults={**ACCOUNT, "pain_version": PainVersion.V09}
    )
    if Batch.objects.filter(campaign=campaign).exists():
        return
    preparer = User.objects.get(email=preparer_email)
    approver = User.objects.get(email=approver_email)
    moderator = User.objects.get(email=moderator_email)
    posted = list(
        Entry.objects.filter(collectivite=collectivite, kind="match.posted")
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if not posted:
        return
    cutoff = posted[len(posted) // 2]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        # The payment e-mails to the owners go nowhere while seeding.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
            held = (
                Registration.objects.filter(campaign=campaign, gifts_count__gt=0)
                .exclude(establishment__owner__email__startswith="cafe@")
                .order_by("gifts_count", "pk")
                .first()
            )
            if held is not None:
                beneficiary_actions.suspend_payouts(
                    registration=held,
                    moderator=moderator,
                    reason="Contrôle en cours : changement de gérant à vérifier.",
                )
            paid = actions.prepare_batch(
                campaign=campaign,
                channel=Channel.MATCHING,
                actor=preparer,
                cutoff=cutoff,
                decision_reference="Délibération CP-2026-0412 du 15 mai 2026",
            )
            # The seed stands for the two people: the demo's logins have no two-factor yet.
            actions.approve_batch(batch=paid, actor=approver, require_two_factor=False)
            actions.mark_sent(batch=paid, actor=preparer)
            actions.mark_paid(batch=paid, actor=preparer)
            actions.prepare_batch(
                campaign=campaign,
                channel=Channel.GIFTS,
                actor=preparer,
                cutoff=cutoff,
                decision_reference="Délibération CP-2026-0412 du 15 mai 2026",
            )
    finally:
        celery_app.conf.task_always_eager = previous
