"""The match is the gift times the campaign’s ratio, rounded down to the cent: the collectivité
never adds a fraction of a cent more than it said. The donor sees it before paying and the
beneficiary is owed exactly that once the payment is confirmed."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.matching.models import AllocationStatus

from ..gifts import approved_registration, start
from .helpers import allocation_of, campaign_for, give, owed_from_matching, public_money_matched

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("ratio", "gift", "match"),
    [
        (50, 500, 250),
        (50, 1000, 500),
        (100, 500, 500),
        (100, 1000, 1000),
        (200, 500, 1000),
        (200, 1000, 2000),
    ],
)
def test_gift_is_matched_at_the_campaign_ratio(personas, ratio, gift, match):
    registration = approved_registration(campaign_for(personas.a, matching_ratio_percent=ratio))

    confirmed = give(registration, gift)

    assert confirmed.status == "confirmed"
    assert confirmed.match_promised_cents == match
    assert confirmed.match_cents == match
    assert owed_from_matching(registration) == match
    assert public_money_matched(registration.campaign) == match


@pytest.mark.parametrize(("ratio", "gift", "match"), [(50, 333, 166), (50, 999, 499), (33, 1000, 330), (150, 333, 499)])
def test_fractions_of_a_cent_are_rounded_down(personas, ratio, gift, match):
    registration = approved_registration(campaign_for(personas.a, matching_ratio_percent=ratio))

    assert give(registration, gift).match_cents == match


def test_donor_sees_the_match_before_paying_and_it_is_held_for_them(personas):
    registration = approved_registration(campaign_for(personas.a, matching_ratio_percent=200))

    gift = start(registration, 700)

    assert gift.status == "pending"
    assert gift.match_promised_cents == 1400
    assert gift.reservation_expires_at is not None
    assert allocation_of(gift).status == AllocationStatus.HELD
    assert gift.match_cents == 0
    assert public_money_matched(registration.campaign) == 0, "nothing is committed before the payment"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ratio=st.integers(1, 1000), amount=st.integers(300, 1000))
def test_any_ratio_and_amount_give_the_product_rounded_down(personas, ratio, amount):
    registration = approved_registration(campaign_for(personas.a, matching_ratio_percent=ratio))

    gift = give(registration, amount, email=f"ratio-{ratio}-{amount}@example.org")

    assert gift.match_cents == amount * ratio // 100
    assert gift.match_cents * 100 <= amount * ratio < (gift.match_cents + 1) * 100
