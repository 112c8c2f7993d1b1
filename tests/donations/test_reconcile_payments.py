"""`solidaire reconcile-payments`: for gifts left pending, ask the provider what became of the
payment and apply the answer through the notification inbox (a Notification `reconcile:…`),
exactly once — running it again changes nothing more, and the late notification neither.
(Reconciliation of refunds, of old gifts and of gifts it cannot settle:
test_reconciliation_moves_on.py.)"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation
from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event

from ..factories import CampaignFactory
from ..gifts import approved_registration, pay, start
from .helpers import entry_kinds, pools

pytestmark = pytest.mark.django_db

LOST = override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.payments.helpers.lost_transport")


def reconcile(*args) -> str:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):  # e-mails leave after the commit
        call_command("reconcile-payments", "--all", *args, stdout=out)
    return out.getvalue()


def paid_but_never_notified(cafe, outcome="success", **kwargs):
    with LOST:
        gift = pay(start(cafe, 500, **kwargs), outcome)
    assert gift.status == "pending"
    assert SandboxEvent.objects.filter(checkout_id=gift.checkout_id, delivered_at=None).exists()
    return gift


def test_a_payment_whose_notification_never_arrived_is_applied(cafe):
    gift = paid_but_never_notified(cafe)
    output = reconcile()
    assert "checked: 1, applied: 1" in output
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert pools(cafe.campaign) == (500, 0)
    notification = Notification.objects.get()
    assert notification.event_id == f"reconcile:{gift.checkout_id}:paid"
    assert (notification.status, notification.provider, notification.gift) == ("applied", "sandbox", gift)
    assert len(mail.outbox) == 1


def test_running_it_twice_changes_nothing_more(cafe):
    gift = paid_but_never_notified(cafe)
    reconcile()
    output = reconcile()
    assert "applied: 0" in output
    assert Notification.objects.count() == 1
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert len(mail.outbox) == 1


def test_the_late_notification_after_reconciliation_changes_nothing(cafe):
    gift = paid_but_never_notified(cafe)
    reconcile()
    with TestCase.captureOnCommitCallbacks(execute=True):
        deliver_sandbox_event(SandboxEvent.objects.get(checkout_id=gift.checkout_id).pk)
    late = Notification.objects.exclude(event_id__startswith="reconcile:").get()
    assert (late.status, late.reason) == ("ignored", "gift is confirmed")
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert len(mail.outbox) == 1


def test_a_failed_payment_is_closed_and_its_match_released(cafe):
    gift = paid_but_never_notified(cafe, "decline")
    reconcile()
    gift.refresh_from_db()
    assert gift.status == "failed"
    assert Allocation.objects.get(gift=gift).status == "released"
    assert pools(cafe.campaign) == (0, 0)


def test_a_payment_settled_at_the_provider_is_confirmed_though_none_of_its_notifications_arrived(cafe):
    """The payer chose "pending, then succeeds": the provider’s side says paid from that moment
    (whatever happens to the notifications), and reconciliation applies it once."""
    gift = paid_but_never_notified(cafe, "pending_success")
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "paid"
    assert "applied: 1" in reconcile()
    assert "checked: 0" in reconcile()  # settled: nothing left to ask
    assert Notification.objects.get(event_id=f"reconcile:{gift.checkout_id}:paid").status == "applied"
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_an_abandoned_checkout_expires_the_gift_and_releases_its_match(cafe):
    gift = start(cafe, 500)
    SandboxCheckout.objects.filter(pk=gift.checkout_id).update(expires_at=timezone.now() - timedelta(minutes=1))
    reconcile()
    gift.refresh_from_db()
    assert gift.status == "expired"
    assert Allocation.objects.get(gift=gift).status == "released"
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "expired"


def test_an_open_checkout_is_left_alone(cafe):
    gift = start(cafe, 500)
    output = reconcile()
    assert "checked: 1, applied: 0, unchanged: 1" in output
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert not Notification.objects.exists()


def test_recent_gifts_are_left_for_their_notifications(cafe):
    paid_but_never_notified(cafe)
    out = StringIO()
    call_command("reconcile-payments", stdout=out)  # default: gifts older than 15 minutes
    assert "checked: 0" in out.getvalue()
    assert not Notification.objects.exists()


def test_gifts_of_every_collectivite_are_reconciled_each_in_its_own_inbox(personas, cafe):
    mine = paid_but_never_notified(cafe)
    metz = approved_registration(CampaignFactory(collectivite=personas.b.tenant), commune="57463")
    theirs = paid_but_never_notified(metz)
    reconcile()
    assert Notification.objects.get(gift=mine).collectivite == personas.a.tenant
    assert Notification.objects.get(gift=theirs).collectivite == personas.b.tenant
    assert {g.status for g in Gift.objects.all()} == {"confirmed"}
