"""Matching under real concurrency, on PostgreSQL: many threads, each with its own connection
and transaction, start, confirm, fail and expire gifts at the same moment (lined up on a
barrier). The budget, the per-donor limit and the one-partial-per-pool rule still hold, every
confirmation is applied once, nothing deadlocks, and the ledger checks pass afterwards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from solidaire.donations.actions import create_gift
from solidaire.donations.models import Gift
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry
from solidaire.matching.engine import expire_holds
from solidaire.matching.models import Allocation, AllocationStatus
from solidaire.payments import inbox
from solidaire.payments.models import Notification

from ..gifts import approved_registration
from ..threads import POSTGRES_ONLY, all_at_once
from .helpers import (
    FAILED,
    REFUNDED,
    SUCCEEDED,
    begin,
    campaign_for,
    event,
    pools_of,
    public_money_matched,
    split_budget,
)

pytestmark = POSTGRES_ONLY


def confirm_in_thread(gift, card):
    status, _notification = inbox.apply(
        collectivite=gift.collectivite, provider_name=gift.provider, event=event(gift, SUCCEEDED, card=card)
    )
    assert status == 200
    gift.refresh_from_db()
    return gift


def assert_ledger_holds():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]


def test_32_confirmations_at_once_each_get_the_match_they_were_promised(personas):
    campaign = campaign_for(personas.a)  # 100 000 € in 16 pools
    cafes = [approved_registration(campaign) for _ in range(4)]
    gifts = [begin(cafes[i % 4], 300 + 20 * i, email=f"donor{i}@example.org") for i in range(32)]
    assert all(g.match_promised_cents == g.amount_cents for g in gifts)

    confirmed = all_at_once(32, lambda i: confirm_in_thread(gifts[i], card=f"card {i}"))

    assert all(g.status == "confirmed" for g in confirmed)
    assert [g.match_cents for g in confirmed] == [g.match_promised_cents for g in gifts]
    promised = sum(g.match_promised_cents for g in gifts)
    assert pools_of(campaign) == {"capacity": 10_000_000, "used": promised, "reserved": 0}
    assert public_money_matched(campaign) == promised
    assert Entry.objects.filter(kind="gift.received").count() == 32
    assert_ledger_holds()


def test_32_donors_starting_gifts_against_a_nearly_empty_budget_never_overdraw_it(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_200)  # 12 € left, one pool
    cafes = [approved_registration(campaign) for _ in range(4)]

    def start(i):
        gift, _token = create_gift(registration=cafes[i % 4], amount_cents=500, email=f"donor{i}@example.org")
        return gift

    gifts = all_at_once(32, start)

    promised = sorted((g.match_promised_cents for g in gifts), reverse=True)
    assert promised[:3] == [500, 500, 200]
    assert set(promised[3:]) == {0}
    assert pools_of(campaign) == {"capacity": 1_200, "used": 0, "reserved": 1_200}

    confirmed = all_at_once(32, lambda i: confirm_in_thread(gifts[i], card=f"card {i}"))

    assert sorted((g.match_cents for g in confirmed), reverse=True) == promised
    assert public_money_matched(campaign) == 1_200
    assert Allocation.objects.filter(partial=True).count() == 1
    assert_ledger_holds()


@pytest.mark.parametrize(
    ("pools", "matches"),
    [
        ([1_200], [500, 500, 200]),
        ([300, 300, 300, 300], [300, 300, 300, 300]),
        ([1_100, 1_000, 900], [500] * 5 + [400, 100]),
    ],
    ids=["one pool", "four pools too small for a whole match", "three pools"],
)
def test_32_late_payments_share_what_is_left_first_come_first_served(personas, pools, matches):
    """Their holds ran out: each confirmation takes what the pools still have, at most one
    partial match per pool."""
    campaign = campaign_for(personas.a, matching_budget_cents=sum(pools))
    split_budget(campaign, pools)
    cafes = [approved_registration(campaign) for _ in range(8)]
    gifts = [begin(cafes[i % 8], 500, email=f"donor{i}@example.org") for i in range(32)]
    expire_holds(now=timezone.now() + timedelta(hours=1))
    assert pools_of(campaign)["reserved"] == 0

    confirmed = all_at_once(32, lambda i: confirm_in_thread(gifts[i], card=f"card {i}"))

    got = sorted((g.match_cents for g in confirmed), reverse=True)
    assert got == matches + [0] * (32 - len(matches))
    assert all(g.status == "confirmed" for g in confirmed)
    assert public_money_matched(campaign) == sum(pools)
    partials = Allocation.objects.filter(partial=True, status=AllocationStatus.POSTED)
    assert partials.count() == len([m for m in matches if m < 500])
    assert partials.values("pool").distinct().count() == partials.count(), "one partial per pool"
    assert_ledger_holds()


def test_the_same_notification_delivered_16_times_at_once_is_applied_once(personas):
    campaign = campaign_for(personas.a)
    gift = begin(approved_registration(campaign), 700, email="ana@example.org")
    same = event(gift, SUCCEEDED, card="4242")

    def deliver(_i):
        return inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=same)[0]

    statuses = all_at_once(16, deliver)

    assert statuses == [200] * 16
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 700)
    notification = Notification.objects.get()
    assert (notification.event_id, notification.status, notification.deliveries) == (same.event_id, "applied", 16)
    assert Entry.objects.filter(kind="gift.received").count() == 1
    assert Entry.objects.filter(kind="match.posted").count() == 1
    assert public_money_matched(campaign) == 700
    assert_ledger_holds()


def test_8_gifts_by_one_donor_at_once_stay_within_the_limit_per_donor(personas):
    campaign = campaign_for(personas.a, donor_limit_cents=1_000)
    cafes = [approved_registration(campaign) for _ in range(8)]

    def start(i):
        gift, _token = create_gift(registration=cafes[i], amount_cents=400, email="ana@example.org")
        return gift

    gifts = all_at_once(8, start)

    assert sum(g.match_promised_cents for g in gifts) == 1_000
    confirmed = all_at_once(8, lambda i: confirm_in_thread(gifts[i], card="ana's card"))
    assert sum(g.match_cents for g in confirmed) == 1_000
    assert_ledger_holds()


def test_one_card_behind_8_addresses_at_once_keeps_the_promises_then_stops_them_all(personas):
    """The card is not known when the eight promises are made: they are kept. From then on the
    card links the eight addresses, and none of them gets public money any more."""
    campaign = campaign_for(personas.a, donor_limit_cents=1_000)
    cafes = [approved_registration(campaign) for _ in range(9)]
    gifts = [begin(cafes[i], 400, email=f"alias{i}@example.org") for i in range(8)]
    assert sum(g.match_promised_cents for g in gifts) == 3_200

    confirmed = all_at_once(8, lambda i: confirm_in_thread(gifts[i], card="one card"))

    assert sum(g.match_cents for g in confirmed) == 3_200
    assert pools_of(campaign)["reserved"] == 0
    later = all_at_once(8, lambda i: begin(cafes[8], 400, email=f"alias{i}@example.org").match_promised_cents)
    assert later == [0] * 8
    assert_ledger_holds()


def test_confirmations_failures_refunds_and_expiries_at_one_cafe_do_not_deadlock(personas):
    """Posting a match, releasing a hold and reversing a match touch the same pool, café and
    donor counters: whatever order they come in, every transaction goes through."""
    campaign = campaign_for(personas.a, matching_budget_cents=16_000)  # one pool
    cafe = approved_registration(campaign)
    held = [begin(cafe, 500, email=f"donor{i % 8}@example.org") for i in range(16)]
    paid = [begin(cafe, 500, email=f"paid{i}@example.org") for i in range(8)]
    for i, gift in enumerate(paid):
        confirm_in_thread(gift, card=f"paid card {i}")
    stale = [begin(cafe, 500, email=f"late{i}@example.org", minutes_ago=60) for i in range(7)]
    assert pools_of(campaign) == {"capacity": 16_000, "used": 8 * 500, "reserved": 23 * 500}

    def work(i):
        if i == 31:
            return expire_holds(now=timezone.now())
        gift, kind = [
            *((g, SUCCEEDED) for g in held[:8]),
            *((g, FAILED) for g in held[8:]),
            *((g, REFUNDED) for g in paid),
            *((g, SUCCEEDED) for g in stale),
        ][i]
        payment_event = event(gift, kind, card=f"card {i}")
        return inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=payment_event)[0]

    assert all_at_once(32, work)[:31] == [200] * 31

    statuses = [g.status for g in Gift.objects.filter(registration=cafe).order_by("created_at")]
    assert statuses.count("confirmed") == 8 + 7
    assert statuses.count("failed") == 8
    assert statuses.count("refunded") == 8
    assert pools_of(campaign) == {"capacity": 16_000, "used": 15 * 500, "reserved": 0}
    assert_ledger_holds()
