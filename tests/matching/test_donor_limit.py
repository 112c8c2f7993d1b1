"""The limit per donor: one person takes at most that much public money in a campaign, whether
they come back with the same e-mail written differently or with another e-mail and the same
card. The card is only known when the provider confirms the payment (its fingerprint): what was
promised at checkout is kept, and the card counts for the reservations that come after it — of
every address it was seen behind, and of the browser it was paid from."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.matching.identity import donor_key
from solidaire.matching.models import DonorUsage

from ..gifts import approved_registration, start
from .helpers import assert_ledger_holds, campaign_for, give

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    """Up to 10 € of matching per donor (so that anti-farming, also 10 €, is never what stops them)."""
    return campaign_for(personas.a, donor_limit_cents=1_000)


@pytest.fixture
def cafes(campaign):
    return [approved_registration(campaign) for _ in range(4)]


def test_one_donor_is_matched_up_to_the_limit_across_establishments(cafes):
    first = give(cafes[0], 600, email="ana@example.org")
    second = give(cafes[1], 600, email="ana@example.org")
    third = give(cafes[2], 600, email="ana@example.org")

    assert [first.match_cents, second.match_cents, third.match_cents] == [600, 400, 0]
    assert second.match_note == third.match_note == "donor_limit"
    assert_ledger_holds()


@pytest.mark.parametrize(
    "again",
    [
        "ANA@Example.ORG",
        " ana@example.org ",
        "ana+cafes@example.org",
    ],
)
def test_the_same_address_written_differently_is_the_same_donor(cafes, again):
    give(cafes[0], 1000, email="ana@example.org")

    assert give(cafes[1], 500, email=again).match_cents == 0


@pytest.mark.parametrize("again", ["j.doe@gmail.com", "JDoe+x@gmail.com", "j.d.o.e+cafe@gmail.com"])
def test_gmail_dots_and_tags_are_the_same_donor(cafes, again):
    give(cafes[0], 1000, email="jdoe@gmail.com")

    assert give(cafes[1], 500, email=again).match_cents == 0


def test_googlemail_is_gmail(cafes):
    give(cafes[0], 1000, email="jdoe@gmail.com")

    assert give(cafes[1], 500, email="j.doe@googlemail.com").match_cents == 0


def test_dots_do_not_make_another_donor(cafes):
    """Folded everywhere, not only at Gmail: two spellings of one mailbox share one limit (two
    people whose addresses differ only by dots would share it too — never more money)."""
    give(cafes[0], 1000, email="j.doe@example.org")

    assert give(cafes[1], 500, email="jdoe@example.org").match_cents == 0


def test_the_same_card_under_another_address_is_the_same_donor_from_then_on(cafes):
    give(cafes[0], 800, email="ana@example.org", card="4242 ana")

    other_address = start(cafes[1], 800, email="ana.bis@example.net")
    assert other_address.match_promised_cents == 800, "the card is unknown until the payment is confirmed"
    other_address = give_with_card(other_address, "4242 ana")
    assert other_address.match_cents == 800, "what was promised is kept"

    again = start(cafes[2], 500, email="ana.bis@example.net")
    assert (again.match_promised_cents, again.match_note) == (0, "donor_limit")
    assert start(cafes[3], 500, email="ana@example.org").match_promised_cents == 0
    assert_ledger_holds()


def test_the_card_label_is_the_cards_fingerprint(cafes):
    give(cafes[0], 1000, email="ana@example.org", card="4000 0025")
    give(cafes[1], 500, email="bob@example.org", card=" 4000 0025 ")

    assert start(cafes[2], 500, email="bob@example.org").match_promised_cents == 0
    assert give(cafes[3], 500, email="carla@example.org", card="5555").match_cents == 500


def test_a_card_reaching_the_limit_at_confirmation_keeps_the_promise(campaign, cafes):
    give(cafes[0], 1000, email="ana@example.org", card="shared")
    gift = give_with_card(start(cafes[1], 700, email="bob@example.org"), "shared")

    assert (gift.match_cents, gift.match_note) == (700, "")
    usage = DonorUsage.objects.get(campaign=campaign, key=donor_key("bob@example.org"))
    assert (usage.used_cents, usage.reserved_cents) == (700, 0)
    assert start(cafes[2], 300, email="bob@example.org").match_promised_cents == 0
    assert_ledger_holds()


def test_the_card_counts_for_the_next_reservations_made_from_the_same_browser(cafes):
    """A new address on a browser that paid with a card before is that card’s holder."""
    give(cafes[0], 1000, email="ana@example.org", card="4242 ana", device_id="ana's phone")

    from_her_phone = start(cafes[1], 500, email="someone.else@example.net", device_id="ana's phone")
    from_elsewhere = start(cafes[2], 500, email="neighbour@example.net", device_id="another phone")

    assert (from_her_phone.match_promised_cents, from_her_phone.match_note) == (0, "donor_limit")
    assert from_elsewhere.match_promised_cents == 500
    assert_ledger_holds()


def test_no_limit_means_only_anti_farming_applies(personas):
    campaign = campaign_for(personas.a, donor_limit_cents=None)
    cafes = [approved_registration(campaign) for _ in range(3)]

    assert [give(c, 1000, email="ana@example.org", card="same").match_cents for c in cafes] == [1000] * 3


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(300, 1000), min_size=1, max_size=5))
def test_a_donor_never_gets_more_than_the_limit(personas, amounts):
    campaign = campaign_for(personas.a, donor_limit_cents=1_500)
    cafes = [approved_registration(campaign) for _ in amounts]

    matches = [
        give(cafe, amount, email="ana@example.org").match_cents for cafe, amount in zip(cafes, amounts, strict=True)
    ]

    assert sum(matches) == min(sum(amounts), 1_500)


def give_with_card(gift, card):
    from ..gifts import pay

    return pay(gift, "success", card)
