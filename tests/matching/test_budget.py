"""The public budget: split into pools that add up to it, never exceeded, and when it is nearly
gone a gift is matched with what is left — at most one such partial match per pool — and the
gifts after that get nothing."""

import pytest

from solidaire.campaigns.actions import save_campaign
from solidaire.core.errors import ActionError
from solidaire.matching.engine import expire_holds
from solidaire.matching.models import Allocation, Pool

from ..gifts import approved_registration, start
from .helpers import assert_ledger_holds, campaign_for, give, pools_of, public_money_matched, split_budget

pytestmark = pytest.mark.django_db


def donors(n):
    return [f"donor{i}@example.org" for i in range(n)]


def test_pools_add_up_to_the_budget(personas):
    for budget in (100, 1_234, 399_999, 10_000_000, 123_456_789):
        campaign = campaign_for(personas.a, matching_budget_cents=budget)
        pools = Pool.objects.filter(campaign=campaign)
        assert sum(p.capacity_cents for p in pools) == budget
        assert 1 <= pools.count() <= 16


def test_last_gift_before_the_budget_runs_out_gets_what_is_left(personas):
    registration = approved_registration(campaign_for(personas.a, matching_budget_cents=1_200))

    first, second, third = (give(registration, 500, email=e) for e in donors(3))

    assert [first.match_cents, second.match_cents, third.match_cents] == [500, 500, 200]
    assert third.match_note == "budget"
    assert Allocation.objects.get(gift=third).partial
    assert public_money_matched(registration.campaign) == 1_200


def test_once_the_budget_is_used_up_gifts_get_no_match_but_still_go_through(personas):
    registration = approved_registration(campaign_for(personas.a, matching_budget_cents=1_200))
    for email in donors(3):
        give(registration, 500, email=email)

    late = give(registration, 500, email="late@example.org")

    assert late.status == "confirmed"
    assert late.match_promised_cents == 0
    assert late.match_cents == 0
    assert late.match_note == "budget"
    assert not Allocation.objects.filter(gift=late).exists()
    assert public_money_matched(registration.campaign) == 1_200
    assert_ledger_holds()


def test_each_pool_gives_at_most_one_partial_match_then_nothing(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=2_100)
    split_budget(campaign, [1_050, 1_050])
    registration = approved_registration(campaign)

    matches = [give(registration, 1000, email=email).match_cents for email in donors(5)]

    assert sorted(matches, reverse=True) == [1000, 1000, 50, 50, 0]
    partials = Allocation.objects.filter(partial=True)
    assert partials.count() == 2
    assert sorted(partials.values_list("pool__index", flat=True)) == [0, 1]
    assert pools_of(campaign) == {"capacity": 2_100, "used": 2_100, "reserved": 0}
    assert_ledger_holds()


def test_a_partial_match_released_unused_can_be_given_again(personas):
    """The last donor abandons their partial match: what is left still goes to the next gift."""
    campaign = campaign_for(personas.a, matching_budget_cents=1_200)
    registration = approved_registration(campaign)
    give(registration, 1000, email="first@example.org")
    declined = give(registration, 1000, email="declined@example.org", outcome="decline")
    assert declined.match_promised_cents == 200  # the partial match, then released

    after = give(registration, 1000, email="after@example.org")

    assert after.match_cents == 200
    assert after.match_note == "budget"
    assert pools_of(campaign) == {"capacity": 1_200, "used": 1_200, "reserved": 0}
    assert Allocation.objects.filter(partial=True, status="posted").count() == 1
    assert_ledger_holds()


def test_a_partial_match_whose_hold_ran_out_can_be_given_again(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_200)
    registration = approved_registration(campaign)
    give(registration, 1000, email="first@example.org")
    abandoned = start(registration, 1000, email="abandoned@example.org")
    assert abandoned.match_promised_cents == 200
    expire_holds(now=abandoned.reservation_expires_at)

    assert give(registration, 1000, email="after@example.org").match_cents == 200
    assert_ledger_holds()


def test_matching_never_exceeds_the_budget_however_many_gifts(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=3_333)
    registrations = [approved_registration(campaign) for _ in range(3)]

    gifts = [give(registrations[i % 3], 300 + (i * 137) % 701, email=email) for i, email in enumerate(donors(12))]

    matched = sum(g.match_cents for g in gifts)
    assert matched == 3_333
    assert public_money_matched(campaign) == matched
    assert pools_of(campaign)["used"] == matched
    assert_ledger_holds()


def test_raising_the_budget_adds_capacity_for_the_difference(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_000)
    registration = approved_registration(campaign)
    give(registration, 1000, email="first@example.org")
    assert give(registration, 500, email="second@example.org").match_cents == 0

    campaign.matching_budget_cents = 2_500
    save_campaign(campaign=campaign, territory=("all", [], []), actor=personas.a.admin)

    assert pools_of(campaign) == {"capacity": 2_500, "used": 1_000, "reserved": 0}
    assert give(registration, 500, email="third@example.org").match_cents == 500
    assert_ledger_holds()


def test_a_small_increase_adds_one_pool_not_sixteen_crumbs(personas):
    """Each pool may give one partial match: a 1 € increase spread over sixteen pools would
    hand out sixteen partial matches of 6 cents."""
    campaign = campaign_for(personas.a)  # 100 000 € in 16 pools
    give(approved_registration(campaign), 1000)

    campaign.matching_budget_cents += 100
    save_campaign(campaign=campaign, territory=("all", [], []), actor=personas.a.admin)

    pools = list(Pool.objects.filter(campaign=campaign).order_by("index"))
    assert len(pools) == 17
    assert pools[-1].capacity_cents == 100
    assert sum(p.capacity_cents for p in pools) == 10_000_100


def test_a_large_increase_is_spread_over_new_pools(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_000)
    give(approved_registration(campaign), 1000)

    campaign.matching_budget_cents += 5_000_000
    save_campaign(campaign=campaign, territory=("all", [], []), actor=personas.a.admin)

    added = Pool.objects.filter(campaign=campaign, index__gt=0)
    assert added.count() == 16
    assert sum(p.capacity_cents for p in added) == 5_000_000


def test_lowering_the_budget_below_what_is_matched_is_refused(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=2_000)
    give(approved_registration(campaign), 1000)

    campaign.matching_budget_cents = 500
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=("all", [], []), actor=personas.a.admin)

    assert refused.value.code == "locked"
    assert pools_of(campaign)["capacity"] == 2_000
