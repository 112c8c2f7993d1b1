"""What the donor is promised before paying is honoured: the match is reserved (held) when
checkout starts, committed when the provider confirms the payment, released when the payment
fails or the reservation runs out. A payment that arrives after its reservation ran out is
matched first come, first served from what is left — while the campaign is open."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.actions import close_campaign
from solidaire.core.errors import ActionError
from solidaire.donations.models import Gift
from solidaire.ledger.models import Entry
from solidaire.matching.engine import expire_holds
from solidaire.matching.identity import donor_key
from solidaire.matching.models import AllocationStatus, DonorUsage
from solidaire.payments.providers import ProviderError
from solidaire.payments.providers.sandbox import SandboxProvider

from ..gifts import approved_registration, pay, start
from .helpers import (
    EXPIRED,
    FAILED,
    allocation_of,
    assert_ledger_holds,
    begin,
    campaign_for,
    confirm,
    give,
    notify,
    owed_from_matching,
    pools_of,
    public_money_matched,
)

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def reserved_for(registration) -> int:
    return Registration.objects.get(pk=registration.pk).matching_reserved_cents


@pytest.fixture
def registration(personas):
    """A café of a campaign with 12 € of public money left, gifts doubled."""
    return approved_registration(campaign_for(personas.a, matching_budget_cents=1_200))


def test_the_match_is_held_from_checkout_until_its_expiry(registration):
    before = timezone.now()

    gift = start(registration, 500, email="ana@example.org")

    minutes = settings.SOLIDAIRE_RESERVATION_MINUTES
    assert gift.match_promised_cents == 500
    assert before + timedelta(minutes=minutes) <= gift.reservation_expires_at <= later(minutes)
    allocation = allocation_of(gift)
    assert (allocation.status, allocation.amount_cents, allocation.expires_at) == (
        AllocationStatus.HELD,
        500,
        gift.reservation_expires_at,
    )
    assert pools_of(registration.campaign) == {"capacity": 1_200, "used": 0, "reserved": 500}
    assert reserved_for(registration) == 500
    assert DonorUsage.objects.get(key=f"{donor_key('ana@example.org')}|reg:{registration.pk}").reserved_cents == 500
    assert not Entry.objects.exists(), "nothing is in the journal before the payment"


def test_a_held_match_is_committed_when_the_payment_is_confirmed(registration):
    gift = pay(start(registration, 500, email="ana@example.org"))

    assert gift.match_cents == 500
    assert allocation_of(gift).status == AllocationStatus.POSTED
    assert pools_of(registration.campaign) == {"capacity": 1_200, "used": 500, "reserved": 0}
    assert reserved_for(registration) == 0
    assert owed_from_matching(registration) == 500
    assert list(Entry.objects.filter(gift=gift).values_list("kind", flat=True)) == [
        "gift.received",
        "gift.fee",
        "match.posted",
    ]
    assert_ledger_holds()


def test_held_matches_are_not_given_twice(registration):
    first = start(registration, 1000, email="ana@example.org")
    second = start(registration, 1000, email="bob@example.org")

    assert (first.match_promised_cents, second.match_promised_cents) == (1000, 200)
    assert pools_of(registration.campaign)["reserved"] == 1_200


@pytest.mark.parametrize("outcome", ["decline", "pending_failure"])
def test_a_failed_payment_releases_the_held_match(registration, outcome):
    gift = pay(start(registration, 1000, email="ana@example.org"), outcome)

    assert gift.status == "failed"
    assert gift.match_cents == 0
    assert allocation_of(gift).status == AllocationStatus.RELEASED
    assert pools_of(registration.campaign) == {"capacity": 1_200, "used": 0, "reserved": 0}
    assert reserved_for(registration) == 0
    assert public_money_matched(registration.campaign) == 0
    assert give(registration, 1000, email="bob@example.org").match_cents == 1000
    assert_ledger_holds()


def test_an_abandoned_checkout_releases_the_held_match(registration):
    gift = start(registration, 1000, email="ana@example.org")

    notify(gift, EXPIRED)

    assert gift.status == "expired"
    assert allocation_of(gift).status == AllocationStatus.RELEASED
    assert pools_of(registration.campaign)["reserved"] == 0


def test_a_checkout_the_provider_refuses_releases_the_held_match(registration, monkeypatch):
    def unreachable(self, gift, **kwargs):
        raise ProviderError("timeout")

    monkeypatch.setattr(SandboxProvider, "create_checkout", unreachable)

    with pytest.raises(ActionError):
        start(registration, 1000, email="ana@example.org")

    gift = Gift.objects.get()
    assert gift.status == "failed"
    assert allocation_of(gift).status == AllocationStatus.RELEASED
    assert pools_of(registration.campaign)["reserved"] == 0


def test_holds_are_released_when_their_time_is_up_and_not_before(registration):
    gift = start(registration, 1000, email="ana@example.org")
    minutes = settings.SOLIDAIRE_RESERVATION_MINUTES

    assert expire_holds(now=later(minutes - 1)) == 0
    assert allocation_of(gift).status == AllocationStatus.HELD

    assert expire_holds(now=later(minutes + 1)) == 1
    assert allocation_of(gift).status == AllocationStatus.RELEASED
    assert pools_of(registration.campaign)["reserved"] == 0
    assert reserved_for(registration) == 0
    assert expire_holds(now=later(minutes + 2)) == 0, "a hold is released once"
    assert_ledger_holds()


def test_a_payment_after_its_hold_ran_out_is_matched_from_what_is_left(registration):
    late = start(registration, 1000, email="late@example.org")
    expire_holds(now=later(settings.SOLIDAIRE_RESERVATION_MINUTES + 1))
    punctual = start(registration, 1000, email="punctual@example.org")
    assert punctual.match_promised_cents == 1000

    late = pay(late, card="late's card")
    punctual = pay(punctual, card="punctual's card")

    assert late.status == "confirmed"
    assert late.match_cents == 200
    assert late.match_note == "reservation_expired"  # told why, in words (test_promises_kept.py)
    assert punctual.match_cents == 1000, "a valid promise is honoured"
    assert public_money_matched(registration.campaign) == 1_200
    assert_ledger_holds()


def test_a_payment_after_its_hold_ran_out_but_before_the_sweep_is_matched_from_what_is_left(registration):
    minutes = settings.SOLIDAIRE_RESERVATION_MINUTES
    late = begin(registration, 1000, email="late@example.org", minutes_ago=minutes + 1)
    fresh = begin(registration, 1000, email="fresh@example.org")
    assert (late.match_promised_cents, fresh.match_promised_cents) == (1000, 200)

    confirm(late, card="late's card")  # its hold, not yet swept, goes back to the pool first
    confirm(fresh, card="fresh's card")

    assert (late.match_cents, fresh.match_cents) == (1000, 200)
    assert pools_of(registration.campaign) == {"capacity": 1_200, "used": 1_200, "reserved": 0}
    assert_ledger_holds()


def test_an_expired_hold_not_yet_swept_is_released_when_a_late_payment_finds_the_campaign_closed(
    personas, registration
):
    late = begin(registration, 1000, email="late@example.org", minutes_ago=settings.SOLIDAIRE_RESERVATION_MINUTES + 1)
    close_campaign(campaign=registration.campaign, actor=personas.a.admin)

    confirm(late)

    assert (late.status, late.match_cents, late.match_note) == ("confirmed", 0, "campaign_closed")
    assert allocation_of(late).status == AllocationStatus.RELEASED
    assert pools_of(registration.campaign) == {"capacity": 1_200, "used": 0, "reserved": 0}
    assert reserved_for(registration) == 0
    assert_ledger_holds()


def test_a_late_payment_is_not_matched_once_the_campaign_is_closed(personas, registration):
    gift = start(registration, 1000, email="ana@example.org")
    expire_holds(now=later(settings.SOLIDAIRE_RESERVATION_MINUTES + 1))
    close_campaign(campaign=registration.campaign, actor=personas.a.admin)

    gift = pay(gift)

    assert gift.status == "confirmed"
    assert gift.match_cents == 0
    assert gift.match_note == "campaign_closed"
    assert public_money_matched(registration.campaign) == 0
    assert_ledger_holds()


def test_a_promise_still_held_is_honoured_after_the_campaign_closes(personas, registration):
    gift = start(registration, 1000, email="ana@example.org")
    close_campaign(campaign=registration.campaign, actor=personas.a.admin)

    assert pay(gift).match_cents == 1000
    assert_ledger_holds()


def test_a_failure_after_the_confirmation_changes_nothing(registration):
    gift = give(registration, 1000, email="ana@example.org")

    notify(gift, FAILED)

    assert gift.status == "confirmed"
    assert gift.match_cents == 1000
    assert allocation_of(gift).status == AllocationStatus.POSTED
    assert public_money_matched(registration.campaign) == 1000
