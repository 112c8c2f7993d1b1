"""Payouts through the payment provider (a provider batch, gifts only): the transfers are asked of
the provider once the batch is sent, once per line whatever the retries (idempotency keys), and
only its notifications mark the lines paid or failed. The sandbox makes them for the demo and
these tests; the Stripe adapter is tested against Stripe's documented wire format."""

import pytest
from django.test import Client
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.ledger.checks import check_all
from solidaire.payments import inbox
from solidaire.payments.models import Notification, PaymentAccount, SandboxTransfer
from solidaire.payments.providers import base, provider_for
from solidaire.payments.providers.stripe import StripeProvider
from solidaire.payouts import actions, transfers
from solidaire.payouts.models import BatchStatus, LineStatus
from solidaire.payouts.owed import owed, position
from solidaire.tenants.models import Collectivite

from ..gifts import approved_registration, give
from ..payments.helpers import STRIPE_ENDPOINT
from ..payments.stripe_fakes import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, event, signed
from ..payments.stripe_fakes import transfer as stripe_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cafes(campaign):
    first, second = approved_registration(campaign, name="Premier"), approved_registration(campaign, name="Second")
    give(first, 500)
    give(second, 1000)
    return first, second


def gifts_owed(registration) -> int:
    return position(registration).owed["gifts"]


def provider_batch(campaign, finance):
    batch = actions.prepare_batch(campaign=campaign, channel="gifts", route="provider", actor=finance[0])
    return actions.approve_batch(batch=batch, actor=finance[1])


def test_the_sandbox_makes_the_transfers_and_its_notifications_pay_the_lines(
    personas, campaign, two_cafes, finance, django_capture_on_commit_callbacks
):
    owed_before = {cafe.pk: gifts_owed(cafe) for cafe in two_cafes}
    assert all(owed_before.values())  # the gifts net of the sandbox's fees
    batch = provider_batch(campaign, finance)
    assert sorted(batch.documents.values_list("kind", flat=True)) == ["csv", "pdf", "xlsx"]  # no SEPA file
    assert {line.destination for line in batch.lines.all()} == {
        f"acct_sandbox_{cafe.establishment_id}" for cafe in two_cafes
    }
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_sent(batch=batch, actor=finance[0])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED
    lines = list(batch.lines.order_by("pk"))
    made = {t.reference: t for t in SandboxTransfer.objects.all()}
    assert sorted(made) == sorted(line.end_to_end_id for line in lines)
    for line in lines:
        assert (line.status, line.transfer_id) == (LineStatus.PAID, made[line.end_to_end_id].id)
        assert made[line.end_to_end_id].amount_cents == line.amount_cents == owed_before[line.registration_id]
        assert made[line.end_to_end_id].key == f"payout-{line.end_to_end_id}"
    assert all(gifts_owed(cafe) == 0 and position(cafe).paid["gifts"] for cafe in two_cafes)
    assert check_all() == []
    # Asking again makes no second transfer.
    assert transfers.send_transfers(batch.pk) == (0, 0)
    provider = provider_for(batch.collectivite)
    line = lines[0]
    again = provider.create_transfer(
        amount_cents=line.amount_cents,
        currency="EUR",
        destination=line.destination,
        reference=line.end_to_end_id,
        group=batch.reference,
        key=transfers.idempotency_key(line),
        notify_url="http://grand-est.localhost/paiements/notifications/sandbox/",
    )
    assert again == line.transfer_id and SandboxTransfer.objects.count() == 2


def sent_without_transfers(campaign, finance):
    """A provider batch marked sent whose transfers were asked, their notifications not arrived."""
    batch = provider_batch(campaign, finance)
    actions.mark_sent(batch=batch, actor=finance[0])  # on-commit work does not run here
    transfers.send_transfers(batch.pk)  # the provider’s notifications wait for the commit
    return batch


def transfer_event(line, kind=base.TRANSFER_PAID, **changes):
    fields = {
        "event_id": f"evt_{kind}_{line.pk}",
        "type": kind,
        "transfer_id": line.transfer_id,
        "transfer_cents": line.amount_cents,
        "currency": "EUR",
        "destination": line.destination,
        "reference": line.end_to_end_id,
    }
    return base.PaymentEvent(**{**fields, **changes})


def apply(batch, event):
    status, notification = inbox.apply(collectivite=batch.collectivite, provider_name="sandbox", event=event)
    return status, notification


def test_a_reversed_transfer_fails_its_line_and_the_gifts_are_owed_again(personas, campaign, two_cafes, finance):
    batch = sent_without_transfers(campaign, finance)
    first, second = batch.lines.order_by("pk")
    assert first.transfer_id and second.transfer_id
    apply(batch, transfer_event(first))
    apply(batch, transfer_event(second, base.TRANSFER_FAILED))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (LineStatus.PAID, LineStatus.FAILED)
    assert gifts_owed(second.registration) == second.amount_cents
    [again] = [item for item in owed(campaign, "gifts", cutoff=timezone.now()) if not item.apart]
    assert again.registration == second.registration
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED
    assert check_all() == []
    # A reversal after the line was paid is for a person to look into: nothing changes.
    status, notification = apply(batch, transfer_event(first, base.TRANSFER_FAILED))
    first.refresh_from_db()
    assert (notification.status, first.status) == ("rejected", LineStatus.PAID)


@pytest.mark.parametrize(
    "changes",
    [
        {"transfer_cents": 1},
        {"transfer_cents": "500"},
        {"currency": "USD"},
        {"destination": "acct_other"},
        {"transfer_id": "tr_other"},
    ],
    ids=["amount", "amount-as-text", "currency", "destination", "another-transfer"],
)
def test_a_notification_that_does_not_match_its_line_changes_nothing(personas, campaign, two_cafes, finance, changes):
    batch = sent_without_transfers(campaign, finance)
    line = batch.lines.order_by("pk").first()
    if "transfer_cents" in changes and changes["transfer_cents"] == 1:
        changes = {"transfer_cents": line.amount_cents + 1}
    status, notification = apply(batch, transfer_event(line, **changes))
    line.refresh_from_db()
    assert (status, notification.status, line.status) == (200, "rejected", LineStatus.PENDING)
    assert check_all() == []


def test_a_transfer_of_another_collectivite_or_no_line_is_ignored(personas, campaign, two_cafes, finance):
    batch = sent_without_transfers(campaign, finance)
    line = batch.lines.first()
    _status, notification = inbox.apply(
        collectivite=personas.b.tenant, provider_name="sandbox", event=transfer_event(line)
    )
    line.refresh_from_db()
    assert (notification.status, line.status) == ("ignored", LineStatus.PENDING)
    _status, notification = apply(batch, transfer_event(line, reference="VRS-1999-0001-1-00001"))
    assert notification.status == "ignored"


def test_the_provider_alone_says_a_transfer_is_paid_or_failed(personas, campaign, two_cafes, finance):
    batch = sent_without_transfers(campaign, finance)
    line = batch.lines.first()
    with pytest.raises(ActionError) as refused:
        actions.mark_paid(batch=batch, actor=finance[0])
    assert refused.value.code == "provider"
    with pytest.raises(ActionError) as refused:
        actions.mark_failed(line=line, actor=finance[0], reason="Compte clos")
    assert refused.value.code == "provider"
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING


def test_only_the_gifts_go_through_a_provider_that_can_transfer(personas, campaign, two_cafes, finance):
    with pytest.raises(ActionError) as refused:
        actions.prepare_batch(campaign=campaign, channel="matching", route="provider", actor=finance[0])
    assert refused.value.field == "route"
    account = PaymentAccount.objects.get(collectivite=personas.a.tenant)
    account.provider, account.stripe_secret_key, account.stripe_webhook_secret = "stripe", SECRET_KEY, WEBHOOK_SECRET
    account.save()
    with pytest.raises(ActionError) as refused:  # Stripe without Connect
        actions.prepare_batch(campaign=campaign, channel="gifts", route="provider", actor=finance[0])
    assert refused.value.field == "route"
    account.stripe_connect = True
    account.save()
    first, second = two_cafes
    first.establishment.stripe_account_id = "acct_1Nv0FGQ9RKHgCVdK"
    first.establishment.save(update_fields=["stripe_account_id"])
    tenant = Collectivite.objects.get(pk=personas.a.tenant.pk)
    items = owed(campaign, "gifts", cutoff=timezone.now(), route="provider", provider=provider_for(tenant))
    assert {item.registration.pk: item.apart for item in items} == {first.pk: [], second.pk: ["no_provider_account"]}
    batch = actions.prepare_batch(campaign=campaign, channel="gifts", route="provider", actor=finance[0])
    assert [(line.registration_id, line.destination) for line in batch.lines.all()] == [
        (first.pk, "acct_1Nv0FGQ9RKHgCVdK")
    ]
    assert batch.provider == "stripe"


def test_stripe_transfers_are_asked_with_the_lines_key_and_confirmed_by_signed_webhooks(
    personas, campaign, two_cafes, finance, monkeypatch
):
    account = PaymentAccount.objects.get(collectivite=personas.a.tenant)
    account.provider, account.stripe_connect = "stripe", True
    account.stripe_secret_key, account.stripe_webhook_secret = SECRET_KEY, WEBHOOK_SECRET
    account.save()
    for cafe, acct in zip(two_cafes, ("acct_1Nv0FGQ9RKHgCVdK", "acct_1Nv0FGQ9RKHgCVdL"), strict=True):
        cafe.establishment.stripe_account_id = acct
        cafe.establishment.save(update_fields=["stripe_account_id"])
    fake = FakeStripe()
    monkeypatch.setattr(StripeProvider, "__init__", lambda self, account, http_client=None: _init(self, account, fake))
    batch = provider_batch(campaign, finance)
    actions.mark_sent(batch=batch, actor=finance[0])
    assert transfers.send_transfers(batch.pk) == (2, 0)
    asked = [r for r in fake.requests if r["path"] == "/v1/transfers"]
    lines = {line.end_to_end_id: line for line in batch.lines.all()}
    assert len(asked) == 2
    for request in asked:
        line = lines[request["form"]["metadata[payout_line]"]]
        assert request["form"]["amount"] == str(line.amount_cents)
        assert request["form"]["currency"] == "eur"
        assert request["form"]["destination"] == line.destination
        assert request["form"]["transfer_group"] == batch.reference
        assert request["headers"]["Idempotency-Key"] == f"payout-{line.end_to_end_id}"
    # Stripe's transfer.created webhook, signed by the stripe library, marks each line paid.
    client = Client(HTTP_HOST=personas.a.host)
    for n, line in enumerate(batch.lines.order_by("pk")):
        line.refresh_from_db()
        obj = stripe_transfer(
            id=line.transfer_id,
            amount=line.amount_cents,
            destination=line.destination,
            metadata={"payout_line": line.end_to_end_id},
        )
        payload = event("transfer.created", obj, event_id=f"evt_transfer_{n}")
        response = client.post(STRIPE_ENDPOINT, payload, content_type="application/json", **_headers(signed(payload)))
        assert response.status_code == 200
    assert set(Notification.objects.filter(event_type=base.TRANSFER_PAID).values_list("status", flat=True)) == {
        "applied"
    }
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SETTLED
    assert check_all() == []


def _init(provider, account, fake):
    provider.account = account
    provider.http_client = fake


def _headers(headers: dict) -> dict:
    return {"HTTP_" + key.upper().replace("-", "_"): value for key, value in headers.items()}
