"""The built-in sandbox provider: a hosted page inside Solidaire with test outcomes, and signed
notifications sent over HTTP by background tasks, with retries — and, on demand, duplicates,
delays and reordering, as real providers do.

Like a real provider, the sandbox settles a payment’s state when the payer acts (the hosted page
locks its checkout, so a page submitted twice pays once), and its notifications only report
that state afterwards: they wait in an outbox (`SandboxEvent`) until acknowledged. Refunds are
made once per idempotency key; disputes are opened and decided from the hosted page, as the card
holder’s bank would."""

import hashlib
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
from ..models import SandboxCheckout, SandboxEvent, SandboxRefund, SandboxTransfer
from . import base

# Outcomes offered on the hosted page: the state the payment settles in, and the events it sends.
OUTCOMES = {
    "success": ("paid", [base.SUCCEEDED]),
    "decline": ("failed", [base.FAILED]),
    "pending_success": ("paid", [base.PENDING, base.SUCCEEDED]),
    "pending_failure": ("failed", [base.PENDING, base.FAILED]),
}
CHECKOUT_MINUTES = 30
# A notification's first attempt is a task queued when it is made; the outbox's sweep only
# sends it if that attempt has not happened this long after (the worker or the broker died).
FIRST_ATTEMPT_GRACE = timedelta(seconds=30)
DISPUTE_FEE_CENTS = 2000  # what card networks charge the merchant for a dispute, in the euro area


def fee_for(amount_cents: int) -> int:
    """A card fee like the usual European ones: 1.4 % + 0.25 €."""
    return min(amount_cents, (amount_cents * 14 + 500) // 1000 + 25)


def fingerprint_for(card_label: str) -> str:
    """The sandbox's stand-in for a card fingerprint: the same test card, the same fingerprint."""
    label = "".join(card_label.split()).lower()
    return "fp_" + hashlib.sha256(f"sandbox-card:{label}".encode()).hexdigest()[:24]


class SandboxProvider:
    name = "sandbox"

    def __init__(self, account):
        self.account = account

    # What Solidaire asks ------------------------------------------------------------------------

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

    def expire_checkout(self, gift) -> None:
        if gift.checkout_id:
            try:
                self.abandon(gift.checkout_id)
            except base.ProviderError:
                pass  # paid, failed or expired already: nothing to close

    @transaction.atomic
    def refund(self, gift, amount_cents: int, *, key: str) -> str:
        checkout = self._locked(gift.checkout_id)
        done = SandboxRefund.objects.filter(checkout=checkout, key=key).first()
        if done is not None:  # the same request again: the same refund, nothing more
            return done.id
        left = checkout.amount_cents - checkout.refunded_cents - checkout.disputed_cents
        if checkout.status != "paid" or checkout.dispute_status == "open" or not 0 < amount_cents <= left:
            raise base.ProviderError(_("There is nothing left to refund on this payment."))
        refund = SandboxRefund.objects.create(
            id="re_" + secrets.token_urlsafe(12), checkout=checkout, key=key, amount_cents=amount_cents
        )
        checkout.refunded_cents += amount_cents
        checkout.save(update_fields=["refunded_cents"])
        self._send([self._event(checkout, base.REFUNDED, refund_id=refund.id)])
        return refund.id

    def fetch_payment(self, gift) -> list[base.PaymentEvent]:
        """The checkout's state as events, with ids derived from the state: asking twice about the
        same state gives the same events (the inbox applies each once)."""
        checkout = SandboxCheckout.objects.filter(pk=gift.checkout_id, collectivite=self.account.collectivite).first()
        if checkout is None:
            return []
        if checkout.status == "open" and checkout.expires_at <= timezone.now():
            self.abandon(checkout.pk)
            checkout.refresh_from_db()
        kind = {"paid": base.SUCCEEDED, "failed": base.FAILED, "expired": base.EXPIRED}.get(checkout.status)
        if kind is None:
            return []
        events = [self._payload_event(f"reconcile:{checkout.id}:{checkout.status}", self._data(checkout, kind), kind)]
        if checkout.refunded_cents:
            name = f"reconcile:{checkout.id}:refunded:{checkout.refunded_cents}"
            events.append(self._payload_event(name, self._data(checkout, base.REFUNDED), base.REFUNDED))
        if checkout.dispute_status:
            opened = f"reconcile:{checkout.dispute_id}:opened"
            events.append(self._payload_event(opened, self._data(checkout, base.DISPUTE_OPENED), base.DISPUTE_OPENED))
            if checkout.dispute_status != "open":
                kind = base.DISPUTE_WON if checkout.dispute_status == "won" else base.DISPUTE_LOST
                name = f"reconcile:{checkout.dispute_id}:{checkout.dispute_status}"
                events.append(self._payload_event(name, self._data(checkout, kind), kind))
        return events

    def fetch_details(self, gift) -> base.PaymentEvent | None:
        """The sandbox's notifications carry the fee and the card already; asked anyway, it says
        the same (it has no Connect)."""
        checkout = SandboxCheckout.objects.filter(pk=gift.checkout_id, collectivite=self.account.collectivite).first()
        if checkout is None or checkout.status != "paid":
            return None
        data = self._data(checkout, base.SUCCEEDED)
        return self._from_payload(f"details:{checkout.payment_id}", base.DETAILS, data)

    def submit_dispute_evidence(self, gift, dispute_id: str, evidence: dict) -> None:
        updated = SandboxCheckout.objects.filter(
            pk=gift.checkout_id, collectivite=self.account.collectivite, dispute_id=dispute_id
        ).update(dispute_evidence=evidence)
        if not updated:
            raise base.ProviderError("no such dispute")

    # The hosted page: what the payer (and the card holder’s bank) does ------------------------

    @transaction.atomic
    def pay(self, checkout_id: str, outcome: str, card_label: str = "") -> list[SandboxEvent]:
        """What the hosted page's buttons (or a scripted POST) do. The checkout is locked, so the
        same page submitted twice at once pays once; the second submission is told it is closed."""
        if outcome not in OUTCOMES:
            raise base.ProviderError(_("Choose one of the outcomes offered."))
        checkout = self._locked(checkout_id)
        if checkout.status != "open" or checkout.expires_at <= timezone.now():
            raise base.ProviderError(_("This payment page is closed."))
        settles, kinds = OUTCOMES[outcome]
        checkout.payment_id = "pay_" + secrets.token_urlsafe(12)
        checkout.card_fingerprint = fingerprint_for(card_label or "4242")
        checkout.status = settles
        checkout.save(update_fields=["payment_id", "card_fingerprint", "status"])
        events = [self._event(checkout, kind) for kind in kinds]
        self._send(events)
        return events

    @transaction.atomic
    def abandon(self, checkout_id: str) -> SandboxEvent:
        """The payer leaves the hosted page: the checkout expires at once and says so."""
        checkout = self._locked(checkout_id)
        if checkout.status != "open":
            raise base.ProviderError(_("This payment page is closed."))
        checkout.status = "expired"
        checkout.save(update_fields=["status"])
        event = self._event(checkout, base.EXPIRED)
        self._send([event])
        return event

    @transaction.atomic
    def open_dispute(self, checkout_id: str, amount_cents: int | None = None) -> SandboxEvent:
        """The card holder disputes the payment (all of what is left of it, or `amount_cents`):
        the funds and the dispute fee are withdrawn at once."""
        checkout = self._locked(checkout_id)
        left = checkout.amount_cents - checkout.refunded_cents
        amount = left if amount_cents is None else amount_cents
        if checkout.status != "paid" or checkout.dispute_status or not 0 < amount <= left:
            raise base.ProviderError(_("Only a paid payment, not disputed yet, can be disputed, up to what is left."))
        checkout.dispute_id = "dp_" + secrets.token_urlsafe(12)
        checkout.dispute_status = "open"
        checkout.disputed_cents = amount
        checkout.save(update_fields=["dispute_id", "dispute_status", "disputed_cents"])
        event = self._event(checkout, base.DISPUTE_OPENED)
        self._send([event])
        return event

    @transaction.atomic
    def close_dispute(self, checkout_id: str, *, won: bool) -> SandboxEvent:
        """The bank decides: for the merchant (the funds come back) or for the card holder."""
        checkout = self._locked(checkout_id)
        if checkout.dispute_status != "open":
            raise base.ProviderError(_("There is no open dispute on this payment."))
        checkout.dispute_status = "won" if won else "lost"
        checkout.save(update_fields=["dispute_status"])
        event = self._event(checkout, base.DISPUTE_WON if won else base.DISPUTE_LOST)
        self._send([event])
        return event

    # Payout transfers ----------------------------------------------------------------------------

    def can_transfer(self) -> bool:
        return True

    def transfer_destination(self, establishment) -> str:
        """Every establishment has an account at the sandbox (its Stripe id, if it gave one)."""
        return establishment.stripe_account_id or f"acct_sandbox_{establishment.pk}"

    @transaction.atomic
    def create_transfer(
        self,
        *,
        amount_cents: int,
        currency: str,
        destination: str,
        reference: str,
        group: str,
        key: str,
        notify_url: str,
    ) -> str:
        collectivite = self.account.collectivite
        done = SandboxTransfer.objects.filter(collectivite=collectivite, key=key).first()
        if done is not None:  # the same request again: the same transfer, nothing more
            return done.id
        if not (type(amount_cents) is int and amount_cents > 0) or not destination:
            raise base.ProviderError(_("The transfer has no amount or no destination."))
        transfer = SandboxTransfer.objects.create(
            id="tr_" + secrets.token_urlsafe(12),
            collectivite=collectivite,
            key=key,
            amount_cents=amount_cents,
            currency=currency,
            destination=destination,
            reference=reference,
            group=group,
            notify_url=notify_url,
        )
        self._send([self._transfer_event(transfer, base.TRANSFER_PAID)])
        return transfer.id

    @transaction.atomic
    def reverse_transfer(self, transfer_id: str) -> SandboxEvent:
        """The money of a transfer comes back (the beneficiary’s account was closed): what the
        sandbox does on demand, as a provider’s reversal."""
        transfer = (
            SandboxTransfer.objects.select_for_update()
            .filter(pk=transfer_id, collectivite=self.account.collectivite, status="paid")
            .first()
        )
        if transfer is None:
            raise base.ProviderError(_("There is no such transfer to reverse."))
        transfer.status = "reversed"
        transfer.save(update_fields=["status"])
        event = self._transfer_event(transfer, base.TRANSFER_FAILED)
        self._send([event])
        return event

    def _transfer_event(self, transfer, kind) -> SandboxEvent:
        event_id = "evt_" + secrets.token_urlsafe(16)
        data = {
            "transfer_id": transfer.id,
            "transfer_cents": transfer.amount_cents,
            "currency": transfer.currency,
            "destination": transfer.destination,
            "reference": transfer.reference,
        }
        body = json.dumps(
            {"id": event_id, "type": kind, "created": int(time.time()), "data": data}, separators=(",", ":")
        )
        return SandboxEvent.objects.create(
            id=event_id, transfer=transfer, type=kind, body=body, next_attempt_at=timezone.now() + FIRST_ATTEMPT_GRACE
        )

    # Notifications ----------------------------------------------------------------------------

    def _locked(self, checkout_id: str) -> SandboxCheckout:
        checkout = (
            SandboxCheckout.objects.select_for_update()
            .filter(pk=checkout_id, collectivite=self.account.collectivite)
            .first()
        )
        if checkout is None:
            raise base.ProviderError(_("There is no such payment."))
        return checkout

    @staticmethod
    def _data(checkout, kind, **extra) -> dict:
        data = {
            "checkout_id": checkout.id,
            "payment_id": checkout.payment_id,
            "amount_cents": checkout.amount_cents,
            "currency": checkout.currency,
            "card_fingerprint": checkout.card_fingerprint,
        }
        if kind == base.SUCCEEDED:
            data["fee_cents"] = fee_for(checkout.amount_cents)
        elif kind == base.REFUNDED:
            data["refunded_cents"] = checkout.refunded_cents
        elif kind in (base.DISPUTE_OPENED, base.DISPUTE_WON, base.DISPUTE_LOST):
            data["dispute_id"] = checkout.dispute_id
            data["disputed_cents"] = checkout.disputed_cents
            data["dispute_fee_cents"] = DISPUTE_FEE_CENTS if kind == base.DISPUTE_OPENED else 0
        data.update(extra)
        return data

    def _event(self, checkout, kind, **extra) -> SandboxEvent:
        event_id = "evt_" + secrets.token_urlsafe(16)
        payload = {
            "id": event_id,
            "type": kind,
            "created": int(time.time()),
            "data": self._data(checkout, kind, **extra),
        }
        body = json.dumps(payload, separators=(",", ":"))
        return SandboxEvent.objects.create(
            id=event_id, checkout=checkout, type=kind, body=body, next_attempt_at=timezone.now() + FIRST_ATTEMPT_GRACE
        )

    def _send(self, events) -> None:
        schedule(events, self.account)

    def _payload_event(self, event_id: str, data: dict, kind: str) -> base.PaymentEvent:
        return self._from_payload(event_id, kind, data)

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
        if kind not in base.EVENT_TYPES or not isinstance(data, dict):
            raise base.InvalidNotification(f"unknown event type {kind!r}")
        return self._from_payload(event_id, kind, data)

    @staticmethod
    def _from_payload(event_id: str, kind: str, data: dict) -> base.PaymentEvent:
        # Amounts and currency are passed on as written: the gift's write path refuses anything
        # but integers equal to its own (a string or a float is a forgery, not a rounding).
        return base.PaymentEvent(
            event_id=event_id,
            type=kind,
            checkout_id=str(data.get("checkout_id") or ""),
            payment_id=str(data.get("payment_id") or ""),
            amount_cents=data.get("amount_cents"),
            currency=data.get("currency"),
            fee_cents=data.get("fee_cents"),
            card_fingerprint=str(data.get("card_fingerprint") or ""),
            refunded_cents=data.get("refunded_cents"),
            refund_id=str(data.get("refund_id") or ""),
            dispute_id=str(data.get("dispute_id") or ""),
            disputed_cents=data.get("disputed_cents"),
            dispute_fee_cents=data.get("dispute_fee_cents"),
            transfer_id=str(data.get("transfer_id") or ""),
            transfer_cents=data.get("transfer_cents"),
            destination=str(data.get("destination") or ""),
            reference=str(data.get("reference") or ""),
        )


def schedule(events, account) -> None:
    """Sends the events once the transaction that made them commits, with the account's test
    behaviours: duplicates (each event twice), reordering (last first) and delays (a few seconds).
    Whatever happens to these first attempts, the outbox sends each event again until it is
    acknowledged (payments.tasks.send_due_sandbox_events)."""
    from ..tasks import deliver_sandbox_event

    order = list(reversed(events)) if account.sandbox_reorder else list(events)
    plan = []
    for position, event in enumerate(order):
        countdown = position * 2 + (3 if account.sandbox_delay else 0)
        plan.append(((event.id, False), countdown))
        if account.sandbox_duplicate:
            plan.append(((event.id, True), countdown + 1))

    def send():
        for args, countdown in plan:
            deliver_sandbox_event.apply_async(args, countdown=countdown)

    transaction.on_commit(send)
