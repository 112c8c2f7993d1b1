"""Reconciliation: for gifts whose state Solidaire still waits for — a payment not confirmed, a
refund not completed, a payment’s details not fetched — ask the provider what happened and apply
the answer through the notification inbox, exactly as if it had been notified.

Every gift waiting carries the time of its next check (`reconcile_after`); each check that
settles nothing pushes it back, less and less often (15 minutes, then doubling up to a day).
Gifts are taken oldest check first, so a gift that can never settle — or that the provider cannot
answer about — is reported and retried later, never in the way of the others, whatever their age.
A refund whose request never reached the provider (a crash) is sent again with its key."""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from solidaire.payments import inbox
from solidaire.payments.models import NotificationStatus, ProviderName
from solidaire.payments.providers import ProviderError, base, provider_for

from .models import Gift, GiftStatus, Refund, RefundStatus
from .refunds import send_refund

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF = timedelta(days=1)
RESEND_REFUNDS_AFTER = timedelta(minutes=2)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=15) * 2 ** min(attempts, 10), MAX_BACKOFF)


def reconcile(*, now=None, limit: int = BATCH, everything: bool = False) -> dict:
    """One round: the gifts whose next check is due (or, with `everything`, every gift still
    waiting for something). Returns counts and the gifts it could not settle (with why)."""
    now = now or timezone.now()
    counts = {"checked": 0, "applied": 0, "unchanged": 0, "errors": 0, "refunds_sent": 0}
    problems: list[str] = []
    _resend_refunds(now, counts, problems)
    waiting = Q(reconcile_after__isnull=False) if everything else Q(reconcile_after__lte=now)
    due = (
        Gift.objects.filter(waiting)
        .exclude(checkout_id="")
        .select_related("collectivite")
        .order_by("reconcile_after")[:limit]
    )
    for gift in due:
        counts["checked"] += 1
        try:
            applied = _check(gift, now)
        except Exception as exc:  # noqa: BLE001 - one gift's trouble must not stop the others
            logger.exception("reconciliation of gift %s failed", gift.pk)
            counts["errors"] += 1
            problems.append(f"{gift.pk}: {exc.__class__.__name__}: {exc}")
            applied = False
        counts["applied" if applied else "unchanged"] += 1
        _push_back(gift, now)
    counts["problems"] = problems
    return counts


def _check(gift, now) -> bool:
    try:
        provider = provider_for(gift.collectivite, gift.provider)
    except ProviderError:
        return _left_sandbox(gift)
    events = []
    if gift.details_pending and gift.status not in (GiftStatus.PENDING, GiftStatus.PROCESSING):
        # First: refunds and disputes of the payment wait for its details (its fee, its transfer).
        details = provider.fetch_details(gift)
        events = [details] if details is not None else []
    events += provider.fetch_payment(gift)
    applied = False
    for event in events:
        status, notification = inbox.apply(
            collectivite=gift.collectivite, provider_name=provider.name, event=event, body="(reconciliation)"
        )
        applied |= notification.status == NotificationStatus.APPLIED and status == 200
    return applied


def _push_back(gift, now) -> None:
    """The next check, unless the gift no longer waits for anything."""
    fresh = Gift.objects.filter(pk=gift.pk).values("status", "details_pending", "reconcile_after").first()
    waiting = (
        fresh["status"] in (GiftStatus.PENDING, GiftStatus.PROCESSING, GiftStatus.REFUND_REQUESTED)
        or (fresh["details_pending"])
    )
    attempts = gift.reconcile_attempts + 1
    Gift.objects.filter(pk=gift.pk).update(
        reconcile_after=now + backoff(attempts) if waiting else None, reconcile_attempts=attempts
    )


def _resend_refunds(now, counts, problems) -> None:
    """Refunds recorded but never acknowledged by the provider (the process died before its
    answer): asked again, with the same key, so the provider makes each one once."""
    lost = Refund.objects.filter(
        Q(provider_refund_id=""), status=RefundStatus.REQUESTED, requested_at__lte=now - RESEND_REFUNDS_AFTER
    ).order_by("requested_at")[:BATCH]
    for refund in lost:
        try:
            send_refund(refund)
        except Exception as exc:  # noqa: BLE001 - reported, and the refund is marked failed if refused
            problems.append(f"refund {refund.pk}: {exc}")
            continue
        counts["refunds_sent"] += 1


def _left_sandbox(gift) -> bool:
    """A gift still waiting on the sandbox after the collectivité left it can never be paid: the
    sandbox's page and notifications are gone (no gift is confirmed without money). It expires,
    which releases its public money — instead of being asked about, in vain, forever."""
    if gift.provider != ProviderName.SANDBOX or gift.status != GiftStatus.PENDING:
        return False
    event = base.PaymentEvent(
        event_id=f"reconcile:{gift.checkout_id}:expired",
        type=base.EXPIRED,
        checkout_id=gift.checkout_id,
        amount_cents=gift.amount_cents,
        currency=gift.currency,
    )
    _status, notification = inbox.apply(
        collectivite=gift.collectivite,
        provider_name=ProviderName.SANDBOX,
        event=event,
        body="(reconciliation: the sandbox is no longer the provider)",
    )
    return notification.status == NotificationStatus.APPLIED
