"""Reconciliation: for gifts still pending after a while, ask the provider what happened and
apply the answer through the notification inbox, exactly as if it had been notified."""

from datetime import timedelta

from django.utils import timezone

from solidaire.payments import inbox
from solidaire.payments.models import NotificationStatus, ProviderName
from solidaire.payments.providers import ProviderError, base, provider_for

from .models import OPEN_STATUSES, Gift, GiftStatus


def reconcile_pending(*, older_than_minutes: int = 15, now=None) -> dict:
    now = now or timezone.now()
    counts = {"checked": 0, "applied": 0, "unchanged": 0, "errors": 0}
    gifts = (
        Gift.objects.filter(status__in=OPEN_STATUSES, created_at__lte=now - timedelta(minutes=older_than_minutes))
        .exclude(checkout_id="")
        .select_related("collectivite")
        .order_by("created_at")[:1000]
    )
    for gift in gifts:
        counts["checked"] += 1
        try:
            provider = provider_for(gift.collectivite, gift.provider)
        except ProviderError:
            if _left_sandbox(gift, counts):
                continue
            counts["errors"] += 1
            continue
        try:
            event = provider.fetch_payment(gift)
        except ProviderError:
            counts["errors"] += 1
            continue
        if event is None:
            counts["unchanged"] += 1
            continue
        _status, notification = inbox.apply(
            collectivite=gift.collectivite,
            provider_name=provider.name,
            event=event,
            body="(reconciliation)",
            headers={},
        )
        counts["applied" if notification.status == NotificationStatus.APPLIED else "unchanged"] += 1
    return counts


def _left_sandbox(gift, counts) -> bool:
    """A gift still waiting on the sandbox after the collectivité left it can never be paid: the
    sandbox's page and notifications are gone (no gift is confirmed without money). It expires,
    which releases its public money — instead of being asked about, in vain, forever."""
    if gift.provider != ProviderName.SANDBOX or gift.status != GiftStatus.PENDING:
        return False
    event = base.PaymentEvent(
        event_id=f"reconcile:{gift.checkout_id}:expired", type=base.EXPIRED, checkout_id=gift.checkout_id
    )
    _status, notification = inbox.apply(
        collectivite=gift.collectivite,
        provider_name=ProviderName.SANDBOX,
        event=event,
        body="(reconciliation: the sandbox is no longer the provider)",
        headers={},
    )
    counts["applied" if notification.status == NotificationStatus.APPLIED else "unchanged"] += 1
    return True
