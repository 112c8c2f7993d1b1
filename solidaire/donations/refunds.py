"""Refunds a finance officer asks for: the gift goes through "refund requested" (recorded and
audited first), the provider is called outside any database transaction with an idempotency key
(asking again never refunds twice), and the provider’s notification completes the refund through
the inbox like every payment event (donations.actions). A request whose call was lost (a crash
before the provider answered) is sent again, with the same key, by reconciliation."""

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents
from solidaire.payments.providers import base, provider_for

from . import states
from .actions import RECONCILE_AFTER_MINUTES, mark_refund_failed
from .models import Gift, GiftStatus, Refund, RefundStatus

logger = logging.getLogger(__name__)


def request_refund(*, gift: Gift, amount_cents: int | None = None, actor, reason: str, request_key: str = "") -> Refund:
    """Refunds `amount_cents` of the gift (all that is left of it by default). Raises ActionError,
    changing nothing, when the gift cannot be refunded, the amount is not what it can be, or the
    provider refuses (then the request is recorded as failed). `request_key` makes a request sent
    twice (a confirmation page submitted again) one refund."""
    if request_key:
        existing = Refund.objects.filter(gift=gift, key=_key(request_key)).first()
        if existing is not None:
            return existing if existing.status != RefundStatus.REQUESTED else send_refund(existing)
    try:
        provider_for(gift.collectivite, gift.provider)
    except base.ProviderError as exc:  # a provider the collectivité left, not configured: nothing is written
        raise ActionError(
            _("The payment provider refused the refund: %(error)s") % {"error": exc}, code="provider"
        ) from exc
    refund = open_refund(gift=gift, amount_cents=amount_cents, actor=actor, reason=reason, request_key=request_key)
    return send_refund(refund)


def _key(request_key: str) -> str:
    return f"refund-{request_key}"


def new_request_key() -> str:
    """The key a refund's confirmation page carries (also the provider’s idempotency key)."""
    return uuid.uuid4().hex


@transaction.atomic
def open_refund(*, gift: Gift, amount_cents: int | None, actor, reason: str, request_key: str = "", now=None) -> Refund:
    now = now or timezone.now()
    locked = Gift.objects.select_for_update(of=("self",)).select_related("registration__establishment").get(pk=gift.pk)
    if states.target(locked.status, states.REFUND_REQUESTED) is None:
        if locked.status == GiftStatus.REFUND_REQUESTED:
            raise ActionError(_("A refund of this gift is already waiting for the payment provider."), code="pending")
        raise ActionError(_("Only a confirmed gift can be refunded."), code="not_confirmed")
    if locked.details_pending:
        # With Stripe Connect, whether the establishment must give its share back is only known
        # once the payment’s transfer is read (a task, a few seconds after the payment).
        raise ActionError(
            _("The payment’s details are still being read from the payment provider; try again in a minute."),
            code="details_pending",
        )
    if not reason.strip():
        raise ActionError(_("Give the reason for the refund."), field="reason")
    left = locked.refundable_cents
    amount = left if amount_cents is None else amount_cents
    if not 0 < amount <= left:
        raise ActionError(
            _("Refund between %(low)s and %(high)s.") % {"low": format_cents(1), "high": format_cents(left)},
            field="amount",
            code="amount",
        )
    refund = Refund.objects.create(
        gift=locked,
        amount_cents=amount,
        reason=reason.strip()[:200],
        key=_key(request_key or new_request_key()),
        requested_by=actor,
    )
    Gift.objects.filter(pk=locked.pk).update(
        status=GiftStatus.REFUND_REQUESTED, reconcile_after=now + timedelta(minutes=RECONCILE_AFTER_MINUTES)
    )
    record(
        collectivite=locked.collectivite,
        actor=actor,
        action="gift.refund_requested",
        obj=locked,
        label=f"{format_cents(amount)} / {format_cents(locked.amount_cents)} → {locked.registration.establishment.trade_name}",
        data={"reason": refund.reason, "refund": refund.pk, "amount_cents": amount},
    )
    return refund


def send_refund(refund: Refund) -> Refund:
    """Asks the provider (outside any transaction: a network call). Safe to call again: the
    provider makes one refund per key."""
    gift = Gift.objects.select_related("collectivite").get(pk=refund.gift_id)
    try:
        provider_refund_id = provider_for(gift.collectivite, gift.provider).refund(
            gift, refund.amount_cents, key=refund.key
        )
    except base.ProviderError as exc:
        logger.warning("refund %s refused: %s", refund.pk, exc)
        _refused(refund, str(exc))
        raise ActionError(
            _("The payment provider refused the refund: %(error)s") % {"error": exc}, code="provider"
        ) from exc
    Refund.objects.filter(pk=refund.pk, provider_refund_id="").update(provider_refund_id=provider_refund_id)
    Refund.objects.filter(pk=refund.pk, sent_at=None).update(sent_at=timezone.now())
    refund.refresh_from_db()
    return refund


@transaction.atomic
def _refused(refund: Refund, reason: str) -> None:
    gift = Gift.objects.select_for_update(of=("self",)).get(pk=refund.gift_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.REQUESTED:
        mark_refund_failed(gift, refund, reason, now=timezone.now())
