"""The Stripe adapter (payments.providers.stripe.StripeProvider), tested offline against Stripe's
documented wire format: API requests go through a fake HTTP client of the stripe library, and
webhooks are signed by the stripe library itself."""

import time

import pytest
from django.core import mail
from django.test import Client

from solidaire.donations import actions
from solidaire.donations.models import Gift
from solidaire.matching.identity import card_key
from solidaire.matching.models import Pool
from solidaire.payments.models import Notification, PaymentAccount
from solidaire.payments.providers import base, provider_for
from solidaire.payments.providers.stripe import StripeProvider

from .helpers import STRIPE_ENDPOINT, entry_kinds
from .stripe_fakes import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    charge,
    checkout_session,
    dispute,
    dispute_withdrawal,
    event,
    signed,
)

pytestmark = pytest.mark.django_db

SUCCESS = "http://grand-est.localhost/dons/x/?t=y"
CANCEL = "http://grand-est.localhost/dons/x/?t=y&cancelled=1"


@pytest.fixture
def account(personas):
    account, _ = PaymentAccount.objects.get_or_create(collectivite=personas.a.tenant)
    account.provider = "stripe"
    account.stripe_secret_key = SECRET_KEY
    account.stripe_webhook_secret = WEBHOOK_SECRET
    account.save()
    return account


@pytest.fixture
def fake():
    return FakeStripe()


@pytest.fixture
def provider(account, fake):
    return StripeProvider(account, http_client=fake)


@pytest.fixture
def stripe_gift(account, cafe):
    gift, _token = actions.create_gift(registration=cafe, amount_cents=500, email="Dora@Example.org", language="en")
    return gift


def open_checkout(provider, gift):
    return provider.create_checkout(gift, success_url=SUCCESS, cancel_url=CANCEL, notify_url="unused")


# Checkout Sessions ------------------------------------------------------------------------------


def test_checkout_session_is_created_with_the_documented_form_fields(provider, fake, stripe_gift):
    open_checkout(provider, stripe_gift)
    (request,) = fake.requests
    assert (request["method"], request["path"]) == ("post", "/v1/checkout/sessions")
    gift_id = str(stripe_gift.pk)
    # The page closes with the donor’s reservation (30 minutes, Stripe's minimum): its "expired"
    # notification then releases the match.
    expires_at = int(request["form"].pop("expires_at"))
    assert 30 * 60 - 5 <= expires_at - time.time() <= 30 * 60 + 5
    assert request["form"] == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "500",
        "line_items[0][price_data][product_data][name]": "Café de la Gare — Café Solidaire",
        "customer_email": "dora@example.org",
        "client_reference_id": gift_id,
        "metadata[gift_id]": gift_id,
        "payment_intent_data[metadata][gift_id]": gift_id,
        "success_url": SUCCESS,
        "cancel_url": CANCEL,
        "locale": "en",
    }
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"


def test_checkout_idempotency_key_is_derived_from_the_gift(provider, fake, stripe_gift, cafe):
    open_checkout(provider, stripe_gift)
    open_checkout(provider, stripe_gift)
    other, _ = actions.create_gift(registration=cafe, amount_cents=500, email="eve@example.org")
    open_checkout(provider, other)
    keys = [r["headers"]["Idempotency-Key"] for r in fake.requests]
    assert keys == [f"gift-{stripe_gift.pk}-checkout", f"gift-{stripe_gift.pk}-checkout", f"gift-{other.pk}-checkout"]


def test_checkout_response_gives_the_session_id_and_its_hosted_page(provider, fake, stripe_gift):
    checkout = open_checkout(provider, stripe_gift)
    (session,) = fake.sessions.values()
    assert checkout == base.Checkout(id=session["id"], url=session["url"])
    assert checkout.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")


def test_connect_sends_the_gift_to_the_establishments_stripe_account(account, provider, fake, stripe_gift, cafe):
    account.stripe_connect = True
    account.save()
    cafe.establishment.stripe_account_id = "acct_1Nv0FGQ9RKHgCVdK"
    cafe.establishment.save()
    open_checkout(provider, Gift.objects.get(pk=stripe_gift.pk))
    assert fake.requests[0]["form"]["payment_intent_data[transfer_data][destination]"] == "acct_1Nv0FGQ9RKHgCVdK"


@pytest.mark.parametrize(("connect", "account_id"), [(True, ""), (False, "acct_1Nv0FGQ9RKHgCVdK")])
def test_no_destination_without_connect_or_without_an_establishment_account(
    account, provider, fake, stripe_gift, cafe, connect, account_id
):
    account.stripe_connect = connect
    account.save()
    cafe.establishment.stripe_account_id = account_id
    cafe.establishment.save()
    open_checkout(provider, Gift.objects.get(pk=stripe_gift.pk))
    assert not any("transfer_data" in field for field in fake.requests[0]["form"])


def test_unknown_language_lets_stripe_choose(provider, fake, cafe, account):
    gift, _ = actions.create_gift(registration=cafe, amount_cents=500, email="x@example.org", language="it")
    open_checkout(provider, gift)
    assert fake.requests[0]["form"]["locale"] == "auto"


def test_stripe_refusing_the_checkout_is_a_provider_error(provider, fake, stripe_gift):
    fake.fail_with = (400, {"type": "invalid_request_error", "message": "No such destination: 'acct_x'"})
    with pytest.raises(base.ProviderError, match="No such destination"):
        open_checkout(provider, stripe_gift)


def test_missing_secret_key_is_a_provider_error(account, fake, stripe_gift):
    account.stripe_secret_key = ""
    with pytest.raises(base.ProviderError):
        open_checkout(StripeProvider(account, http_client=fake), stripe_gift)
    assert fake.requests == []


# Refunds and reconciliation -------------------------------------------------------------------------


def test_refund_asks_for_the_amount_of_the_payment_intent_with_the_refunds_key(provider, fake, stripe_gift):
    stripe_gift.payment_id = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    refund_id = provider.refund(stripe_gift, 200, key="refund-7f3c")
    assert refund_id == "re_3MtwBwLkdIwHu7ix28a3tqPa"
    (request,) = fake.requests
    assert (request["method"], request["path"]) == ("post", "/v1/refunds")
    assert request["form"] == {
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "amount": "200",
        "metadata[gift_id]": str(stripe_gift.pk),
    }
    assert request["headers"]["Idempotency-Key"] == "refund-7f3c"


def test_refund_refused_by_stripe_is_a_provider_error(provider, fake, stripe_gift):
    fake.fail_with = (400, {"type": "invalid_request_error", "code": "charge_already_refunded", "message": "already"})
    with pytest.raises(base.ProviderError):
        provider.refund(stripe_gift, 500, key="refund-1")


def test_abandoning_expires_the_checkout_session(provider, fake, stripe_gift):
    """https://docs.stripe.com/api/checkout/sessions/expire: Stripe then sends checkout.session.expired."""
    stripe_gift.checkout_id = open_checkout(provider, stripe_gift).id
    provider.expire_checkout(stripe_gift)
    assert (fake.requests[-1]["method"], fake.requests[-1]["path"]) == (
        "post",
        f"/v1/checkout/sessions/{stripe_gift.checkout_id}/expire",
    )


@pytest.mark.parametrize(
    ("status", "payment_status", "expected"),
    [
        ("complete", "paid", base.SUCCEEDED),
        ("complete", "unpaid", base.PENDING),
        ("expired", "unpaid", base.EXPIRED),
        ("open", "unpaid", None),
    ],
)
def test_fetch_payment_reads_the_checkout_session(provider, fake, stripe_gift, status, payment_status, expected):
    checkout = open_checkout(provider, stripe_gift)
    stripe_gift.checkout_id = checkout.id
    fake.sessions[checkout.id].update(
        status=status, payment_status=payment_status, payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa"
    )
    found = provider.fetch_payment(stripe_gift)
    assert (fake.requests[1]["method"], fake.requests[1]["path"]) == ("get", f"/v1/checkout/sessions/{checkout.id}")
    if expected is None:
        assert found == []
        return
    assert found[0] == base.PaymentEvent(
        event_id=f"reconcile:{checkout.id}:{expected}",
        type=expected,
        checkout_id=checkout.id,
        payment_id="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        gift_id=str(stripe_gift.pk),
        amount_cents=500,
        currency="EUR",
    )
    # A paid session: its refunds (none) and disputes (none) are asked too.
    assert len(found) == 1
    assert len(fake.requests) == (4 if expected == base.SUCCEEDED else 2)


def test_fetch_payment_tells_the_refunds_and_disputes_of_a_paid_session(provider, fake, stripe_gift):
    checkout = open_checkout(provider, stripe_gift)
    stripe_gift.checkout_id = checkout.id
    fake.sessions[checkout.id].update(status="complete", payment_status="paid", payment_intent="pi_refunded")
    fake.charges["pi_refunded"] = charge(payment_intent="pi_refunded", amount_refunded=200)
    fake.disputes.append(
        dispute(
            id="dp_lost",
            payment_intent="pi_refunded",
            amount=300,
            status="lost",
            balance_transactions=[dispute_withdrawal(300)],
        )
    )
    found = provider.fetch_payment(stripe_gift)
    assert [(e.type, e.event_id) for e in found] == [
        (base.SUCCEEDED, f"reconcile:{checkout.id}:{base.SUCCEEDED}"),
        (base.REFUNDED, "reconcile:ch_3MmlLrLkdIwHu7ix0snN0B15:refunded:200"),
        (base.DISPUTE_OPENED, "reconcile:dp_lost:opened"),
        (base.DISPUTE_LOST, "reconcile:dp_lost:lost"),
    ]
    assert (found[1].refunded_cents, found[2].disputed_cents, found[2].dispute_fee_cents) == (200, 300, 1500)


def test_fetch_details_reads_the_card_the_fee_and_the_connect_transfer(provider, fake, stripe_gift):
    """With the latest charge, its balance transaction and its transfer expanded
    (https://docs.stripe.com/api/expanding_objects)."""
    stripe_gift.payment_id = "pi_connect"
    fake.charges["pi_connect"] = charge(
        payment_intent="pi_connect",
        amount_refunded=0,
        transfer="tr_1",
        application_fee_amount=25,
        transfer_data={"destination": "acct_1Nv0FGQ9RKHgCVdK"},
    )
    found = provider.fetch_details(stripe_gift)
    (asked,) = fake.requests
    assert (asked["method"], asked["path"]) == ("get", "/v1/payment_intents/pi_connect")
    assert asked["form"] == {"expand[0]": "latest_charge.balance_transaction", "expand[1]": "latest_charge.transfer"}
    assert found == base.PaymentEvent(
        event_id="details:pi_connect",
        type=base.DETAILS,
        payment_id="pi_connect",
        gift_id=str(stripe_gift.pk),
        amount_cents=500,
        currency="EUR",
        fee_cents=32,
        card_fingerprint="Xt5EWLLDS7FJjR1c",
        transfer_cents=475,
        application_fee_cents=25,
    )


def test_a_charge_without_a_card_gives_no_fingerprint(provider, fake, stripe_gift):
    """SEPA debit and other methods: no card, so the e-mail alone identifies the donor."""
    stripe_gift.payment_id = "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    fake.charges["pi_3MtwBwLkdIwHu7ix28a3tqPa"] = charge(
        payment_method_details={"type": "sepa_debit", "sepa_debit": {"last4": "3000"}}, amount_refunded=0
    )
    found = provider.fetch_details(stripe_gift)
    assert (found.card_fingerprint, found.fee_cents, found.transfer_cents) == ("", 32, 0)


# Webhooks ----------------------------------------------------------------------------------------


def parse(provider, payload, headers=None):
    return provider.parse_notification(payload.encode(), signed(payload) if headers is None else headers)


def completed(**fields):
    return checkout_session(
        **{
            "status": "complete",
            "payment_status": "paid",
            "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "client_reference_id": "0b6f4e5c-4d0a-4f39-8a53-5ad3c3d0f1a2",
            "metadata": {"gift_id": "0b6f4e5c-4d0a-4f39-8a53-5ad3c3d0f1a2"},
            **fields,
        }
    )


def test_paid_checkout_session_completed_is_a_payment_success(provider, fake):
    """Read from the session alone: Stripe is asked nothing while the notification is handled
    (the fee, the card and the Connect transfer are read afterwards, by a task)."""
    found = parse(provider, event("checkout.session.completed", completed(), "evt_completed"))
    assert found == base.PaymentEvent(
        event_id="evt_completed",
        type=base.SUCCEEDED,
        checkout_id="cs_test_a1B2c3D4e5F6g7H8",
        payment_id="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        gift_id="0b6f4e5c-4d0a-4f39-8a53-5ad3c3d0f1a2",
        amount_cents=500,
        currency="EUR",
    )
    assert fake.requests == []


def test_no_session_event_asks_stripe_anything(provider, fake):
    parse(provider, event("checkout.session.completed", completed(payment_status="unpaid")))
    parse(provider, event("checkout.session.async_payment_succeeded", completed()))
    parse(provider, event("checkout.session.async_payment_failed", completed()))
    assert fake.requests == []


def test_unpaid_checkout_session_completed_is_a_pending_payment(provider):
    """A delayed payment method (SEPA debit…): completed, but the money is not there yet."""
    found = parse(provider, event("checkout.session.completed", completed(payment_status="unpaid")))
    assert found.type == base.PENDING


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("checkout.session.async_payment_succeeded", base.SUCCEEDED),
        ("checkout.session.async_payment_failed", base.FAILED),
        ("checkout.session.expired", base.EXPIRED),
    ],
)
def test_later_checkout_session_events(provider, kind, expected):
    found = parse(provider, event(kind, completed()))
    assert (found.type, found.checkout_id, found.amount_cents) == (expected, "cs_test_a1B2c3D4e5F6g7H8", 500)


def test_charge_refunded_tells_everything_refunded_so_far(provider):
    found = parse(provider, event("charge.refunded", charge(amount_refunded=200), "evt_refund"))
    assert (found.event_id, found.type, found.payment_id, found.amount_cents, found.currency) == (
        "evt_refund",
        base.REFUNDED,
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        500,
        "EUR",
    )
    assert (found.refunded_cents, found.card_fingerprint) == (200, "Xt5EWLLDS7FJjR1c")


def test_refund_failed_names_the_refund(provider):
    refund = {
        "id": "re_failed",
        "object": "refund",
        "amount": 200,
        "currency": "eur",
        "status": "failed",
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "failure_reason": "expired_or_canceled_card",
    }
    found = parse(provider, event("refund.failed", refund, "evt_refund_failed"))
    assert (found.type, found.refund_id, found.payment_id, found.currency) == (
        base.REFUND_FAILED,
        "re_failed",
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "EUR",
    )


def test_a_dispute_created_withdraws_what_its_balance_transaction_says(provider):
    """A partial dispute: 3 € of a 5 € payment, and Stripe's 15 € fee."""
    opened = dispute(amount=300, balance_transactions=[dispute_withdrawal(300, fee=1500)])
    found = parse(provider, event("charge.dispute.created", opened, "evt_dispute"))
    assert (found.type, found.payment_id, found.dispute_id, found.disputed_cents, found.dispute_fee_cents) == (
        base.DISPUTE_OPENED,
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "dp_1MtJUT2eZvKYlo2CNaw2HvEv",
        300,
        1500,
    )
    assert found.currency == "EUR"


def test_an_inquiry_withdraws_nothing(provider):
    found = parse(provider, event("charge.dispute.created", dispute(status="warning_needs_response")))
    assert (found.type, found.disputed_cents, found.dispute_fee_cents) == (base.DISPUTE_OPENED, 0, 0)


@pytest.mark.parametrize(
    ("status", "expected"),
    [("won", base.DISPUTE_WON), ("warning_closed", base.DISPUTE_WON), ("lost", base.DISPUTE_LOST)],
)
def test_a_closed_dispute_is_won_or_lost(provider, status, expected):
    closed = dispute(status=status, balance_transactions=[dispute_withdrawal(500)])
    found = parse(provider, event("charge.dispute.closed", closed, "evt_closed"))
    assert (found.type, found.dispute_id, found.disputed_cents) == (expected, "dp_1MtJUT2eZvKYlo2CNaw2HvEv", 500)


def test_dispute_evidence_is_staged_with_stripes_evidence_fields(provider, fake, stripe_gift):
    """https://docs.stripe.com/api/disputes/update: the finance team submits from the dashboard."""
    provider.submit_dispute_evidence(
        stripe_gift,
        "dp_1",
        {"uncategorized_text": "Voucher redeemed", "service_date": "2026-11-20", "customer_name": ""},
    )
    (asked,) = fake.requests
    assert (asked["method"], asked["path"]) == ("post", "/v1/disputes/dp_1")
    assert asked["form"] == {
        "evidence[uncategorized_text]": "Voucher redeemed",
        "evidence[service_date]": "2026-11-20",
        "submit": "false",
    }


def test_unrelated_event_is_ignored(provider):
    found = parse(provider, event("customer.created", {"id": "cus_1", "object": "customer"}, "evt_customer"))
    assert (found.event_id, found.type) == ("evt_customer", "ignored:customer.created")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Stripe-Signature": ""},
        {"Stripe-Signature": "garbage"},
        "wrong secret",
        "stale",
        "tampered",
    ],
)
def test_bad_signature_is_an_invalid_notification(provider, headers):
    payload = event("checkout.session.completed", completed())
    if headers == "wrong secret":
        headers = signed(payload, secret="whsec_someone_else")
    elif headers == "stale":
        headers = signed(payload, timestamp=int(time.time()) - 301)
    elif headers == "tampered":
        headers = signed(payload)
        payload = payload.replace('"amount_total": 500', '"amount_total": 50000')
    with pytest.raises(base.InvalidNotification):
        provider.parse_notification(payload.encode(), headers)


def test_unreadable_body_is_an_invalid_notification(provider):
    with pytest.raises(base.InvalidNotification):
        provider.parse_notification(b"\xff\xfe", signed("x"))


# Through the inbox ------------------------------------------------------------------------------------


def post_webhook(host, payload, headers=None):
    headers = signed(payload) if headers is None else headers
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client(HTTP_HOST=host).post(STRIPE_ENDPOINT, data=payload, content_type="application/json", **extra)


def test_webhook_with_a_bad_signature_is_answered_400_and_stored_rejected(personas, account):
    payload = event("checkout.session.completed", completed())
    response = post_webhook(personas.a.host, payload, signed(payload, secret="whsec_forged"))
    assert response.status_code == 400
    notification = Notification.objects.get()
    assert (notification.provider, notification.status, notification.body) == ("stripe", "rejected", payload)
    assert "Stripe-Signature" in notification.headers


def test_webhook_without_a_signature_is_answered_400(personas, account):
    response = post_webhook(personas.a.host, event("checkout.session.completed", completed()), {})
    assert response.status_code == 400


def test_unrelated_webhook_is_acknowledged_and_ignored(personas, account):
    response = post_webhook(personas.a.host, event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    assert Notification.objects.get().status == "ignored"


@pytest.fixture
def stripe_everywhere(monkeypatch, fake):
    """Every StripeProvider the product makes talks to the fake Stripe."""
    original = StripeProvider.__init__

    def init(self, account, http_client=None):
        original(self, account, http_client=http_client or fake)

    monkeypatch.setattr(StripeProvider, "__init__", init)
    return fake


def test_gift_paid_with_stripe_end_to_end(
    personas, client_for, account, cafe, stripe_everywhere, django_capture_on_commit_callbacks
):
    """A donor gives from the establishment’s page, pays on Stripe, Stripe notifies: the gift is
    confirmed with its match and its journal entries, the donor gets a receipt; a replay of the
    webhook changes nothing."""
    assert isinstance(provider_for(personas.a.tenant), StripeProvider)
    response = client_for(personas.a).post(
        f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "500", "email": "dora@example.org"},
    )
    assert response.status_code == 302
    gift = Gift.objects.get()
    assert (gift.provider, gift.status, gift.match_promised_cents) == ("stripe", "pending", 500)
    session = stripe_everywhere.sessions[gift.checkout_id]
    assert gift.checkout_url == session["url"]
    assert session["success_url"] == f"http://grand-est.localhost/dons/{gift.pk}/?t={gift.token}&returned=1"

    session.update(status="complete", payment_status="paid", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    payload = event("checkout.session.completed", session, "evt_stripe_paid")
    with django_capture_on_commit_callbacks(execute=True):
        first = post_webhook(personas.a.host, payload)
        replay = post_webhook(personas.a.host, payload)
    assert (first.status_code, replay.status_code) == (200, 200)
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents, gift.payment_id) == ("confirmed", 500, "pi_3MtwBwLkdIwHu7ix28a3tqPa")
    # The fee and the card, read by the task that ran after the confirmation's commit.
    assert (gift.fee_cents, gift.card_key, gift.details_pending) == (32, card_key("Xt5EWLLDS7FJjR1c"), False)
    assert entry_kinds(gift) == ["gift.received", "match.posted", "gift.fee"]
    assert Notification.objects.get(event_id="evt_stripe_paid").deliveries == 2
    assert sum(p.used_cents for p in Pool.objects.filter(campaign=gift.campaign)) == 500
    assert len(mail.outbox) == 1


def test_stripe_refund_end_to_end(
    personas, client_for, account, cafe, stripe_everywhere, django_capture_on_commit_callbacks
):
    client_for(personas.a).post(
        f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "500", "email": "dora@example.org"},
    )
    gift = Gift.objects.get()
    session = stripe_everywhere.sessions[gift.checkout_id]
    session.update(status="complete", payment_status="paid", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    with django_capture_on_commit_callbacks(execute=True):  # the payment’s details are read after the commit
        post_webhook(personas.a.host, event("checkout.session.completed", session, "evt_paid"))

    response = client_for(personas.a, personas.a.finance).post(
        f"/gestion/dons/{gift.pk}/", {"amount": "5", "reason": "Doublon", "confirmed": "True"}
    )
    assert response.status_code == 302
    refund = stripe_everywhere.requests[-1]
    assert (refund["path"], refund["form"]["payment_intent"], refund["form"]["amount"]) == (
        "/v1/refunds",
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "500",
    )
    assert Gift.objects.get(pk=gift.pk).status == "refund_requested"  # until Stripe says it is done

    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(personas.a.host, event("charge.refunded", charge(), "evt_refunded"))
    gift.refresh_from_db()
    assert gift.status == "refunded"
    assert entry_kinds(gift) == ["gift.received", "match.posted", "gift.fee", "gift.refunded", "match.reversed"]
    assert sum(p.used_cents for p in Pool.objects.filter(campaign=gift.campaign)) == 0


def test_stripe_amount_different_from_the_checkout_is_rejected(personas, client_for, account, cafe, stripe_everywhere):
    client_for(personas.a).post(
        f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "500", "email": "dora@example.org"},
    )
    gift = Gift.objects.get()
    session = dict(stripe_everywhere.sessions[gift.checkout_id])
    session.update(status="complete", payment_status="paid", amount_total=100)
    post_webhook(personas.a.host, event("checkout.session.completed", session, "evt_cheap"))
    assert Notification.objects.get().reason == "amount 100 differs from 500"
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("pending", 0)
    assert entry_kinds(gift) == []


def test_checkout_refused_by_stripe_fails_the_gift_and_releases_its_match(
    personas, client_for, account, cafe, stripe_everywhere
):
    stripe_everywhere.fail_with = (401, {"type": "invalid_request_error", "message": "Invalid API Key provided"})
    response = client_for(personas.a).post(
        f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "500", "email": "dora@example.org"},
    )
    assert response.status_code == 400
    gift = Gift.objects.get()
    assert (gift.status, gift.checkout_url) == ("failed", "")
    assert gift.allocation.status == "released"
    assert sum(p.reserved_cents for p in Pool.objects.filter(campaign=gift.campaign)) == 0


def test_a_checkout_of_another_application_on_the_same_stripe_account_is_rejected_not_a_crash(personas, account):
    """The collectivité’s Stripe account may serve other sites, with their own references."""
    other = checkout_session(
        id="cs_test_someone_else", status="complete", payment_status="paid", client_reference_id="order-1234"
    )
    response = post_webhook(personas.a.host, event("checkout.session.completed", other, "evt_foreign"))
    assert response.status_code == 200
    assert (Notification.objects.get().status, Notification.objects.get().reason) == ("rejected", "unknown payment")


def test_stripe_cards_count_for_the_per_donor_limit(
    personas, client_for, account, campaign, cafe, stripe_everywhere, django_capture_on_commit_callbacks
):
    """The same card under two e-mail addresses is one donor: Stripe's card fingerprint, read
    from the charge after each confirmation, counts for both addresses' next reservations
    (what was promised before it was known is kept)."""
    campaign.donor_limit_cents = 800
    campaign.save()
    matches = []
    for n, email in enumerate(["ana@example.org", "ana.bis@example.net"]):
        client_for(personas.a).post(
            f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
            {"amount_choice": "500", "email": email},
        )
        gift = Gift.objects.get(email=email)
        assert gift.match_promised_cents == 500, "the card is unknown until Stripe confirms the payment"
        session = stripe_everywhere.sessions[gift.checkout_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_ana_{n}")
        stripe_everywhere.charges[f"pi_ana_{n}"] = charge(
            payment_intent=f"pi_ana_{n}",
            amount_refunded=0,
            payment_method_details={"type": "card", "card": {"fingerprint": "AnaCard0001", "last4": "4242"}},
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook(personas.a.host, event("checkout.session.completed", session, f"evt_ana_{n}"))
            assert response.status_code == 200
        gift.refresh_from_db()
        matches.append(gift.match_cents)
    assert matches == [500, 500]
    for email in ("ana@example.org", "ana.bis@example.net"):
        client_for(personas.a).post(
            f"/campagnes/cafe-solidaire/etablissements/{cafe.establishment_id}/don/",
            {"amount_choice": "500", "email": email},
        )
        assert Gift.objects.filter(email=email).order_by("-created_at").first().match_promised_cents == 0
