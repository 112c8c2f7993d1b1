"""What the payment tests share: sandbox notifications as the provider writes them, signed (or
forged) and posted to a collectivité’s notification endpoint, and a transport that records what
the sandbox sends before delivering it."""

import json
import secrets
import time

from django.test import Client

from solidaire.ledger.models import Entry
from solidaire.payments import signature
from solidaire.payments.models import PaymentAccount

from ..gifts import client_transport

SANDBOX_ENDPOINT = "/paiements/notifications/sandbox/"
STRIPE_ENDPOINT = "/paiements/notifications/stripe/"


def secret_of(tenant) -> str:
    return PaymentAccount.objects.get_or_create(collectivite=tenant)[0].sandbox_secret


def sandbox_body(gift, kind: str = "payment.succeeded", *, event_id: str | None = None, **data) -> bytes:
    """A notification as the sandbox writes it about `gift`'s checkout; `data` overrides fields."""
    fields = {
        "checkout_id": gift.checkout_id,
        "payment_id": gift.payment_id or "pay_test",
        "amount_cents": gift.amount_cents,
        "currency": gift.currency,
        "card_fingerprint": "fp_test_card",
    }
    if kind == "payment.succeeded":
        fields["fee_cents"] = 32
    if kind == "payment.refunded":  # everything refunded so far: all of it, unless told
        fields["refunded_cents"] = gift.amount_cents
    if kind.startswith("dispute."):
        fields.update(dispute_id="dp_test", disputed_cents=gift.amount_cents, dispute_fee_cents=0)
    fields.update(data)
    payload = {
        "id": event_id or "evt_" + secrets.token_urlsafe(12),
        "type": kind,
        "created": int(time.time()),
        "data": fields,
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def post_notification(host: str, body: bytes, *, secret: str | None = None, header: str | None = None, timestamp=None):
    """Posts `body` to the sandbox endpoint of `host`, signed with `secret` (or with `header`)."""
    if header is None:
        header = signature.sign(body, secret, timestamp)
    return Client(HTTP_HOST=host).post(
        SANDBOX_ENDPOINT, data=body, content_type="application/json", HTTP_SOLIDAIRE_SIGNATURE=header
    )


def notify(side, body: bytes, **kwargs):
    """Posts `body` to `side`'s endpoint, signed with `side`'s own sandbox secret."""
    kwargs.setdefault("secret", secret_of(side.tenant))
    return post_notification(side.host, body, **kwargs)


def entry_kinds(gift) -> list[str]:
    return list(Entry.objects.filter(gift=gift).order_by("pk").values_list("kind", flat=True))


# A transport that records every delivery (event type and id, in order) and then delivers it.
deliveries: list[dict] = []


def recording_transport(url: str, body: bytes, headers: dict) -> int:
    payload = json.loads(body)
    status = client_transport(url, body, headers)
    deliveries.append({"id": payload["id"], "type": payload["type"], "status": status, "url": url})
    return status


def lost_transport(url: str, body: bytes, headers: dict) -> int:
    """A network where the sandbox's notifications never arrive."""
    raise ConnectionRefusedError("nobody listens")
