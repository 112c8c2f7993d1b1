"""No stranded budget: a pool gives at most one partial match at a time; when that partial match
is reversed (a refund, a lost dispute), the pool may give a partial match again, so the public
money it frees can always be used."""

import pytest

from solidaire.matching.models import Allocation, Pool

from ..gifts import approved_registration
from .helpers import (
    assert_ledger_holds,
    campaign_for,
    charge_back,
    give,
    pools_of,
    refund_through_provider,
    split_budget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    """13 € of public money in one pool: a 10 € match, then a partial 3 € one."""
    campaign = campaign_for(personas.a, matching_budget_cents=1_300)
    split_budget(campaign, [1_300])
    return campaign


@pytest.fixture
def cafes(campaign):
    return [approved_registration(campaign) for _ in range(4)]


@pytest.mark.parametrize("how", ["refund", "lost dispute"])
def test_a_reversed_partial_match_lets_its_pool_give_a_partial_match_again(personas, cafes, how):
    give(cafes[0], 1000, email="ana@example.org")
    partial = give(cafes[1], 1000, email="bob@example.org")
    assert (partial.match_cents, Allocation.objects.get(gift=partial).partial) == (300, True)
    assert Pool.objects.get().partial_taken

    if how == "refund":
        refund_through_provider(partial, personas.a.finance)
    else:
        charge_back(partial)

    assert not Pool.objects.get().partial_taken
    again = give(cafes[2], 1000, email="carla@example.org")
    assert (again.match_cents, again.match_note) == (300, "budget")
    assert pools_of(cafes[0].campaign) == {"capacity": 1_300, "used": 1_300, "reserved": 0}
    assert_ledger_holds()


def test_what_a_partly_reversed_partial_match_frees_goes_to_a_whole_match_that_fits(personas):
    """Half of a partial match refunded: the partial match still stands (halved), so its pool
    gives no other partial one, but the money it freed matches the next gift it fits whole."""
    campaign = campaign_for(personas.a, matching_budget_cents=1_300, matching_ratio_percent=50)
    split_budget(campaign, [1_300])
    cafes = [approved_registration(campaign) for _ in range(4)]
    give(cafes[0], 1000, email="ana@example.org")
    give(cafes[1], 1000, email="bob@example.org")
    partial = give(cafes[2], 1000, email="carla@example.org")
    assert (partial.match_cents, Allocation.objects.get(gift=partial).partial) == (300, True)

    refund_through_provider(partial, personas.a.finance, amount_cents=500)  # 150 of its 300 come back

    assert Pool.objects.get().partial_taken, "the partial match still stands, halved"
    assert pools_of(campaign)["used"] == 1_150
    assert give(cafes[3], 300, email="dan@example.org").match_cents == 150
    assert pools_of(campaign)["used"] == 1_300
    assert_ledger_holds()
