"""payments.tasks.deliver_sandbox_event: a notification the receiving site does not
acknowledge (an error status, a network error) is sent again — by a worker with exponential
backoff — and every attempt, the last answer and the delivery time are recorded."""

import pytest
from celery.exceptions import MaxRetriesExceededError, Retry
from django.test import override_settings

from solidaire.donations.models import Gift
from solidaire.payments.models import SandboxCheckout, SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event

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


def test_delivering_again_after_success_keeps_the_first_delivery_time_and_confirms_once(gift, network):
    pay(gift)
    event = SandboxEvent.objects.get()
    first = event.delivered_at
    deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert (event.attempts, event.delivered_at) == (2, first)
    gift.refresh_from_db()
    assert gift.entries.filter(kind="gift.received").count() == 1


def test_a_processing_checkout_settles_only_when_its_final_event_is_delivered(gift, network):
    network.extend([200, 500])  # "pending" arrives, "succeeded" does not
    pay(gift, "pending_success")
    checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
    assert checkout.status == "processing"
    final = SandboxEvent.objects.get(type="payment.succeeded")
    deliver_sandbox_event(final.pk)
    checkout.refresh_from_db()
    assert checkout.status == "paid"
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_a_rejected_notification_is_retried_like_any_unacknowledged_one(gift, network):
    """A 4xx (say the collectivité changed its secret) is not an acknowledgement."""
    network.append(400)
    pay(gift)
    assert SandboxEvent.objects.get().delivered_at is None


def test_unknown_event_is_dropped_silently(db):
    deliver_sandbox_event("evt_does_not_exist")


@pytest.mark.parametrize(("retries", "countdown"), [(0, 2), (1, 4), (3, 16), (7, 256), (8, 300), (11, 300)])
def test_a_worker_retries_with_exponential_backoff_capped_at_five_minutes(gift, network, retries, countdown):
    network.append(503)
    pay(gift)
    event = SandboxEvent.objects.get()
    network.extend([503, 503])  # this attempt, and the eager re-run that retry() queues in tests
    deliver_sandbox_event.push_request(
        args=[event.pk], kwargs={}, retries=retries, is_eager=False, called_directly=False
    )
    try:
        with pytest.raises(Retry) as retried:
            deliver_sandbox_event.run(event.pk)
    finally:
        deliver_sandbox_event.pop_request()
    assert retried.value.when == countdown


def test_a_worker_gives_up_after_twelve_retries(gift, network):
    network.extend([503, 503])
    pay(gift)
    event = SandboxEvent.objects.get()
    deliver_sandbox_event.push_request(args=[event.pk], kwargs={}, retries=12, is_eager=False, called_directly=False)
    try:
        with pytest.raises(MaxRetriesExceededError):
            deliver_sandbox_event.run(event.pk)
    finally:
        deliver_sandbox_event.pop_request()
