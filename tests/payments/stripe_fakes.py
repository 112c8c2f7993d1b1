"""Stripe, offline: a fake HTTP client for the stripe library that answers as the API documents
(https://docs.stripe.com/api/checkout/sessions/object, /api/refunds/object), and webhook events
signed by the stripe library itself."""

import json
import time
from urllib.parse import parse_qsl, urlsplit

import stripe
from stripe._http_client import HTTPClient

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
SECRET_KEY = "sk_test_51Solidaire0123456789"


def checkout_session(**fields) -> dict:
    """A Checkout Session object as the API returns it (trimmed to what matters here)."""
    session = {
        "id": "cs_test_a1B2c3D4e5F6g7H8",
        "object": "checkout.session",
        "amount_subtotal": 500,
        "amount_total": 500,
        "cancel_url": "https://example.org/cancel",
        "client_reference_id": None,
        "created": 1_700_000_000,
        "currency": "eur",
        "customer": None,
        "customer_details": None,
        "customer_email": "dora@example.org",
        "expires_at": 1_700_086_400,
        "livemode": False,
        "locale": "fr",
        "metadata": {},
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "success_url": "https://example.org/success",
        "url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8#fidkdWxOYHwnPyd1blpxYHZxWjA0",
    }
    session.update(fields)
    return session


class FakeStripe(HTTPClient):
    """Records every request (method, path, form fields, headers) and answers like the API."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.requests = []
        self.sessions = {}
        self.fail_with = None  # (status, error dict) to answer the next request with
        self.charges = {}  # payment intent id → its latest charge (default: charge() with a 32-cent fee)
        self.disputes = []  # what GET /v1/disputes lists

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        form = dict(parse_qsl(post_data or parts.query or ""))
        self.requests.append({"method": method, "path": parts.path, "form": form, "headers": dict(headers or {})})
        if self.fail_with:
            status, error = self.fail_with
            self.fail_with = None
            return json.dumps({"error": error}), status, {"Request-Id": "req_err", "stripe-should-retry": "false"}
        body = self.answer(method, parts.path, form)
        return json.dumps(body), 200, {"Request-Id": f"req_{len(self.requests)}"}

    def answer(self, method, path, form):
        if method == "post" and path == "/v1/checkout/sessions":
            session_id = f"cs_test_{len(self.requests):04d}{form.get('client_reference_id', '')[:8]}"
            session = checkout_session(
                id=session_id,
                url=f"https://checkout.stripe.com/c/pay/{session_id}",
                amount_subtotal=int(form["line_items[0][price_data][unit_amount]"]),
                amount_total=int(form["line_items[0][price_data][unit_amount]"]),
                currency=form["line_items[0][price_data][currency]"],
                customer_email=form.get("customer_email"),
                client_reference_id=form.get("client_reference_id"),
                metadata={"gift_id": form.get("metadata[gift_id]")},
                success_url=form.get("success_url"),
                cancel_url=form.get("cancel_url"),
            )
            self.sessions[session_id] = session
            return session
        if method == "get" and path.startswith("/v1/checkout/sessions/"):
            return self.sessions[path.rsplit("/", 1)[1]]
        if method == "post" and path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            session = self.sessions[path.split("/")[-2]]
            session.update(status="expired")
            return session
        if method == "get" and path.startswith("/v1/payment_intents/"):
            intent_id = path.rsplit("/", 1)[1]
            latest = self.charges.get(intent_id) or charge(payment_intent=intent_id, amount_refunded=0, refunded=False)
            expanded = {value for key, value in form.items() if key.startswith("expand[")}
            if "latest_charge.balance_transaction" in expanded:
                latest = {**latest, "balance_transaction": balance_transaction(amount=latest["amount"])}
            if "latest_charge.transfer" in expanded and isinstance(latest.get("transfer"), str):
                moved = latest["amount"] - (latest.get("application_fee_amount") or 0)
                latest = {**latest, "transfer": transfer(id=latest["transfer"], amount=moved)}
            return payment_intent(id=intent_id, amount=latest["amount"], latest_charge=latest)
        if method == "post" and path == "/v1/refunds":
            return {
                "id": "re_3MtwBwLkdIwHu7ix28a3tqPa",
                "object": "refund",
                "amount": int(form["amount"]),
                "currency": "eur",
                "payment_intent": form["payment_intent"],
                "status": "succeeded",
                "metadata": {"gift_id": form.get("metadata[gift_id]")},
            }
        if method == "post" and path == "/v1/transfers":
            # https://docs.stripe.com/api/transfers/create: a separate transfer to a connected account.
            line = form.get("metadata[payout_line]", "")
            return transfer(
                id=f"tr_{line.replace('-', '')}"[:40],
                amount=int(form["amount"]),
                currency=form["currency"],
                destination=form["destination"],
                transfer_group=form.get("transfer_group"),
                description=form.get("description"),
                metadata={"payout_line": line},
            )
        if method == "get" and path == "/v1/disputes":
            found = [d for d in self.disputes if d.get("payment_intent") == form.get("payment_intent")]
            return {"object": "list", "data": found, "has_more": False, "url": "/v1/disputes"}
        if method == "post" and path.startswith("/v1/disputes/"):
            return dispute(id=path.rsplit("/", 1)[1])
        raise AssertionError(f"unexpected Stripe call {method} {path}")

    def close(self):
        pass


def event(kind: str, obj: dict, event_id: str = "evt_1NG8Du2eZvKYlo2CUI79vXWy") -> str:
    """A webhook event as Stripe posts it."""
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
    )


def signed(payload: str, secret: str = WEBHOOK_SECRET, timestamp=None) -> dict:
    """The request headers of a webhook signed by the stripe library."""
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)}


def charge(**fields) -> dict:
    obj = {
        "id": "ch_3MmlLrLkdIwHu7ix0snN0B15",
        "object": "charge",
        "amount": 500,
        "amount_captured": 500,
        "amount_refunded": 500,
        "currency": "eur",
        "metadata": {},
        "paid": True,
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "payment_method_details": {
            "card": {"brand": "visa", "fingerprint": "Xt5EWLLDS7FJjR1c", "last4": "4242"},
            "type": "card",
        },
        "refunded": True,
        "status": "succeeded",
    }
    obj.update(fields)
    return obj


def payment_intent(**fields) -> dict:
    """A PaymentIntent (https://docs.stripe.com/api/payment_intents/object), `latest_charge` expanded."""
    obj = {
        "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "object": "payment_intent",
        "amount": 500,
        "amount_received": 500,
        "currency": "eur",
        "latest_charge": "ch_3MmlLrLkdIwHu7ix0snN0B15",
        "livemode": False,
        "metadata": {},
        "status": "succeeded",
    }
    obj.update(fields)
    return obj


def balance_transaction(**fields) -> dict:
    """https://docs.stripe.com/api/balance_transactions/object: `fee` is what Stripe kept."""
    obj = {
        "id": "txn_3MmlLrLkdIwHu7ix0uke3Ezy",
        "object": "balance_transaction",
        "amount": 500,
        "currency": "eur",
        "fee": 32,
        "fee_details": [
            {"amount": 32, "currency": "eur", "description": "Stripe processing fees", "type": "stripe_fee"}
        ],
        "net": 468,
        "status": "pending",
        "type": "charge",
    }
    obj.update(fields)
    obj["net"] = obj["amount"] - obj["fee"]
    return obj


def dispute(**fields) -> dict:
    obj = {
        "id": "dp_1MtJUT2eZvKYlo2CNaw2HvEv",
        "object": "dispute",
        "amount": 500,
        "charge": "ch_3MmlLrLkdIwHu7ix0snN0B15",
        "currency": "eur",
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "reason": "fraudulent",
        "status": "needs_response",
    }
    obj.update(fields)
    return obj


def transfer(**fields) -> dict:
    """https://docs.stripe.com/api/transfers/object: a destination charge's transfer."""
    obj = {
        "id": "tr_1MiN3gLkdIwHu7ixNCZvFdgA",
        "object": "transfer",
        "amount": 500,
        "currency": "eur",
        "destination": "acct_1Nv0FGQ9RKHgCVdK",
        "reversed": False,
        "amount_reversed": 0,
    }
    obj.update(fields)
    return obj


def dispute_withdrawal(amount: int, fee: int = 1500) -> dict:
    """The balance transaction of a dispute's withdrawal (amount negative, with the dispute fee)."""
    return {
        "id": "txn_1MtJUT2eZvKYlo2CBHgsaR3n",
        "object": "balance_transaction",
        "amount": -amount,
        "currency": "eur",
        "fee": fee,
        "net": -amount - fee,
        "type": "adjustment",
        "reporting_category": "dispute",
    }


def completed_session(gift, **fields) -> dict:
    """The Checkout Session of `gift`, paid (as checkout.session.completed carries it)."""
    return checkout_session(
        **{
            "id": gift.checkout_id,
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "amount_subtotal": gift.amount_cents,
            "amount_total": gift.amount_cents,
            "client_reference_id": str(gift.pk),
            "metadata": {"gift_id": str(gift.pk)},
            **fields,
        }
    )


def signed_event(kind: str, obj: dict, event_id: str) -> tuple[str, dict]:
    """A webhook's body and its signed headers."""
    payload = event(kind, obj, event_id)
    return payload, signed(payload)
