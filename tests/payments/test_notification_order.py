"""Providers deliver notifications out of order. Whatever the order, the gift ends where the
payment really is: a late "pending" or "failed" does not undo a confirmation, and a refund that
arrives before its payment’s confirmation waits (409) until the provider sends it again."""

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation, Pool
from solidaire.payments.models import Notification

from .helpers import entry_kinds, notify, sandbox_body

pytestmark = pytest.mark.django_db


def used(campaign) -> int:
    return sum(p.used_cents for p in Pool.objects.filter(campaign=campaign))


def test_pending_then_success_confirms(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.pending"))
    assert Gift.objects.get(pk=gift.pk).status == "processing"
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)


def test_pending_after_success_is_ignored(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    response = notify(personas.a, sandbox_body(gift, "payment.pending", event_id="evt_late_pending"))
    assert response.status_code == 200
    late = Notification.objects.get(event_id="evt_late_pending")
    assert (late.status, late.reason) == ("ignored", "gift is confirmed")
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)


def test_failure_after_success_is_ignored_and_the_match_stays(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    notify(personas.a, sandbox_body(gift, "payment.failed", event_id="evt_late_failure"))
    assert Notification.objects.get(event_id="evt_late_failure").status == "ignored"
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents, gift.closed_at) == ("confirmed", 500, None)
    assert Allocation.objects.get(gift=gift).status == "posted"
    assert used(gift.campaign) == 500
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_expiry_after_success_is_ignored(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    notify(personas.a, sandbox_body(gift, "checkout.expired", event_id="evt_late_expiry"))
    assert Notification.objects.get(event_id="evt_late_expiry").status == "ignored"
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_success_after_failure_still_confirms_the_payment_that_was_taken(personas, gift):
    """The money was taken after all: the gift is confirmed; its hold was released at the
    failure, so it is matched first come, first served from what is left."""
    notify(personas.a, sandbox_body(gift, "payment.failed"))
    gift.refresh_from_db()
    assert gift.status == "failed"
    assert Allocation.objects.get(gift=gift).status == "released"
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert used(gift.campaign) == 500
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_refund_before_confirmation_waits_then_applies_when_sent_again(
    personas, gift, django_capture_on_commit_callbacks
):
    refund = sandbox_body(gift, "payment.refunded", event_id="evt_early_refund")
    first = notify(personas.a, refund)
    assert first.status_code == 409
    deferred = Notification.objects.get(event_id="evt_early_refund")
    assert (deferred.status, deferred.reason) == ("deferred", "the gift is pending: payment.refunded waits")
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert entry_kinds(gift) == []

    with django_capture_on_commit_callbacks(execute=True):
        notify(personas.a, sandbox_body(gift, "payment.succeeded"))
        again = notify(personas.a, refund)  # the provider retries the refund
    assert again.status_code == 200
    applied = Notification.objects.get(event_id="evt_early_refund")
    assert (applied.status, applied.deliveries) == ("applied", 2)
    gift.refresh_from_db()
    assert gift.status == "refunded"
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted", "gift.refunded", "match.reversed"]
    assert used(gift.campaign) == 0
    # The last e-mail is the refund notice, in the donor’s language.
    with translation.override(gift.language):
        expected = " ".join(render_to_string("donations/email/reversed_subject.txt", {"gift": gift}).split())
    assert mail.outbox[-1].subject.endswith(expected)


def test_refund_sent_again_after_it_was_applied_changes_nothing(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    refund = sandbox_body(gift, "payment.refunded", event_id="evt_refund")
    notify(personas.a, refund)
    notify(personas.a, refund)
    assert Notification.objects.get(event_id="evt_refund").deliveries == 2
    assert entry_kinds(gift).count("gift.refunded") == 1
    assert entry_kinds(gift).count("match.reversed") == 1


def test_a_second_refund_event_for_a_refunded_gift_is_ignored(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    notify(personas.a, sandbox_body(gift, "payment.refunded"))
    notify(personas.a, sandbox_body(gift, "payment.refunded", event_id="evt_other_refund"))
    assert Notification.objects.get(event_id="evt_other_refund").status == "ignored"
    assert entry_kinds(gift).count("gift.refunded") == 1


def test_a_dispute_after_a_refund_is_ignored(personas, gift):
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    notify(personas.a, sandbox_body(gift, "payment.refunded"))
    notify(personas.a, sandbox_body(gift, "dispute.opened", event_id="evt_dispute"))
    assert Notification.objects.get(event_id="evt_dispute").status == "ignored"
    assert Gift.objects.get(pk=gift.pk).status == "refunded"
    assert "dispute.opened" not in entry_kinds(gift)


def test_refunds_are_cumulative_totals_so_reordered_ones_book_each_cent_once(personas, gift):
    """Two partial refunds (2 € then 3 € more: totals 200 then 500) arriving in the wrong
    order: the later total books all 5 €, the earlier one, arriving last, nothing."""
    notify(personas.a, sandbox_body(gift, "payment.succeeded"))
    notify(personas.a, sandbox_body(gift, "payment.refunded", event_id="evt_second", refunded_cents=500))
    notify(personas.a, sandbox_body(gift, "payment.refunded", event_id="evt_first", refunded_cents=200))
    assert Notification.objects.get(event_id="evt_second").status == "applied"
    first = Notification.objects.get(event_id="evt_first")
    assert (first.status, first.reason) == ("ignored", "gift is refunded")
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents) == ("refunded", 500)
    assert used(gift.campaign) == 0
