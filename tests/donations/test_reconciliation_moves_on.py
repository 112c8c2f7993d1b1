"""Reconciliation settles gifts whatever their age and never stalls: a gift it cannot settle —
the provider cannot answer, or has nothing to say — is reported and asked about again later, less
and less often, while the others go on being settled."""

from datetime import timedelta

import pytest
from django.test import TestCase, override_settings
from django.utils import timezone

from solidaire.donations.models import Gift
from solidaire.donations.reconciliation import BATCH, backoff, reconcile
from solidaire.payments.providers import base
from solidaire.payments.providers.sandbox import SandboxProvider

from ..gifts import pay, start

pytestmark = pytest.mark.django_db

LOST = override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.payments.helpers.lost_transport")


def paid_but_never_notified(cafe, email):
    with LOST:
        return pay(start(cafe, 500, email=email), "success")


def test_a_gift_started_long_ago_is_still_settled(cafe):
    gift = paid_but_never_notified(cafe, "old@example.org")
    Gift.objects.filter(pk=gift.pk).update(created_at=timezone.now() - timedelta(days=40))
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = reconcile(now=timezone.now() + timedelta(minutes=16))
    assert counts["applied"] == 1
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_gifts_that_cannot_settle_do_not_hold_up_the_others(cafe, monkeypatch):
    """More gifts than one round takes can never settle (the provider does not answer about them):
    each check pushes them back, so the round after reaches the gift that can be settled."""
    stuck = [start(cafe, 300, email=f"stuck{n}@example.org") for n in range(3)]
    settle = paid_but_never_notified(cafe, "payer@example.org")
    start_time = timezone.now() + timedelta(minutes=16)
    Gift.objects.filter(pk__in=[g.pk for g in stuck]).update(reconcile_after=start_time - timedelta(hours=1))
    original = SandboxProvider.fetch_payment

    def provider_down_for_the_stuck(self, gift):
        if gift.email.startswith("stuck"):
            raise base.ProviderError("the provider does not answer")
        return original(self, gift)

    monkeypatch.setattr(SandboxProvider, "fetch_payment", provider_down_for_the_stuck)

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = reconcile(now=start_time, limit=3)
    assert (first["checked"], first["errors"], first["applied"]) == (3, 3, 0)
    assert len(first["problems"]) == 3 and "does not answer" in first["problems"][0]
    assert Gift.objects.get(pk=settle.pk).status == "pending"

    with TestCase.captureOnCommitCallbacks(execute=True):
        second = reconcile(now=start_time, limit=3)
    assert second["applied"] == 1
    assert Gift.objects.get(pk=settle.pk).status == "confirmed"
    for gift in stuck:
        gift.refresh_from_db()
        assert gift.reconcile_attempts == 1
        assert gift.reconcile_after == start_time + backoff(1)


def test_a_gift_that_settles_is_not_asked_about_again(cafe):
    gift = paid_but_never_notified(cafe, "payer@example.org")
    later = timezone.now() + timedelta(minutes=16)
    with TestCase.captureOnCommitCallbacks(execute=True):
        reconcile(now=later)
    gift.refresh_from_db()
    assert (gift.status, gift.reconcile_after) == ("confirmed", None)
    assert reconcile(now=later + timedelta(days=2))["checked"] == 0


def test_checks_come_less_and_less_often_up_to_once_a_day():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)]
    assert backoff(20) == timedelta(days=1)


def test_one_round_is_bounded():
    assert 0 < BATCH <= 1000
