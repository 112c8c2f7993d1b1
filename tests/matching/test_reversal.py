"""A refund or a chargeback reverses the gift and its match: the beneficiary is no longer owed
either, the public money returns to the campaign’s pool and, while the campaign is open, can
match another gift. Each reversal is applied once, whatever the provider repeats."""

import pytest

from solidaire.campaigns.actions import close_campaign
from solidaire.core.errors import ActionError
from solidaire.ledger.journal import balance
from solidaire.ledger.models import Account, AccountKind, Entry
from solidaire.matching.models import AllocationStatus, DonorUsage
from solidaire.payments.providers.sandbox import fee_for

from ..gifts import approved_registration, start
from .helpers import (
    DISPUTE_LOST,
    DISPUTE_OPENED,
    REFUNDED,
    SUCCEEDED,
    allocation_of,
    assert_ledger_holds,
    campaign_for,
    chargeback_through_provider,
    deliver,
    event,
    give,
    owed_from_gifts,
    owed_from_matching,
    pools_of,
    public_money_matched,
    refund_through_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(personas):
    """A café of a campaign with 15 € of public money, gifts doubled."""
    return approved_registration(campaign_for(personas.a, matching_budget_cents=1_500))


def reverse(gift, how, personas):
    if how == "refund":
        return refund_through_provider(gift, personas.a.finance)
    return chargeback_through_provider(gift)


@pytest.mark.parametrize(
    ("how", "status", "kinds"),
    [
        ("refund", "refunded", ["gift.refunded"]),
        (
            "chargeback",
            "charged_back",
            ["dispute.opened", "dispute.fee", "dispute.frozen", "dispute.unfrozen", "dispute.lost"],
        ),
    ],
)
def test_reversal_leaves_the_beneficiary_owed_nothing_for_the_gift(personas, registration, how, status, kinds):
    gift = give(registration, 1000, email="ana@example.org")
    assert owed_from_matching(registration) == 1000

    gift = reverse(gift, how, personas)

    assert gift.status == status
    assert owed_from_gifts(registration) == 0
    assert owed_from_matching(registration) == 0
    assert public_money_matched(registration.campaign) == 0
    assert allocation_of(gift).status == AllocationStatus.REVERSED
    assert list(Entry.objects.filter(gift=gift).values_list("kind", flat=True)) == [
        "gift.received",
        "gift.fee",
        "match.posted",
        *kinds,
        "match.reversed",
    ]
    assert_ledger_holds()


def test_the_provider_fee_of_a_refunded_gift_is_a_loss_of_the_collectivite(personas, registration):
    gift = refund_through_provider(give(registration, 1000, email="ana@example.org"), personas.a.finance)

    losses = Account.objects.get(kind=AccountKind.REFUND_LOSSES)
    cash = Account.objects.get(kind=AccountKind.PROVIDER_CASH)
    assert balance(losses) == fee_for(1000) == gift.fee_cents
    assert balance(cash) == -fee_for(1000)


@pytest.mark.parametrize("how", ["refund", "chargeback"])
def test_the_released_budget_matches_another_gift_while_the_campaign_is_open(personas, registration, how):
    gift = give(registration, 1000, email="ana@example.org")
    give(registration, 500, email="bob@example.org")
    assert give(registration, 500, email="carla@example.org").match_cents == 0

    reverse(gift, how, personas)

    assert pools_of(registration.campaign) == {"capacity": 1_500, "used": 500, "reserved": 0}
    assert give(registration, 1000, email="dan@example.org").match_cents == 1000
    assert public_money_matched(registration.campaign) == 1_500
    assert_ledger_holds()


def test_a_refunded_donor_may_be_matched_again(personas):
    campaign = campaign_for(personas.a, donor_limit_cents=1000)
    cafes = [approved_registration(campaign) for _ in range(2)]
    gift = give(cafes[0], 1000, email="ana@example.org")

    refund_through_provider(gift, personas.a.finance)

    assert all(u.used_cents == 0 and u.reserved_cents == 0 for u in DonorUsage.objects.all())
    assert give(cafes[1], 1000, email="ana@example.org").match_cents == 1000


def test_after_the_campaign_closes_a_refund_still_reverses_the_match_but_nothing_is_matched_again(
    personas, registration
):
    gift = give(registration, 1000, email="ana@example.org")
    close_campaign(campaign=registration.campaign, actor=personas.a.admin)

    refund_through_provider(gift, personas.a.finance)

    assert owed_from_matching(registration) == 0
    assert public_money_matched(registration.campaign) == 0
    with pytest.raises(ActionError):
        start(registration, 1000, email="bob@example.org")
    assert_ledger_holds()


def test_a_refund_notified_before_the_confirmation_waits_for_it(registration):
    gift = start(registration, 1000, email="ana@example.org")
    refund = event(gift, REFUNDED)

    status, notification = deliver(gift, refund)
    assert status == 409
    assert notification.status == "deferred"
    assert gift.status == "pending"

    deliver(gift, event(gift, SUCCEEDED))
    status, notification = deliver(gift, refund)  # the provider sends it again

    assert status == 200
    assert notification.status == "applied"
    assert gift.status == "refunded"
    assert owed_from_matching(registration) == 0
    assert Entry.objects.filter(kind="match.reversed").count() == 1
    assert_ledger_holds()


@pytest.mark.parametrize("kinds", [[REFUNDED], [DISPUTE_OPENED, DISPUTE_LOST]], ids=["refund", "lost dispute"])
def test_a_repeated_reversal_is_applied_once(registration, kinds):
    gift = give(registration, 1000, email="ana@example.org")
    reversals = [event(gift, kind) for kind in kinds]

    for _ in range(3):
        for reversal in reversals:
            assert deliver(gift, reversal)[0] == 200
    status, notification = deliver(gift, event(gift, REFUNDED))  # another event id: nothing left to reverse

    assert notification.status == "ignored"
    assert Entry.objects.filter(kind__in=["gift.refunded", "dispute.lost"]).count() == 1
    assert Entry.objects.filter(kind="match.reversed").count() == 1
    assert pools_of(registration.campaign)["used"] == 0
    assert_ledger_holds()


def test_a_refund_of_a_gift_without_a_match_moves_no_public_money(personas, registration):
    owner_gift = give(
        approved_registration(registration.campaign, owner=personas.a.owner), 1000, email=personas.a.owner.email
    )
    assert owner_gift.match_cents == 0

    refund_through_provider(owner_gift, personas.a.finance)

    assert not Entry.objects.filter(kind="match.reversed").exists()
    assert pools_of(registration.campaign)["used"] == 0
    assert_ledger_holds()
