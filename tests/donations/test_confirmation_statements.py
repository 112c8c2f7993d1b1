"""A cheaper confirmation: the whole path of a payment’s notification — stored (and committed),
the gift confirmed, its journal entries, its match posted, the donor, pool and registration
counters moved, its voucher issued, the receipt queued — runs in at most 15 SQL statements, and
never calls the provider (Stripe's fee and card are read afterwards, by a task).

Counted as a web process runs it: the collectivité loaded by the tenant middleware (with its
payment account), on a real transaction (BEGIN/COMMIT are not statements of the path)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solidaire.donations import tasks
from solidaire.donations.actions import create_gift
from solidaire.donations.models import Gift
from solidaire.payments import inbox, signature
from solidaire.tenants.resolution import resolve_tenant

from ..factories import CampaignFactory
from ..gifts import approved_registration, start
from ..payments.helpers import sandbox_body, secret_of
from ..payments.stripe_fakes import completed_session, signed_event
from ..vouchers.helpers import approved_offer

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 15
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def statements(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def cafe(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", donor_limit_cents=2000)
    cafe = approved_registration(campaign)
    approved_offer(cafe)  # the worst case: a voucher to issue
    return cafe


@pytest.fixture
def queued(monkeypatch):
    """What the confirmation leaves for after its commit (the receipt, the details task)."""
    sent = []
    monkeypatch.setattr(tasks.send_gift_email, "delay", lambda *args: sent.append(("receipt", *args)))
    monkeypatch.setattr(tasks.fetch_payment_details, "delay", lambda *args: sent.append(("details", *args)))
    return sent


def receive(tenant, provider, body, headers):
    return inbox.receive(collectivite=tenant, provider_name=provider, body=body, headers=headers)


def test_a_sandbox_confirmation_with_its_match_and_voucher_takes_at_most_15_statements(personas, cafe, queued):
    secret = secret_of(personas.a.tenant)
    warm_up = start(cafe, 500, email="first@example.org")  # accounts are created on first use
    body = sandbox_body(warm_up)
    receive(
        resolve_tenant("grand-est.localhost"), "sandbox", body, {"Solidaire-Signature": signature.sign(body, secret)}
    )

    gift = start(cafe, 500, email="dora@example.org")
    body = sandbox_body(gift)
    tenant = resolve_tenant("grand-est.localhost")
    with CaptureQueriesContext(connection) as captured:
        status, notification = receive(tenant, "sandbox", body, {"Solidaire-Signature": signature.sign(body, secret)})

    assert (status, notification.status) == (200, "applied")
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert gift.voucher is not None
    assert ("receipt", str(gift.pk), "receipt") in queued
    done = statements(captured.captured_queries)
    assert len(done) <= BUDGET, "\n".join(done)


def test_a_stripe_confirmation_asks_stripe_nothing_and_leaves_the_details_to_a_task(
    personas, cafe, queued, monkeypatch
):
    """The webhook is verified by the stripe library; nothing is fetched from Stripe while the
    payment is confirmed (a network call there would hold the gift's lock)."""
    from solidaire.payments.models import PaymentAccount

    from ..payments.stripe_fakes import SECRET_KEY, WEBHOOK_SECRET

    PaymentAccount.objects.get_or_create(collectivite=personas.a.tenant)
    PaymentAccount.objects.filter(collectivite=personas.a.tenant).update(
        provider="stripe", stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET
    )
    called = []
    monkeypatch.setattr("stripe.StripeClient.__init__", lambda *args, **kwargs: called.append(args))
    warm_up, gift = (
        create_gift(registration=cafe, amount_cents=500, email=email)[0] for email in ("a@example.org", "b@example.org")
    )
    for n, made in enumerate((warm_up, gift)):
        Gift.objects.filter(pk=made.pk).update(checkout_id=f"cs_test_paid_on_stripe_{n}")
        made.refresh_from_db()
    payload, headers = signed_event("checkout.session.completed", completed_session(warm_up), "evt_warm_up")
    receive(resolve_tenant("grand-est.localhost"), "stripe", payload.encode(), headers)
    payload, headers = signed_event("checkout.session.completed", completed_session(gift), "evt_paid")
    tenant = resolve_tenant("grand-est.localhost")
    with CaptureQueriesContext(connection) as captured:
        status, notification = receive(tenant, "stripe", payload.encode(), headers)

    assert (status, notification.status) == (200, "applied"), notification.reason
    gift.refresh_from_db()
    assert (gift.status, gift.details_pending, gift.fee_cents) == ("confirmed", True, 0)
    assert called == [], "no Stripe client was even made"
    assert ("details", str(gift.pk)) in queued
    done = statements(captured.captured_queries)
    assert len(done) <= BUDGET, "\n".join(done)
