"""Stripe adapter: Checkout Sessions for the hosted payment page, webhook events verified by the
stripe library's own signature check, refunds, disputes, and Connect destination charges when the
collectivité pays its beneficiaries through Stripe. Idempotency keys derive from the gift or the
refund.

A notification is turned into an event without asking Stripe anything (the confirmation must not
wait on the network). What a Checkout Session does not say — which card paid, Stripe's fee, the
Connect transfer — is read afterwards, by a task, from the PaymentIntent with its latest charge,
that charge's balance transaction and its transfer expanded
(https://docs.stripe.com/api/payment_intents/retrieve, /api/expanding_objects)."""

import time

import stripe
from django.conf import settings

from . import base

# Stripe's events → our normalised types.
SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": base.SUCCEEDED,
    "checkout.session.async_payment_failed": base.FAILED,
    "checkout.session.expired": base.EXPIRED,
}
# A Checkout Session lasts between 30 minutes and 24 hours (https://docs.stripe.com/api/checkout/sessions/create).
SESSION_MIN_SECONDS = 30 * 60
# Disputes that only ask questions ("inquiries") withdraw nothing.
INQUIRY_STATUSES = ("warning_needs_response", "warning_under_review", "warning_closed")


class StripeProvider:
    name = "stripe"

    def __init__(self, account, http_client=None):
        self.account = account
        self.http_client = http_client

    def client(self) -> stripe.StripeClient:
        if not self.account.stripe_secret_key:
            raise base.ProviderError("Stripe is selected but no secret key is configured")
        return stripe.StripeClient(self.account.stripe_secret_key, http_client=self.http_client, max_network_retries=2)

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as exc:
            raise base.ProviderError(str(exc)) from exc

    # What Solidaire asks ------------------------------------------------------------------------

    def create_checkout(self, gift, *, success_url: str, cancel_url: str, notify_url: str) -> base.Checkout:
        establishment = gift.registration.establishment
        # The page closes when the donor’s reservation does (Stripe's minimum is 30 minutes): its
        # "expired" notification then releases the match at once.
        lifetime = max(settings.SOLIDAIRE_RESERVATION_MINUTES * 60, SESSION_MIN_SECONDS)
        params = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": gift.currency.lower(),
                        "unit_amount": gift.amount_cents,
                        "product_data": {"name": f"{establishment.trade_name} — {gift.campaign.title}"[:250]},
                    },
                }
            ],
            "customer_email": gift.email,
            "client_reference_id": str(gift.pk),
            "metadata": {"gift_id": str(gift.pk)},
            "payment_intent_data": {"metadata": {"gift_id": str(gift.pk)}},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(time.time()) + lifetime,
            "locale": gift.language if gift.language in ("fr", "en", "de") else "auto",
        }
        if self.account.stripe_connect and establishment.stripe_account_id:
            params["payment_intent_data"]["transfer_data"] = {"destination": establishment.stripe_account_id}
        session = self._call(
            self.client().v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": f"gift-{gift.pk}-checkout"},
        )
        return base.Checkout(id=session.id, url=session.url)

    def expire_checkout(self, gift) -> None:
        """https://docs.stripe.com/api/checkout/sessions/expire: Stripe then sends
        checkout.session.expired."""
        if gift.checkout_id:
            self._call(self.client().v1.checkout.sessions.expire, gift.checkout_id)

    def refund(self, gift, amount_cents: int, *, key: str) -> str:
        """With Connect, the establishment gives back its share (`reverse_transfer`) and the
        platform its application fee, in proportion, as Stripe does."""
        params = {"payment_intent": gift.payment_id, "amount": amount_cents, "metadata": {"gift_id": str(gift.pk)}}
        if gift.transferred_cents:
            params.update(reverse_transfer=True, refund_application_fee=True)
        refund = self._call(self.client().v1.refunds.create, params=params, options={"idempotency_key": key})
        return refund.id

    def submit_dispute_evidence(self, gift, dispute_id: str, evidence: dict) -> None:
        """Stages the evidence on the dispute (https://docs.stripe.com/api/disputes/update); the
        finance team submits it from Stripe's dashboard, with anything it wants to add."""
        fields = {key: value for key, value in evidence.items() if value}
        self._call(self.client().v1.disputes.update, dispute_id, params={"evidence": fields, "submit": False})

    # Payout transfers (https://docs.stripe.com/api/transfers/create) -----------------------------

    def can_transfer(self) -> bool:
        return bool(self.account.stripe_connect)

    def transfer_destination(self, establishment) -> str:
        return establishment.stripe_account_id or ""

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
        """A separate transfer from the platform’s balance to the connected account; the same
        `key` makes the same transfer (Stripe's idempotency). Stripe then sends transfer.created
        (and transfer.reversed if the money comes back)."""
        transfer = self._call(
            self.client().v1.transfers.create,
            params={
                "amount": amount_cents,
                "currency": currency.lower(),
                "destination": destination,
                "transfer_group": group,
                "description": reference,
                "metadata": {"payout_line": reference},
            },
            options={"idempotency_key": key},
        )
        return transfer.id

    def fetch_payment(self, gift) -> list[base.PaymentEvent]:
        """The session's state, and for a paid one its refunds and disputes, as events whose ids
        derive from the state (asking twice gives the same events)."""
        session = self._call(self.client().v1.checkout.sessions.retrieve, gift.checkout_id).to_dict()
        kind = self._session_state(session)
        if kind is None:
            return []
        events = [self._from_session(f"reconcile:{session['id']}:{kind}", kind, session)]
        if kind != base.SUCCEEDED or not session.get("payment_intent"):
            return events
        intent = self._intent(str(session["payment_intent"]))
        charge = intent.get("latest_charge")
        if isinstance(charge, dict) and charge.get("amount_refunded"):
            refunded = charge["amount_refunded"]
            events.append(self._from_charge(f"reconcile:{charge['id']}:refunded:{refunded}", charge))
        disputes = self._call(self.client().v1.disputes.list, params={"payment_intent": intent["id"]}).to_dict()
        for dispute in disputes.get("data", []):
            events.append(self._from_dispute(f"reconcile:{dispute['id']}:opened", base.DISPUTE_OPENED, dispute))
            closed = self._dispute_outcome(dispute)
            if closed:
                events.append(self._from_dispute(f"reconcile:{dispute['id']}:{dispute['status']}", closed, dispute))
        return events

    def fetch_details(self, gift) -> base.PaymentEvent | None:
        """The card’s fingerprint, Stripe's fee (the charge's balance transaction) and, with
        Connect, the transfer to the establishment and the application fee kept."""
        if not gift.payment_id:
            return None
        intent = self._intent(gift.payment_id)
        charge = intent.get("latest_charge")
        if not isinstance(charge, dict):
            return None
        transaction = charge.get("balance_transaction")
        fee = transaction.get("fee") if isinstance(transaction, dict) else None
        transfer = charge.get("transfer")
        if isinstance(transfer, dict):
            moved = transfer.get("amount")
        elif charge.get("transfer_data"):
            moved = charge.get("amount", 0) - (charge.get("application_fee_amount") or 0)
        else:
            moved = 0
        return base.PaymentEvent(
            event_id=f"details:{intent['id']}",
            type=base.DETAILS,
            payment_id=str(intent["id"]),
            gift_id=str(gift.pk),
            amount_cents=intent.get("amount"),
            currency=str(intent.get("currency") or "").upper(),
            fee_cents=fee,
            card_fingerprint=_fingerprint(charge),
            transfer_cents=moved,
            application_fee_cents=charge.get("application_fee_amount"),
        )

    def _intent(self, intent_id: str) -> dict:
        return self._call(
            self.client().v1.payment_intents.retrieve,
            intent_id,
            params={"expand": ["latest_charge.balance_transaction", "latest_charge.transfer"]},
        ).to_dict()

    # Incoming ----------------------------------------------------------------------------------

    def parse_notification(self, body: bytes, headers) -> base.PaymentEvent:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature"), self.account.stripe_webhook_secret
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise base.InvalidNotification(str(exc)) from exc
        obj = event.data.object.to_dict()  # plain dicts all the way down
        if event.type == "checkout.session.completed":
            kind = base.SUCCEEDED if obj.get("payment_status") in ("paid", "no_payment_required") else base.PENDING
            return self._from_session(event.id, kind, obj)
        if event.type in SESSION_EVENTS:
            return self._from_session(event.id, SESSION_EVENTS[event.type], obj)
        if event.type == "charge.refunded":
            return self._from_charge(event.id, obj)
        if event.type == "refund.failed":
            return base.PaymentEvent(
                event_id=event.id,
                type=base.REFUND_FAILED,
                payment_id=str(obj.get("payment_intent") or ""),
                refund_id=str(obj.get("id") or ""),
                currency=str(obj.get("currency") or "").upper(),
                gift_id=str((obj.get("metadata") or {}).get("gift_id", "")),
            )
        if event.type == "transfer.created":
            return self._from_transfer(event.id, base.TRANSFER_PAID, obj)
        if event.type == "transfer.reversed" and obj.get("reversed"):  # the whole of it came back
            return self._from_transfer(event.id, base.TRANSFER_FAILED, obj)
        if event.type == "charge.dispute.created":
            return self._from_dispute(event.id, base.DISPUTE_OPENED, obj)
        if event.type == "charge.dispute.closed":
            outcome = self._dispute_outcome(obj)
            if outcome:
                return self._from_dispute(event.id, outcome, obj)
        return base.PaymentEvent(event_id=event.id, type="ignored:" + event.type)

    @staticmethod
    def _session_state(session) -> str | None:
        if session.get("status") == "expired":
            return base.EXPIRED
        if session.get("status") == "complete":
            return base.SUCCEEDED if session.get("payment_status") == "paid" else base.PENDING
        return None

    @staticmethod
    def _from_session(event_id, kind, session) -> base.PaymentEvent:
        return base.PaymentEvent(
            event_id=event_id,
            type=kind,
            checkout_id=str(session.get("id")),
            payment_id=str(session.get("payment_intent") or ""),
            gift_id=str(session.get("client_reference_id") or (session.get("metadata") or {}).get("gift_id", "")),
            amount_cents=session.get("amount_total"),
            currency=str(session.get("currency") or "").upper(),
        )

    @staticmethod
    def _from_charge(event_id, charge) -> base.PaymentEvent:
        """A charge's refunds: `amount_refunded` is everything refunded so far."""
        return base.PaymentEvent(
            event_id=event_id,
            type=base.REFUNDED,
            payment_id=str(charge.get("payment_intent") or ""),
            amount_cents=charge.get("amount"),
            currency=str(charge.get("currency") or "").upper(),
            refunded_cents=charge.get("amount_refunded"),
            card_fingerprint=_fingerprint(charge),
            gift_id=str((charge.get("metadata") or {}).get("gift_id", "")),
        )

    @staticmethod
    def _from_transfer(event_id, kind, transfer) -> base.PaymentEvent:
        return base.PaymentEvent(
            event_id=event_id,
            type=kind,
            transfer_id=str(transfer.get("id") or ""),
            transfer_cents=transfer.get("amount"),
            currency=str(transfer.get("currency") or "").upper(),
            destination=str(transfer.get("destination") or ""),
            reference=str((transfer.get("metadata") or {}).get("payout_line", "")),
        )

    @staticmethod
    def _dispute_outcome(dispute) -> str | None:
        status = dispute.get("status")
        if status in ("won", "warning_closed"):
            return base.DISPUTE_WON
        if status == "lost":
            return base.DISPUTE_LOST
        return None

    @staticmethod
    def _from_dispute(event_id, kind, dispute) -> base.PaymentEvent:
        """What the dispute withdrew (and its fee) are in its balance transactions: a withdrawal
        (negative amount, with the dispute fee) and, when won, a reinstatement (positive amount;
        a negative fee if the fee is given back). Without them yet, a dispute withdraws its
        amount, an inquiry nothing."""
        transactions = [t for t in dispute.get("balance_transactions") or [] if isinstance(t, dict)]
        withdrawals = [t for t in transactions if isinstance(t.get("amount"), int) and t["amount"] < 0]
        reinstated = [t for t in transactions if isinstance(t.get("amount"), int) and t["amount"] > 0]
        if withdrawals:
            disputed = -sum(t["amount"] for t in withdrawals)
        elif dispute.get("status") in INQUIRY_STATUSES:
            disputed = 0
        else:
            disputed = dispute.get("amount")
        if kind == base.DISPUTE_OPENED:
            fee = sum(t.get("fee") or 0 for t in withdrawals)
        elif kind == base.DISPUTE_WON:
            fee = -sum(t.get("fee") or 0 for t in reinstated if (t.get("fee") or 0) < 0)
        else:
            fee = 0
        return base.PaymentEvent(
            event_id=event_id,
            type=kind,
            payment_id=str(dispute.get("payment_intent") or ""),
            currency=str(dispute.get("currency") or "").upper(),
            dispute_id=str(dispute.get("id") or ""),
            disputed_cents=disputed,
            dispute_fee_cents=fee,
        )


def _fingerprint(charge) -> str:
    details = charge.get("payment_method_details") or {}
    return str((details.get("card") or {}).get("fingerprint") or "")
