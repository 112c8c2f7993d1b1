"""The built-in sandbox provider: a hosted page inside Solidaire with test outcomes, and signed
notifications sent over HTTP by background tasks, with retries — and, on demand, duplicates,
delays and reordering, as real providers do."""

import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signature
from ..models import SandboxCheckout, SandboxEvent
from . import base

# Outcomes offered on the hosted page, and the events each one sends, in order.
OUTCOMES = {
    "success": [base.SUCCEEDED],
    "decline": [base.FAILED],
    "pending_success": [base.PENDING, base.SUCCEEDED],
    "pending_failure": [base.PENDING, base.FAILED],
}
CHECKOUT_MINUTES = 30


def fee_for(amount_cents: int) -> int:
    """A card fee like the usual European ones: 1.4 % + 0.25 €."""
    return min(amount_cents, (amount_cents * 14 + 500) // 1000 + 25)


def fingerprint_for(card_label: str) -> str:
    """The sandbox's stand-in for a card fingerprint: the same test card, the same fingerprint."""
    import hashlib

    return "fp_" + hashlib.sha256(f"sandbox-card:{card_label.strip().lower()}".encode()).hexdigest()[:24]


class SandboxProvider:
    name = "sandbox"

    def __init__(self, account):
        self.account = account

    # Outgoing ---------------------------------------------------------------------------------

    def create_checkout(self, gift, *, success_url: str, cancel_url: str, notify_url: str) -> base.Checkout:
        checkout = SandboxCheckout.objects.create(
            id="cs_test_" + secrets.token_urlsafe(18),
            collectivite=self.account.collectivite,
            amount_cents=gift.amount_cents,
            currency=gift.currency,
            description=f"{gift.registration.establishment.trade_name} — {gift.campaign.title}"[:200],
            customer_email=gift.email,
            success_url=success_url,
            cancel_url=cancel_url,
            notify_url=notify_url,
            expires_at=timezone.now() + timedelta(minutes=CHECKOUT_MINUTES),
        )
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(notify_url))
        return base.Checkout(id=checkout.id, url=origin + reverse("payments:sandbox_checkout", args=[checkout.id]))

    def refund(self, gift, amount_cents: int) -> str:
        checkout = (
            SandboxCheckout.objects.select_for_update()
            .filter(pk=gift.checkout_id, collectivite=self.account.collectivite)
            .first()
        )
        if (
            checkout is None
            or checkout.status != "paid"
            or checkout.refunded_cents + amount_cents > checkout.amount_cents
        ):
            raise base.ProviderError(_("There is nothing left to refund on this payment."))
        checkout.refunded_cents += amount_cents
        checkout.save(update_fields=["refunded_cents"])
        event = self._event(checkout, base.REFUNDED, amount_cents=amount_cents)
        schedule([event], self.account)
        return "re_" + event.id[4:]

    def fetch_payment(self, gift) -> base.PaymentEvent | None:
        checkout = SandboxCheckout.objects.filter(pk=gift.checkout_id).first()
        if checkout is None:
            return None
        if checkout.status == "open" and checkout.expires_at <= timezone.now():
            checkout.status = "expired"
            checkout.save(update_fields=["status"])
        kind = {"paid": base.SUCCEEDED, "failed": base.FAILED, "expired": base.EXPIRED, "processing": base.PENDING}.get(
            checkout.status
        )
        if kind is None:
            return None
        return base.PaymentEvent(
            event_id=f"reconcile:{checkout.id}:{checkout.status}",
            type=kind,
            checkout_id=checkout.id,
            payment_id=checkout.payment_id,
            amount_cents=checkout.amount_cents,
            currency=checkout.currency,
            fee_cents=fee_for(checkout.amount_cents) if kind == base.SUCCEEDED else 0,
            card_fingerprint=checkout.card_fingerprint,
        )

    # The hosted page ------------------------------------------------------------------------------

    def pay(self, checkout: SandboxCheckout, outcome: str, card_label: str = "") -> list[SandboxEvent]:
        """What the hosted page's buttons (or a scripted POST) do. Returns the events scheduled."""
        if outcome not in OUTCOMES:
            raise base.ProviderError(_("Choose one of the outcomes offered."))
        if checkout.status != "open" or checkout.expires_at <= timezone.now():
            raise base.ProviderError(_("This payment page is closed."))
        checkout.payment_id = "pay_" + secrets.token_urlsafe(12)
        checkout.card_fingerprint = fingerprint_for(card_label or "4242")
        final = OUTCOMES[outcome][-1]
        checkout.status = (
            "processing" if outcome.startswith("pending") else ("paid" if final == base.SUCCEEDED else "failed")
        )
        checkout.save()
        events = [self._event(checkout, kind) for kind in OUTCOMES[outcome]]
        schedule(events, self.account)  # a "processing" checkout settles when its last event goes out
        return events

    def dispute(self, checkout: SandboxCheckout) -> SandboxEvent:
        if checkout.status != "paid" or checkout.refunded_cents:
            raise base.ProviderError(_("Only a paid payment that was not refunded can be disputed."))
        event = self._event(checkout, base.DISPUTED, amount_cents=checkout.amount_cents)
        schedule([event], self.account)
        return event

    def _event(self, checkout, kind, amount_cents=None) -> SandboxEvent:
        event_id = "evt_" + secrets.token_urlsafe(16)
        data = {
            "checkout_id": checkout.id,
            "payment_id": checkout.payment_id,
            "amount_cents": checkout.amount_cents if amount_cents is None else amount_cents,
            "currency": checkout.currency,
            "fee_cents": fee_for(checkout.amount_cents) if kind == base.SUCCEEDED else 0,
            "card_fingerprint": checkout.card_fingerprint,
        }
        body = json.dumps(
            {"id": event_id, "type": kind, "created": int(time.time()), "data": data}, separators=(",", ":")
        )
        return SandboxEvent.objects.create(id=event_id, checkout=checkout, type=kind, body=body)

    # Incoming ----------------------------------------------------------------------------------

    def parse_notification(self, body: bytes, headers) -> base.PaymentEvent:
        if not signature.verify(body, headers.get(signature.HEADER), self.account.sandbox_secret):
            raise base.InvalidNotification("bad or stale signature")
        try:
            payload = json.loads(body)
            data = payload["data"]
            kind = payload["type"]
            event_id = str(payload["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise base.InvalidNotification("unreadable body") from exc
        if kind not in base.EVENT_TYPES:
            raise base.InvalidNotification(f"unknown event type {kind!r}")
        return base.PaymentEvent(
            event_id=event_id,
            type=kind,
            checkout_id=str(data.get("checkout_id", "")),
            payment_id=str(data.get("payment_id", "")),
            amount_cents=data.get("amount_cents"),
            currency=str(data.get("currency", "")),
            fee_cents=int(data.get("fee_cents") or 0),
            card_fingerprint=str(data.get("card_fingerprint", "")),
        )


def schedule(events, account) -> None:
    """Queues the delivery of events after commit, with the account's test behaviours:
    duplicates (each event twice), reordering (last first) and delays (a few seconds)."""
    from ..tasks import deliver_sandbox_event

    order = list(reversed(events)) if account.sandbox_reorder else list(events)
    plan = []
    for position, event in enumerate(order):
        countdown = position * 2 + (3 if account.sandbox_delay else 0)
        plan.append((event.id, countdown))
        if account.sandbox_duplicate:
            plan.append((event.id, countdown + 1))

    def send():
        for event_id, countdown in plan:
            deliver_sandbox_event.apply_async((event_id,), countdown=countdown)

    transaction.on_commit(send)
