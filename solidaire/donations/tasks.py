import logging

from celery import shared_task
from django.utils import timezone

from solidaire.matching.engine import expire_holds as release_expired_holds
from solidaire.payments import inbox
from solidaire.payments.providers import ProviderError, provider_for

from .models import Dispute, Gift
from .notifications import send
from .reconciliation import reconcile

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def expire_holds() -> int:
    """Releases matches held for payments that did not arrive in time."""
    return release_expired_holds(now=timezone.now())


@shared_task(ignore_result=True, name="solidaire.donations.tasks.reconcile")
def reconcile_task() -> int:
    """Asks the providers about gifts whose state is still awaited and applies what they say;
    applies again notifications a crash left unapplied."""
    inbox.retry_unfinished()
    return reconcile()["applied"]


@shared_task(ignore_result=True)
def send_gift_email(gift_id: str, kind: str) -> None:
    gift = (
        Gift.objects.select_related("collectivite", "campaign", "registration__establishment__commune")
        .filter(pk=gift_id)
        .first()
    )
    if gift is not None:
        send(gift, kind)


@shared_task(ignore_result=True, bind=True, max_retries=5)
def fetch_payment_details(self, gift_id: str) -> None:
    """Asks the provider what a confirmed payment cost and where it went (fee, card, Connect
    transfer), outside the confirmation, and books it through the inbox. Retried with backoff if
    the provider cannot be reached; reconciliation asks again later in any case."""
    gift = Gift.objects.select_related("collectivite").filter(pk=gift_id, details_pending=True).first()
    if gift is None:
        return
    try:
        event = provider_for(gift.collectivite, gift.provider).fetch_details(gift)
    except ProviderError as exc:
        logger.warning("no payment details yet for gift %s: %s", gift.pk, exc)
        if self.request.is_eager or self.request.called_directly:
            return
        raise self.retry(countdown=min(30 * 2**self.request.retries, 3600)) from exc
    if event is not None:
        inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=event, body="(payment details)")


@shared_task(ignore_result=True, bind=True, max_retries=5)
def submit_dispute_evidence(self, dispute_id: int) -> None:
    """Gives the provider the voucher’s redemptions as evidence that the counterpart was
    delivered."""
    dispute = Dispute.objects.select_related("gift__collectivite").filter(pk=dispute_id).first()
    if dispute is None or not dispute.evidence:
        return
    gift = dispute.gift
    try:
        provider_for(gift.collectivite, gift.provider).submit_dispute_evidence(
            gift, dispute.provider_dispute_id, dispute.evidence
        )
    except ProviderError as exc:
        logger.warning("dispute evidence for %s not accepted: %s", dispute.provider_dispute_id, exc)
        if self.request.is_eager or self.request.called_directly:
            return
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600)) from exc
