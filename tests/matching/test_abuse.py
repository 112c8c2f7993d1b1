"""The obvious abuses of public money: an owner or their staff giving to their own establishment
to have it matched (self-dealing), and one person splitting a gift into many small ones to one shop to farm
the budget — they get at most the match of one maximum gift there."""

import pytest

from solidaire.core.errors import ActionError
from solidaire.vouchers.models import Staff

from ..factories import UserFactory
from ..gifts import approved_registration, start
from .helpers import assert_ledger_holds, campaign_for, give, owed_from_gifts, owed_from_matching

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return campaign_for(personas.a)  # 3 to 10 €, doubled, no limit per donor


# Anti-farming ------------------------------------------------------------------------------


def test_many_small_gifts_to_one_shop_get_the_match_of_one_maximum_gift(campaign):
    shop = approved_registration(campaign)

    matches = [give(shop, 300, email="farmer@example.org").match_cents for _ in range(5)]

    assert matches == [300, 300, 300, 100, 0]
    assert owed_from_matching(shop) == 1000 == campaign.match_for(campaign.max_gift_cents)
    assert owed_from_gifts(shop) > 0, "the gifts themselves still reach the shop"
    assert_ledger_holds()


def test_the_same_farmer_under_other_addresses_paying_with_one_card_is_stopped(campaign):
    """From the same browser: the card seen at the first confirmation counts for the next
    reservations made there, whatever the address."""
    shop = approved_registration(campaign)
    addresses = ["farmer@example.org", "farmer2@example.org", "farmer3@example.net"]

    matches = [
        give(shop, 600, email=a, card="farmer's card", device_id="farmer's laptop").match_cents for a in addresses
    ]

    assert matches == [600, 400, 0]
    assert give(shop, 600, email="neighbour@example.org").match_cents == 600


def test_a_farmer_with_a_fresh_address_and_browser_each_time_is_kept_to_the_open_hold_limits(campaign, settings):
    """Promises are kept, so a card seen for the first time at confirmation cannot take back what
    was promised; what stops a farmer who changes address and browser every time is the limit on
    unpaid reservations per client address (and the hourly rate limit of the gift form)."""
    settings.SOLIDAIRE_HOLDS_PER_ADDRESS = 2
    shop = approved_registration(campaign)
    started = [
        start(shop, 600, email=f"farmer{n}@example.org", client_address="203.0.113.9", device_id=f"browser {n}")
        for n in range(2)
    ]
    with pytest.raises(ActionError) as refused:
        start(shop, 600, email="farmer9@example.org", client_address="203.0.113.9", device_id="browser 9")
    assert refused.value.code == "too_many_open_gifts"
    assert sum(g.match_promised_cents for g in started) == 1200


def test_a_donor_can_still_be_matched_at_other_shops(campaign):
    shop, other = approved_registration(campaign), approved_registration(campaign)
    give(shop, 1000, email="regular@example.org")

    assert give(shop, 1000, email="regular@example.org").match_cents == 0
    assert give(other, 1000, email="regular@example.org").match_cents == 1000


def test_the_anti_farming_allowance_follows_the_ratio(personas):
    campaign = campaign_for(personas.a, matching_ratio_percent=50)
    shop = approved_registration(campaign)

    assert [give(shop, 400, email="farmer@example.org").match_cents for _ in range(3)] == [200, 200, 100]


# Self-dealing ------------------------------------------------------------------------------


def test_an_owner_giving_with_their_account_email_gets_no_match(personas, campaign):
    own = approved_registration(campaign, owner=personas.a.owner)

    gift = give(own, 1000, email=personas.a.owner.email.upper())

    assert gift.status == "confirmed"
    assert gift.match_promised_cents == 0
    assert gift.match_cents == 0
    assert gift.match_note == "own_establishment"
    assert owed_from_matching(own) == 0
    assert_ledger_holds()


def test_an_owner_signed_in_gets_no_match_whatever_address_they_type(personas, campaign):
    own = approved_registration(campaign, owner=personas.a.owner)

    gift = give(own, 1000, email="someone.else@example.net", user=personas.a.owner)

    assert gift.match_cents == 0
    assert gift.match_note == "own_establishment"


def test_an_owner_is_matched_when_giving_to_someone_elses_establishment(personas, campaign):
    approved_registration(campaign, owner=personas.a.owner)
    neighbour = approved_registration(campaign)

    assert give(neighbour, 1000, email=personas.a.owner.email, user=personas.a.owner).match_cents == 2 * 500


def test_the_staff_of_an_establishment_get_no_match_on_it(personas, campaign):
    own = approved_registration(campaign, owner=personas.a.owner)
    waiter = UserFactory(email="waiter@example.org")
    Staff.objects.create(establishment=own.establishment, user=waiter, added_by=personas.a.owner)

    by_account = give(own, 1000, email="tips@example.net", user=waiter)
    by_address = give(own, 1000, email="Waiter@example.org")

    assert (by_account.match_cents, by_account.match_note) == (0, "own_establishment")
    assert (by_address.match_cents, by_address.match_note) == (0, "own_establishment")
    assert give(approved_registration(campaign), 1000, email=waiter.email, user=waiter).match_cents == 1000
    assert_ledger_holds()
