"""Strict notifications: a signed notification is applied only when it states the payment’s amount
and currency, as integers in the minor unit, equal to the gift's. An amount missing, null, a float
or a string, a currency missing or empty: rejected and logged like a tampered notification, and
nothing changes. A notification whose application is interrupted stays stored ("received") and is
applied by the provider’s next delivery or by the sweep — never left half-way."""

import logging

import pytest
from django.core import mail

from solidaire.donations import actions
from solidaire.donations.models import Gift
from solidaire.ledger.models import Entry
from solidaire.matching.models import Allocation
from solidaire.payments import inbox
from solidaire.payments.models import Notification

from .helpers import notify, sandbox_body

pytestmark = pytest.mark.django_db


def assert_unchanged(gift):
    fresh = Gift.objects.get(pk=gift.pk)
    assert (fresh.status, fresh.match_cents, fresh.confirmed_at) == ("pending", 0, None)
    assert Allocation.objects.get(gift=gift).status == "held"
    assert not Entry.objects.filter(gift=gift).exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"amount_cents": None}, "amount None is not a whole number of cents"),
        ({"amount_cents": 5.0}, "amount 5.0 is not a whole number of cents"),
        ({"amount_cents": "500"}, "amount '500' is not a whole number of cents"),
        ({"amount_cents": True}, "amount True is not a whole number of cents"),
        ({"amount_cents": -500}, "amount -500 is not a whole number of cents"),
        ({"currency": ""}, "currency missing"),
        ({"currency": None}, "currency missing"),
        ({"currency": "   "}, "currency missing"),
    ],
    ids=["null", "float", "string", "boolean", "negative", "empty currency", "null currency", "blank currency"],
)
def test_an_amount_or_currency_not_written_as_the_rules_say_is_rejected(personas, gift, fields, reason, caplog):
    with caplog.at_level(logging.WARNING, logger="solidaire.payments.inbox"):
        response = notify(personas.a, sandbox_body(gift, event_id="evt_odd", **fields))
    assert response.status_code == 200  # acknowledged: the provider need not send it again
    notification = Notification.objects.get(event_id="evt_odd")
    assert (notification.status, notification.reason, notification.gift) == ("rejected", reason, gift)
    assert "evt_odd rejected" in caplog.text
    assert_unchanged(gift)


@pytest.mark.parametrize("missing", ["amount_cents", "currency"])
def test_an_amount_or_currency_left_out_is_rejected(personas, gift, missing):
    body = sandbox_body(gift, event_id="evt_short")
    response = notify(personas.a, body.replace(f'"{missing}":'.encode(), b'"ignored_field":'))
    assert response.status_code == 200
    assert Notification.objects.get(event_id="evt_short").status == "rejected"
    assert_unchanged(gift)


@pytest.mark.parametrize("field", ["refunded_cents", "disputed_cents"])
def test_a_refund_or_dispute_amount_that_is_not_cents_is_rejected(personas, cafe, field):
    from ..gifts import give

    gift = give(cafe, 500)
    kind = "payment.refunded" if field == "refunded_cents" else "dispute.opened"
    notify(personas.a, sandbox_body(gift, kind, event_id="evt_odd_reversal", **{field: "500"}))
    notification = Notification.objects.get(event_id="evt_odd_reversal")
    assert notification.status == "rejected"
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


@pytest.fixture
def crash_once(monkeypatch):
    """The handler dies half-way the first time (a worker killed, a database error)."""
    handler = actions.apply_event
    calls = []

    def crashing(event, **kwargs):
        calls.append(event.event_id)
        if len(calls) == 1:
            handler(event, **kwargs)  # the work is done… then the process dies before commit
            raise RuntimeError("killed")
        return handler(event, **kwargs)

    monkeypatch.setattr(inbox, "_handlers", {"": crashing})
    return calls


def test_an_interrupted_application_keeps_the_notification_and_the_provider_retry_applies_it(
    personas, gift, crash_once, django_capture_on_commit_callbacks
):
    body = sandbox_body(gift, event_id="evt_interrupted")
    response = notify(personas.a, body)
    assert response.status_code == 500  # not acknowledged: the provider sends it again
    stored = Notification.objects.get(event_id="evt_interrupted")
    assert stored.status == "received"  # kept as evidence, committed before the attempt
    assert_unchanged(gift)  # everything the attempt did was rolled back

    with django_capture_on_commit_callbacks(execute=True):
        again = notify(personas.a, body)
    assert again.status_code == 200
    stored.refresh_from_db()
    assert (stored.status, stored.deliveries) == ("applied", 2)
    assert Entry.objects.filter(gift=gift, kind="gift.received").count() == 1


def test_what_a_crash_left_received_is_applied_by_the_sweep(personas, gift, crash_once):
    notify(personas.a, sandbox_body(gift, event_id="evt_left"))
    Notification.objects.filter(event_id="evt_left").update(
        received_at=Notification.objects.get(event_id="evt_left").received_at.replace(year=2025)
    )

    counts = inbox.retry_unfinished()

    assert counts == {"retried": 1, "applied": 1}
    assert Notification.objects.get(event_id="evt_left").status == "applied"
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert inbox.retry_unfinished() == {"retried": 0, "applied": 0}


def test_a_recent_received_notification_is_left_to_the_delivery_in_progress(personas, gift, crash_once):
    notify(personas.a, sandbox_body(gift, event_id="evt_fresh"))
    assert inbox.retry_unfinished() == {"retried": 0, "applied": 0}
