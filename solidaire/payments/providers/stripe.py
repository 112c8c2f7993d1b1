"""Stripe adapter: Checkout Sessions for the hosted payment page, webhook events verified by the
stripe library's own signature check, refunds, and Connect destination charges when the
collectivité pays its beneficiaries through Stripe. Idempotency keys derive from the gift.

A Checkout Session says neither which card paid nor what Stripe kept: for a successful payment
the adapter reads the PaymentIntent with its latest charge and that charge's balance transaction
expanded (https://docs.stripe.com/api/payment_intents/retrieve, /api/expanding_objects), for the
card's fingerprint (per-donor limits) and the fee (the ledger's fee entry)."""

import dataclasses
import logging

import stripe

from . import base

# Stripe's events → our normalised types.
SESSION_EVENTS = {
    "checkout.session.async_payment_succeeded": base.SUCCEEDED,
    "checkout.session.async_payment_failed": base.FAILED,
    "checkout.session.expired": base.EXPIRED,
}


logger = logging.getLogger(__name__)


class StripeProvider:
    name = "stripe"

    def __init__(self, account, http_client=None):
        self.account = account
        self.http_client = http_client

    def client(self) -> stripe.StripeClient:
        if not self.account.stripe_secret_key:
            raise base.ProviderError("Stripe is selected but no secret key is configured")
        return stripe.StripeClient(self.account.stripe_secret_key, http_client=self.http_client, max_network_retries=2)

    def create_checkout(self, gift, *, success_url: str, cancel_url: str, notify_url: str) -> base.Checkout:
        establishment = gift.registration.establishment
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
            "locale": gift.language if gift.language in ("fr", "en", "de") else "auto",
        }
        if self.account.stripe_connect and establishment.stripe_account_id:
            params["payment_intent_data"]["transfer_data"] = {"destination": establishment.stripe_account_id}
        try:
            session = self.client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"gift-{gift.pk}-checkout"}
            )
        except stripe.StripeError as exc:
            raise base.ProviderError(str(exc)) from exc
        return base.Checkout(id=session.id, url=session.url)

    def refund(self, gift, amount_cents: int) -> str:
        try:
            refund = self.client().v1.refunds.create(
                params={
                    "payment_intent": gift.payment_id,
                    "amount": amount_cents,
                    "metadata": {"gift_id": str(gift.pk)},
                },
                options={"idempotency_key": f"gift-{gift.pk}-refund-{amount_cents}"},
            )
        except stripe.StripeError as exc:
            raise base.ProviderError(str(exc)) from exc
        return refund.id

    def fetch_payment(self, gift) -> base.PaymentEvent | None:
        try:
            session = self.client().v1.checkout.sessions.retrieve(gift.checkout_id)
        except stripe.StripeError as exc:
            raise base.ProviderError(str(exc)) from exc
        session = session.to_dict()
        kind = self._session_state(session)
        if kind is None:
            return None
        return self._with_charge(self._from_session(f"reconcile:{session['id']}:{kind}", kind, session))

    def _with_charge(self, event: base.PaymentEvent) -> base.PaymentEvent:
        """A successful payment with its card's fingerprint and Stripe's fee. Best effort: when
        Stripe cannot be asked, the payment is still applied, without them (logged)."""
        if event.type != base.SUCCEEDED or not event.payment_id:
            return event
        try:
            intent = self.client().v1.payment_intents.retrieve(
                event.payment_id, params={"expand": ["latest_charge.balance_transaction"]}
            )
        except (stripe.StripeError, base.ProviderError) as exc:
            logger.warning("Stripe: no charge details for %s: %s", event.payment_id, exc)
            return event
        charge = intent.to_dict().get("latest_charge")
        if not isinstance(charge, dict):
            return event
        transaction = charge.get("balance_transaction")
        fee = transaction.get("fee") if isinstance(transaction, dict) else None
        return dataclasses.replace(
            event,
            card_fingerprint=_fingerprint(charge),
            fee_cents=fee if isinstance(fee, int) and fee >= 0 else 0,
        )

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
            return self._with_charge(self._from_session(event.id, kind, obj))
        if event.type in SESSION_EVENTS:
            return self._with_charge(self._from_session(event.id, SESSION_EVENTS[event.type], obj))
        if event.type == "charge.refunded":
            return base.PaymentEvent(
                event_id=event.id,
                type=base.REFUNDED,
                payment_id=str(obj.get("payment_intent") or ""),
                amount_cents=obj.get("amount_refunded"),
                currency=str(obj.get("currency") or "").upper(),
                card_fingerprint=_fingerprint(obj),
                gift_id=str((obj.get("metadata") or {}).get("gift_id", "")),
            )
        if event.type == "charge.dispute.created":
            return base.PaymentEvent(
                event_id=event.id,
                type=base.DISPUTED,
                payment_id=str(obj.get("payment_intent") or ""),
                amount_cents=obj.get("amount"),
                currency=str(obj.get("currency") or "").upper(),
            )
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


def _fingerprint(charge) -> str:
    details = charge.get("payment_method_details") or {}
    return str((details.get("card") or {}).get("fingerprint") or "")
