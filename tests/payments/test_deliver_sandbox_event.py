"""payments.tasks.deliver_sandbox_event and the sandbox's outbox: a notification the receiving
site does not acknowledge (an error status, a network error) is sent again — by the outbox's
sweep, with exponential backoff, for three days like real providers — and every attempt, the
last answer and the delivery time are recorded. What a crashed worker or broker lost is sent by
the sweep."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from solidaire.donations.models import Gift
from solidaire.payments.models import SandboxCheckout, SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event, send_due_sandbox_events

from ..gifts import client_transport, pay

pytestmark = pytest.mark.django_db

answers: list = []


def scripted_transport(url, body, headers):
    """Answers with the next scripted status (or raises it), then delivers for real."""
    answer = answers.pop(0) if answers else None
    if isinstance(answer, Exception):
        raise answer
    if answer is not None:
        return answer
    return client_transport(url, body, headers)


@pytest.fixture
def network():
    answers.clear()
    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT=f"{__name__}.scripted_transport"):
        yield answers


def test_unacknowledged_notification_is_delivered_on_the_next_attempt(gift, network):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    assert (event.attempts, event.last_status, event.delivered_at) == (1, "503", None)
    assert Gift.objects.get(pk=gift.pk).status == "pending"

    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.attempts, event.last_status) == (2, "200")
    assert event.delivered_at is not None
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_network_errors_are_recorded_then_delivery_succeeds(gift, network):
    network.extend([ConnectionRefusedError(), TimeoutError()])
    pay(gift)
    event = SandboxEvent.objects.get()
    assert (event.attempts, event.last_status) == (1, "ConnectionRefusedError")
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.attempts, event.last_status, event.delivered_at) == (2, "TimeoutError", None)
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.attempts, event.last_status) == (3, "200")
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_an_acknowledged_event_is_not_sent_again_but_a_duplicate_is(gift, network):
    pay(gift)
    event = SandboxEvent.objects.get()
    first = event.delivered_at
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.attempts, event.delivered_at, event.next_attempt_at) == (1, first, None)
    deliver_sandbox_event(event.pk, duplicate=True)  # the account's "send each notification twice"
    gift.refresh_from_db()
    assert gift.entries.filter(kind="gift.received").count() == 1


def test_the_payment_is_settled_when_the_payer_acts_whatever_becomes_of_its_notifications(gift, network):
    network.extend([None, 500])  # "pending" arrives, "succeeded" does not
    pay(gift, "pending_success")
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "paid"
    assert Gift.objects.get(pk=gift.pk).status == "processing"
    final = SandboxEvent.objects.get(type="payment.succeeded")
    assert final.delivered_at is None and final.next_attempt_at is not None
    deliver_sandbox_event(final.pk)
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_a_rejected_notification_is_retried_like_any_unacknowledged_one(gift, network):
    """A 4xx (say the collectivité changed its secret) is not an acknowledgement."""
    network.append(400)
    pay(gift)
    assert SandboxEvent.objects.get().delivered_at is None


def test_unknown_event_is_dropped_silently(db):
    deliver_sandbox_event("evt_does_not_exist")


@pytest.mark.parametrize(("attempts", "wait"), [(1, 10), (2, 20), (4, 80), (9, 2560), (10, 3600), (30, 3600)])
def test_the_next_attempt_backs_off_exponentially_up_to_an_hour(gift, network, attempts, wait):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    SandboxEvent.objects.filter(pk=event.pk).update(attempts=attempts - 1)
    network.append(503)
    before = timezone.now()
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert event.attempts == attempts
    assert timedelta(seconds=wait) <= event.next_attempt_at - before < timedelta(seconds=wait + 5)


def test_the_sweep_sends_what_is_due_and_only_that(gift, network):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    assert send_due_sandbox_events() == 0  # its next attempt is not due yet
    SandboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert send_due_sandbox_events() == 1
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_what_a_crashed_worker_or_broker_lost_is_sent_by_the_sweep(gift, network):
    """The first attempt's task never ran (the broker lost it): the outbox still has the event."""
    from django.test import TestCase

    from solidaire.payments.providers import provider_for

    with TestCase.captureOnCommitCallbacks(execute=False):  # the queued task is lost
        provider_for(gift.collectivite).pay(gift.checkout_id, "success")
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert send_due_sandbox_events() == 0  # the first attempt is given its chance
    SandboxEvent.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))  # 30 s later
    assert send_due_sandbox_events() == 1
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_an_attempt_in_progress_is_not_sent_twice_by_the_sweep(gift, network):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    SandboxEvent.objects.filter(pk=event.pk).update(next_attempt_at=timezone.now() + timedelta(seconds=59))
    assert send_due_sandbox_events() == 0


def test_the_sandbox_gives_up_after_three_days_like_real_providers(gift, network):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    SandboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=3, minutes=1))
    network.append(503)
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.delivered_at, event.next_attempt_at) == (None, None)
    assert send_due_sandbox_events() == 0
