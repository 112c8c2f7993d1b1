"""The sandbox sends its notifications as a real provider does — and, when the collectivité’s
payment account asks for it, duplicates them, delays them and sends them out of order. Whatever
it does, the gift ends in the right state, confirmed once."""

import json

import pytest
from django.core import mail
from django.test import override_settings

from solidaire.payments import signature, tasks
from solidaire.payments.models import Notification, PaymentAccount, SandboxCheckout, SandboxEvent
from solidaire.payments.providers import provider_for

from ..gifts import pay
from . import helpers
from .helpers import entry_kinds

pytestmark = pytest.mark.django_db


class Schedule:
    """Stands in for the delivery task's queue: records (event type, countdown), then delivers."""

    def __init__(self):
        self.plan = []
        self.deliver = tasks.deliver_sandbox_event

    def apply_async(self, args, countdown=0):
        event_id, duplicate = args
        self.plan.append((SandboxEvent.objects.get(pk=event_id).type, countdown))
        self.deliver(event_id, duplicate)


@pytest.fixture
def recorded(monkeypatch):
    schedule = Schedule()
    monkeypatch.setattr(tasks, "deliver_sandbox_event", schedule)
    helpers.deliveries.clear()
    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.payments.helpers.recording_transport"):
        yield schedule


def switch(tenant, **flags):
    PaymentAccount.objects.filter(collectivite=tenant).update(**flags)


def delivered_types():
    return [d["type"] for d in helpers.deliveries]


def test_by_default_each_event_is_sent_once_in_order_without_delay(gift, recorded):
    pay(gift, "pending_success")
    assert recorded.plan == [("payment.pending", 0), ("payment.succeeded", 2)]
    assert delivered_types() == ["payment.pending", "payment.succeeded"]
    assert all(d["url"] == "http://grand-est.localhost/paiements/notifications/sandbox/" for d in helpers.deliveries)
    gift.refresh_from_db()
    assert gift.status == "confirmed"


def test_notifications_are_signed_with_the_collectivites_secret(gift, recorded, monkeypatch):
    seen = []
    monkeypatch.setattr(helpers, "client_transport", lambda url, body, headers: seen.append((body, headers)) or 200)
    pay(gift)
    ((body, headers),) = seen
    secret = PaymentAccount.objects.get(collectivite=gift.collectivite).sandbox_secret
    assert signature.verify(body, headers["Solidaire-Signature"], secret)
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["type"] == "payment.succeeded"
    assert payload["data"]["amount_cents"] == 500
    assert payload["data"]["checkout_id"] == gift.checkout_id


def test_duplicate_switch_sends_each_event_twice_and_the_gift_is_confirmed_once(gift, recorded):
    switch(gift.collectivite, sandbox_duplicate=True)
    pay(gift)
    assert recorded.plan == [("payment.succeeded", 0), ("payment.succeeded", 1)]
    assert len({d["id"] for d in helpers.deliveries}) == 1
    assert [d["status"] for d in helpers.deliveries] == [200, 200]
    assert Notification.objects.get().deliveries == 2
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_duplicate_switch_sends_one_receipt(gift, recorded):
    switch(gift.collectivite, sandbox_duplicate=True)
    pay(gift)
    assert len(mail.outbox) == 1


def test_reorder_switch_sends_the_last_event_first_and_the_gift_stays_confirmed(gift, recorded):
    switch(gift.collectivite, sandbox_reorder=True)
    pay(gift, "pending_success")
    assert recorded.plan == [("payment.succeeded", 0), ("payment.pending", 2)]
    assert delivered_types() == ["payment.succeeded", "payment.pending"]
    gift.refresh_from_db()
    assert gift.status == "confirmed"
    assert Notification.objects.get(event_type="payment.pending").status == "ignored"


def test_reorder_switch_with_pending_then_failure_ends_failed(gift, recorded):
    switch(gift.collectivite, sandbox_reorder=True)
    pay(gift, "pending_failure")
    assert delivered_types() == ["payment.failed", "payment.pending"]
    gift.refresh_from_db()
    assert gift.status == "failed"
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "failed"


def test_delay_switch_delays_every_event_by_a_few_seconds(gift, recorded):
    switch(gift.collectivite, sandbox_delay=True)
    pay(gift, "pending_success")
    assert recorded.plan == [("payment.pending", 3), ("payment.succeeded", 5)]


def test_all_switches_together(gift, recorded):
    switch(gift.collectivite, sandbox_duplicate=True, sandbox_reorder=True, sandbox_delay=True)
    pay(gift, "pending_success")
    assert recorded.plan == [
        ("payment.succeeded", 3),
        ("payment.succeeded", 4),
        ("payment.pending", 5),
        ("payment.pending", 6),
    ]
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert {n.event_type: n.deliveries for n in Notification.objects.all()} == {
        "payment.succeeded": 2,
        "payment.pending": 2,
    }
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_nothing_is_sent_before_the_payment_is_committed(gift, monkeypatch):
    schedule = Schedule()
    monkeypatch.setattr(tasks, "deliver_sandbox_event", schedule)
    provider_for(gift.collectivite).pay(gift.checkout_id, "success", "4242")
    assert schedule.plan == []  # queued for after the commit only
