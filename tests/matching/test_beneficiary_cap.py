"""The cap per beneficiary: no establishment is owed more matching than the campaign’s cap,
counting the matches still held for gifts being paid."""

import pytest

from solidaire.beneficiaries.models import Registration

from ..gifts import approved_registration, start
from .helpers import assert_ledger_holds, campaign_for, give, notify, owed_from_matching

pytestmark = pytest.mark.django_db


def test_matching_stops_at_the_cap_with_a_partial_match(personas):
    registration = approved_registration(campaign_for(personas.a, beneficiary_cap_cents=1_200))

    gifts = [give(registration, 500, email=f"d{i}@example.org") for i in range(4)]

    assert [g.match_cents for g in gifts] == [500, 500, 200, 0]
    assert [g.match_note for g in gifts][2:] == ["beneficiary_cap", "beneficiary_cap"]
    assert owed_from_matching(registration) == 1_200
    assert all(g.status == "confirmed" for g in gifts), "gifts beyond the cap still go through"
    assert_ledger_holds()


def test_matches_held_for_unpaid_gifts_count_against_the_cap(personas):
    registration = approved_registration(campaign_for(personas.a, beneficiary_cap_cents=1_000))
    held = start(registration, 800, email="first@example.org")

    second = start(registration, 800, email="second@example.org")

    assert held.match_promised_cents == 800
    assert second.match_promised_cents == 200
    assert second.match_note == "beneficiary_cap"
    assert Registration.objects.get(pk=registration.pk).matching_reserved_cents == 1_000


def test_a_failed_payment_gives_its_share_of_the_cap_back(personas):
    registration = approved_registration(campaign_for(personas.a, beneficiary_cap_cents=1_000))
    abandoned = start(registration, 1000, email="first@example.org")
    notify(abandoned, "payment.failed")

    assert give(registration, 700, email="second@example.org").match_cents == 700
    assert owed_from_matching(registration) == 700


def test_the_cap_is_per_establishment(personas):
    campaign = campaign_for(personas.a, beneficiary_cap_cents=500)
    capped, other = approved_registration(campaign), approved_registration(campaign)
    give(capped, 500, email="first@example.org")

    assert give(capped, 500, email="second@example.org").match_cents == 0
    assert give(other, 500, email="third@example.org").match_cents == 500
