"""Stripe Connect destination charges: the gift is paid to the platform’s Stripe account, which
transfers the establishment its share at once and keeps an application fee. The payment’s
details (Stripe's fee, the transfer, the application fee) are read by a task after the
confirmation, from the PaymentIntent with its latest charge's balance transaction and transfer
expanded, and booked then: the establishment is owed nothing more from gifts (Stripe paid it),
still its match; Stripe's fee is the collectivité’s. A refund reverses the transfer and the
application fee in proportion (reverse_transfer, refund_application_fee), and a refund or a
dispute told before the details were booked waits for them (409, applied when sent again)."""

import dataclasses

import pytest
from django.test import Client

from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift, Refund
from solidaire.donations.reconciliation import reconcile
from solidaire.donations.tasks import fetch_payment_details
from solidaire.ledger.models import Entry
from solidaire.payments import inbox
from solidaire.payments.models import Notification, PaymentAccount
from solidaire.payments.providers.stripe import StripeProvider

from ..donations.helpers import balance, entry_kinds
from ..gifts import start
from ..matching.helpers import assert_ledger_holds
from .helpers import STRIPE_ENDPOINT
from .stripe_fakes import (
    SECRET_KEY,
    WEBHOOK_SECRET,
    FakeStripe,
    charge,
    completed_session,
    dispute,
    dispute_withdrawal,
    signed_event,
)

pytestmark = pytest.mark.django_db

DESTINATION = "acct_1Nv0FGQ9RKHgCVdK"


@pytest.fixture
def account(personas):
    account, _ = PaymentAccount.objects.get_or_create(collectivite=personas.a.tenant)
    account.provider = "stripe"
    account.stripe_secret_key = SECRET_KEY
    account.stripe_webhook_secret = WEBHOOK_SECRET
    account.stripe_connect = True
    account.save()
    return account


@pytest.fixture
def fake():
    return FakeStripe()


@pytest.fixture
def stripe_everywhere(monkeypatch, fake):
    """Every StripeProvider the product makes talks to the fake Stripe."""
    original = StripeProvider.__init__

    def init(self, account, http_client=None):
        original(self, account, http_client=http_client or fake)

    monkeypatch.setattr(StripeProvider, "__init__", init)
    return fake


@pytest.fixture
def connected(cafe):
    """The café, with the Stripe account its gifts are transferred to."""
    cafe.establishment.stripe_account_id = DESTINATION
    cafe.establishment.save()
    return cafe


@pytest.fixture
def halved(campaign):
    """The campaign adds half of each gift: a match that does not split evenly."""
    Campaign.objects.filter(pk=campaign.pk).update(matching_ratio_percent=50)
    campaign.refresh_from_db()
    return campaign


def post_webhook(host, payload, headers):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client(HTTP_HOST=host).post(STRIPE_ENDPOINT, data=payload, content_type="application/json", **extra)


def intent_of(gift) -> str:
    return f"pi_{gift.pk.hex[:20]}"


def connect_charge(gift, *, application_fee, refunded=0, **fields) -> dict:
    """The gift's charge at Stripe, a destination charge to the café's account."""
    return charge(
        id=f"ch_{gift.pk.hex[:20]}",
        amount=gift.amount_cents,
        amount_captured=gift.amount_cents,
        amount_refunded=refunded,
        refunded=refunded == gift.amount_cents,
        payment_intent=intent_of(gift),
        transfer=f"tr_{gift.pk.hex[:20]}",
        transfer_data={"destination": DESTINATION},
        application_fee_amount=application_fee or None,
        metadata={"gift_id": str(gift.pk)},
        **fields,
    )


def stripe_says(personas, kind, obj, event_id):
    """Stripe posts a signed webhook to collectivité A."""
    payload, headers = signed_event(kind, obj, event_id)
    return post_webhook(personas.a.host, payload, headers)


def paid(personas, fake, gift, *, application_fee, capture=None) -> Gift:
    """Stripe tells the Checkout Session was paid; with `capture`, what the commit leaves for
    later runs (the details task asks Stripe for the fee and the transfer)."""
    fake.charges[intent_of(gift)] = connect_charge(gift, application_fee=application_fee)
    session = completed_session(gift, payment_intent=intent_of(gift))
    if capture is None:
        response = stripe_says(personas, "checkout.session.completed", session, f"evt_paid_{gift.pk.hex[:8]}")
    else:
        with capture(execute=True):
            response = stripe_says(personas, "checkout.session.completed", session, f"evt_paid_{gift.pk.hex[:8]}")
    assert response.status_code == 200
    gift.refresh_from_db()
    return gift


def refunded_at_stripe(personas, gift, refunded, *, application_fee, event_id=None, capture=None):
    """Stripe tells the charge was refunded (`refunded`: everything refunded so far)."""
    obj = connect_charge(gift, application_fee=application_fee, refunded=refunded)
    event_id = event_id or f"evt_refunded_{refunded}_{gift.pk.hex[:8]}"
    if capture is None:
        return stripe_says(personas, "charge.refunded", obj, event_id)
    with capture(execute=True):
        return stripe_says(personas, "charge.refunded", obj, event_id)


def ask_refund(personas, client_for, gift, cents, capture, reason="Doublon"):
    """The finance officer's refund, confirmed (amount in euros as typed)."""
    euros = f"{cents // 100}.{cents % 100:02d}"
    with capture(execute=True):
        return client_for(personas.a, personas.a.finance).post(
            f"/gestion/dons/{gift.pk}/", {"amount": euros, "reason": reason, "confirmed": "True"}
        )


def lines(gift, kind) -> list[tuple[str, int]]:
    """The postings of the gift's entries of `kind`, as (account kind, amount), summed."""
    found: dict[str, int] = {}
    for entry in Entry.objects.filter(gift=gift, kind=kind).prefetch_related("postings__account"):
        for posting in entry.postings.all():
            found[posting.account.kind] = found.get(posting.account.kind, 0) + posting.amount_cents
    return sorted(found.items())


def refund_requests(fake) -> list[dict]:
    return [r for r in fake.requests if (r["method"], r["path"]) == ("post", "/v1/refunds")]


# The payment ---------------------------------------------------------------------------------------


def test_connect_checkout_names_the_establishments_account(personas, account, connected, stripe_everywhere):
    gift = start(connected, 1000)
    (created,) = [r for r in stripe_everywhere.requests if r["path"] == "/v1/checkout/sessions"]
    assert created["form"]["payment_intent_data[transfer_data][destination]"] == DESTINATION
    assert gift.provider == "stripe" and gift.checkout_id in stripe_everywhere.sessions


def test_the_details_book_the_transfer_the_application_fee_and_stripes_fee_to_the_collectivite(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    gift = paid(
        personas,
        stripe_everywhere,
        start(connected, 1000),
        application_fee=77,
        capture=django_capture_on_commit_callbacks,
    )

    # The details task asked for the PaymentIntent with the charge's balance transaction and transfer.
    (asked,) = [r for r in stripe_everywhere.requests if r["path"] == f"/v1/payment_intents/{intent_of(gift)}"]
    assert set(asked["form"].values()) == {"latest_charge.balance_transaction", "latest_charge.transfer"}
    assert (gift.status, gift.details_pending) == ("confirmed", False)
    assert (gift.fee_cents, gift.transferred_cents, gift.application_fee_cents) == (32, 923, 77)
    assert entry_kinds(gift) == [
        "gift.received",
        "match.posted",
        "gift.fee",
        "connect.transfer",
        "connect.application_fee",
    ]
    assert lines(gift, "connect.transfer") == [("beneficiary_gifts", 923), ("provider_cash", -923)]
    assert lines(gift, "connect.application_fee") == [("application_fees", -77), ("beneficiary_gifts", 77)]
    # Stripe took its fee from the platform’s balance: the collectivité bears it, not the café.
    assert lines(gift, "gift.fee") == [("provider_cash", -32), ("provider_fees", 32)]
    tenant = personas.a.tenant.pk
    assert balance(f"provider_fees:{tenant}:stripe") == 32
    assert balance(f"application_fees:{tenant}:stripe") == -77
    # The café received its share from Stripe: owed nothing more from gifts, still its match.
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"beneficiary_matching:{connected.pk}") == -1000
    assert_ledger_holds()


def test_without_an_application_fee_the_whole_gift_is_transferred(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    gift = paid(
        personas,
        stripe_everywhere,
        start(connected, 500),
        application_fee=0,
        capture=django_capture_on_commit_callbacks,
    )
    assert (gift.transferred_cents, gift.application_fee_cents, gift.fee_cents) == (500, 0, 32)
    assert entry_kinds(gift) == ["gift.received", "match.posted", "gift.fee", "connect.transfer"]
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"provider_fees:{personas.a.tenant.pk}:stripe") == 32
    assert_ledger_holds()


def test_the_details_are_booked_once(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    gift = paid(
        personas,
        stripe_everywhere,
        start(connected, 1000),
        application_fee=77,
        capture=django_capture_on_commit_callbacks,
    )
    asked = len(stripe_everywhere.requests)
    fetch_payment_details(str(gift.pk))  # nothing pending any more: Stripe is not asked again
    assert len(stripe_everywhere.requests) == asked
    # The details told again (reconciliation, under another id) change nothing.
    details = StripeProvider(account).fetch_details(gift)
    status, notification = inbox.apply(
        collectivite=personas.a.tenant, provider_name="stripe", event=dataclasses.replace(details, event_id="again")
    )
    assert (status, notification.status, notification.reason) == (200, "ignored", "details already booked")
    assert entry_kinds(gift).count("connect.transfer") == 1
    assert entry_kinds(gift).count("gift.fee") == 1
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert_ledger_holds()


# Refunds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("refunded", "moved_back", "fee_back", "match_back", "status"),
    [
        (1000, 923, 77, 500, "refunded"),
        # 333 of 1 000: 923 × 0.333 = 307.359 → 307 of the transfer, the rest (26) of the
        # application fee; the match (500) taken back rounded up: 166.5 → 167.
        (333, 307, 26, 167, "partly_refunded"),
    ],
)
def test_a_refund_reverses_the_transfer_and_the_application_fee_in_proportion(
    personas,
    client_for,
    account,
    halved,
    connected,
    stripe_everywhere,
    django_capture_on_commit_callbacks,
    refunded,
    moved_back,
    fee_back,
    match_back,
    status,
):
    capture = django_capture_on_commit_callbacks
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77, capture=capture)
    assert gift.match_cents == 500

    response = ask_refund(personas, client_for, gift, refunded, capture)
    assert response.status_code == 302
    (asked,) = refund_requests(stripe_everywhere)
    refund = Refund.objects.get(gift=gift)
    assert asked["form"] == {
        "payment_intent": intent_of(gift),
        "amount": str(refunded),
        "metadata[gift_id]": str(gift.pk),
        "reverse_transfer": "true",
        "refund_application_fee": "true",
    }
    assert asked["headers"]["Idempotency-Key"] == refund.key
    assert Gift.objects.get(pk=gift.pk).status == "refund_requested"

    assert refunded_at_stripe(personas, gift, refunded, application_fee=77, capture=capture).status_code == 200
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == (status, refunded, match_back)
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    assert lines(gift, "connect.transfer_reversed") == [
        ("beneficiary_gifts", -moved_back),
        ("provider_cash", moved_back),
    ]
    assert lines(gift, "connect.application_fee_refunded") == [
        ("application_fees", fee_back),
        ("beneficiary_gifts", -fee_back),
    ]
    assert lines(gift, "gift.refunded") == [("beneficiary_gifts", refunded), ("provider_cash", -refunded)]
    # The café gave back what Stripe reversed: it is still owed nothing from gifts; its match
    # goes back in proportion; Stripe keeps its fee (the collectivité’s).
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"beneficiary_matching:{connected.pk}") == -(500 - match_back)
    assert balance(f"provider_fees:{personas.a.tenant.pk}:stripe") == 32
    assert_ledger_holds()


def test_two_partial_refunds_give_back_exactly_the_transfer_the_application_fee_and_the_match(
    personas, client_for, account, halved, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77, capture=capture)

    assert ask_refund(personas, client_for, gift, 333, capture).status_code == 302
    refunded_at_stripe(personas, gift, 333, application_fee=77, capture=capture)
    assert ask_refund(personas, client_for, gift, 667, capture, reason="Le reste").status_code == 302
    refunded_at_stripe(personas, gift, 1000, application_fee=77, capture=capture)

    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == ("refunded", 1000, 500)
    assert [r["form"]["amount"] for r in refund_requests(stripe_everywhere)] == ["333", "667"]
    assert all(r["form"]["reverse_transfer"] == "true" for r in refund_requests(stripe_everywhere))
    assert lines(gift, "connect.transfer_reversed") == [("beneficiary_gifts", -923), ("provider_cash", 923)]
    assert lines(gift, "connect.application_fee_refunded") == [("application_fees", 77), ("beneficiary_gifts", -77)]
    assert balance(f"application_fees:{personas.a.tenant.pk}:stripe") == 0
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"beneficiary_matching:{connected.pk}") == 0
    assert balance(f"campaign_matching:{halved.pk}") == 0
    assert list(Refund.objects.filter(gift=gift).values_list("status", flat=True)) == ["succeeded", "succeeded"]
    assert_ledger_holds()


def test_a_refund_told_twice_is_booked_once(
    personas, client_for, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77, capture=capture)
    ask_refund(personas, client_for, gift, 400, capture)
    refunded_at_stripe(personas, gift, 400, application_fee=77, capture=capture)
    # The same state told again under another event id (reconciliation, or a replay).
    again = refunded_at_stripe(personas, gift, 400, application_fee=77, event_id="evt_again", capture=capture)
    assert again.status_code == 200
    assert Notification.objects.get(event_id="evt_again").status == "ignored"
    assert entry_kinds(gift).count("connect.transfer_reversed") == 1
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert_ledger_holds()


# Before the details are known --------------------------------------------------------------------------


def test_a_refund_told_before_the_details_waits_for_them_then_applies(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    """A refund made at Stripe's dashboard right after the payment: its notification comes
    before the details task ran. Booked then, it could not say how much of the transfer came
    back: it is deferred (409), and applied when Stripe sends it again."""
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77)  # the task did not run
    assert (gift.status, gift.details_pending, gift.transferred_cents) == ("confirmed", True, 0)

    early = refunded_at_stripe(personas, gift, 1000, application_fee=77, event_id="evt_early_refund")
    assert early.status_code == 409
    assert Notification.objects.get(event_id="evt_early_refund").status == "deferred"
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents) == ("confirmed", 0)
    assert "gift.refunded" not in entry_kinds(gift)

    with django_capture_on_commit_callbacks(execute=True):
        fetch_payment_details(str(gift.pk))
    gift.refresh_from_db()
    assert (gift.details_pending, gift.transferred_cents) == (False, 923)

    again = refunded_at_stripe(
        personas,
        gift,
        1000,
        application_fee=77,
        event_id="evt_early_refund",
        capture=django_capture_on_commit_callbacks,
    )
    assert again.status_code == 200
    assert Notification.objects.get(event_id="evt_early_refund").status == "applied"
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == ("refunded", 1000, 1000)
    assert lines(gift, "connect.transfer_reversed") == [("beneficiary_gifts", -923), ("provider_cash", 923)]
    assert lines(gift, "connect.application_fee_refunded") == [("application_fees", 77), ("beneficiary_gifts", -77)]
    # A refund made at Stripe directly is recorded as such.
    assert Refund.objects.get(gift=gift).reason == "made at the payment provider"
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"beneficiary_matching:{connected.pk}") == 0
    assert_ledger_holds()


def test_a_dispute_told_before_the_details_waits_for_them_then_applies(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77)
    opened = dispute(
        id="dp_connect",
        amount=1000,
        payment_intent=intent_of(gift),
        balance_transactions=[dispute_withdrawal(1000, fee=1500)],
    )
    early = stripe_says(personas, "charge.dispute.created", opened, "evt_early_dispute")
    assert early.status_code == 409
    gift.refresh_from_db()
    assert gift.status == "confirmed"
    assert not any(kind.startswith("dispute.") for kind in entry_kinds(gift))

    with django_capture_on_commit_callbacks(execute=True):
        fetch_payment_details(str(gift.pk))
        again = stripe_says(personas, "charge.dispute.created", opened, "evt_early_dispute")
    assert again.status_code == 200
    gift.refresh_from_db()
    assert gift.status == "disputed"
    assert gift.disputes.get().amount_cents == 1000
    # Nothing of the gift is owed to the café to freeze (Stripe paid it); its match is frozen.
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert balance(f"frozen_matching:{connected.pk}") == -1000
    assert_ledger_holds()


def test_a_refund_waits_until_the_transfer_is_known(
    personas, client_for, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    """The finance officer refunds a Connect gift whose details were not read yet: whether Stripe
    must take the establishment’s share back is not known, so the refund is refused, clearly,
    until it is — then it goes with reverse_transfer."""
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77)
    assert gift.details_pending
    response = ask_refund(personas, client_for, gift, 1000, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "try again in a minute" in response.content.decode() or "minute" in response.content.decode()
    assert refund_requests(stripe_everywhere) == []
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"

    with django_capture_on_commit_callbacks(execute=True):
        fetch_payment_details(str(gift.pk))
    ask_refund(personas, client_for, gift, 1000, django_capture_on_commit_callbacks)
    (sent,) = refund_requests(stripe_everywhere)
    assert (sent["form"]["reverse_transfer"], sent["form"]["refund_application_fee"]) == ("true", "true")


def test_reconciliation_books_the_details_and_the_refund_it_finds_together(
    personas, account, connected, stripe_everywhere, django_capture_on_commit_callbacks
):
    """The details task could not reach Stripe, and the refund made at Stripe's dashboard was
    never notified: reconciliation, asking about the gift still waiting for its details, finds
    both — and books the refund too, once the details are booked, rather than leave it deferred
    on a gift it then stops asking about."""
    gift = paid(personas, stripe_everywhere, start(connected, 1000), application_fee=77)  # the task did not run
    stripe_everywhere.sessions[gift.checkout_id].update(
        status="complete", payment_status="paid", payment_intent=intent_of(gift)
    )
    stripe_everywhere.charges[intent_of(gift)] = connect_charge(gift, application_fee=77, refunded=1000)

    with django_capture_on_commit_callbacks(execute=True):
        reconcile(everything=True)
        reconcile(everything=True)
    gift.refresh_from_db()
    assert (gift.details_pending, gift.transferred_cents) == (False, 923)
    assert Notification.objects.get(event_type="payment.refunded").status == "applied"
    assert (gift.status, gift.refunded_cents) == ("refunded", 1000)
    assert lines(gift, "connect.transfer_reversed") == [("beneficiary_gifts", -923), ("provider_cash", 923)]
    assert balance(f"beneficiary_gifts:{connected.pk}") == 0
    assert_ledger_holds()
