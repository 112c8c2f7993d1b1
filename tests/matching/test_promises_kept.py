"""Promises kept: the match shown before paying is what the donor gets once the payment succeeds
within the reservation time — whatever others do meanwhile, and whatever the card turns out to
be. Whenever a match is lower than the ratio gives (budget, per-donor limit, per-establishment
limit, own establishment, expired reservation), the donor sees why, in words, before paying,
on the thank-you page and in the receipt; the anti-farming rule is in the campaign’s rules."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from solidaire.matching.engine import expire_holds
from solidaire.matching.identity import card_key
from solidaire.matching.models import Allocation
from solidaire.payments.providers.sandbox import fingerprint_for

from ..campaigns.helpers import text
from ..gifts import approved_registration, pay, start
from .helpers import (
    SUCCEEDED,
    assert_ledger_holds,
    campaign_for,
    deliver,
    event,
    give,
    split_budget,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return campaign_for(personas.a, slug="cafe-solidaire")


@pytest.fixture
def cafe(campaign):
    return approved_registration(campaign)


def page(client, gift) -> str:
    return text(client.get(f"/dons/{gift.pk}/?t={gift.token}"))


def test_the_promise_holds_though_the_budget_runs_out_before_the_payment(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_500)
    cafe = approved_registration(campaign)
    promised = start(cafe, 1000, email="ana@example.org")
    assert promised.match_promised_cents == 1000
    assert give(cafe, 1000, email="bob@example.org").match_cents == 500  # what is left, partly
    assert start(cafe, 500, email="carla@example.org").match_promised_cents == 0  # nothing left

    paid = pay(promised)

    assert (paid.match_cents, paid.match_note) == (1000, "")
    assert_ledger_holds()


def test_a_payment_after_the_reservation_ran_out_is_matched_from_what_is_left_and_says_why(
    personas, client_for, django_capture_on_commit_callbacks
):
    campaign = campaign_for(personas.a, matching_budget_cents=1_500)
    split_budget(campaign, [1_500])
    cafe = approved_registration(campaign)
    late = start(cafe, 1000, email="ana@example.org", language="en")
    Allocation.objects.filter(gift=late).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_holds(now=timezone.now())  # her 10 € go back to the budget…
    assert give(cafe, 1000, email="bob@example.org").match_cents == 1000  # …and bob takes them
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        deliver(late, event(late, SUCCEEDED))

    late.refresh_from_db()
    assert (late.match_cents, late.match_note) == (500, "reservation_expired")
    words = "Your payment arrived after the public money reserved for you was released"
    assert words in page(client_for(personas.a), late) or "après" in page(client_for(personas.a), late)
    (receipt,) = mail.outbox
    assert words in receipt.body
    assert "adds €5 instead of €10" in receipt.body
    assert_ledger_holds()


@pytest.mark.parametrize(
    ("situation", "note", "english"),
    [
        ("budget", "budget", "The public budget is nearly used up."),
        ("donor limit", "donor_limit", "You have reached the limit of public money one donor can bring"),
        ("same beneficiary", "same_beneficiary_limit", "have reached the most public money one donor can bring it"),
        ("cap", "beneficiary_cap", "This establishment has received the most public money it can receive."),
        ("own", "own_establishment", "Gifts to your own establishment, or one where you work, are not matched"),
    ],
)
def test_the_donor_is_told_why_the_match_is_lower_before_paying_after_and_in_the_receipt(
    personas, client_for, situation, note, english, django_capture_on_commit_callbacks
):
    campaign = campaign_for(
        personas.a,
        matching_budget_cents=1_300 if situation == "budget" else 100_000,
        donor_limit_cents=1_300 if situation == "donor limit" else None,
        beneficiary_cap_cents=1_300 if situation == "cap" else None,
    )
    split_budget(campaign, [campaign.matching_budget_cents])
    cafe = approved_registration(campaign, owner=personas.a.owner)
    other = approved_registration(campaign)
    email = personas.a.owner.email if situation == "own" else "ana@example.org"
    # What came before: 10 € of the 13 € (budget, ana's limit, the café's cap) taken, or ana's
    # allowance at this café used.
    before = {
        "budget": (other, "bob@example.org"),
        "donor limit": (other, "ana@example.org"),
        "cap": (cafe, "bob@example.org"),
        "same beneficiary": (cafe, "ana@example.org"),
    }
    if situation in before:
        registration, donor = before[situation]
        give(registration, 1000, email=donor)
    gift = start(cafe, 1000, email=email, language="en")
    assert gift.match_note == note
    client = client_for(personas.a)
    english_page = lambda g: text(client.get(f"/en/dons/{g.pk}/?t={g.token}"))  # noqa: E731
    assert english in english_page(gift)

    mail.outbox.clear()
    gift = pay(gift)
    assert gift.match_cents < campaign.match_for(gift.amount_cents)
    assert "Thank you!" in english_page(gift) and english in english_page(gift)
    (receipt,) = mail.outbox
    assert english in " ".join(receipt.body.split())


def test_a_full_match_says_nothing_of_limits(personas, client_for, cafe):
    gift = start(cafe, 500, email="ana@example.org", language="en")
    shown = text(client_for(personas.a).get(f"/en/dons/{gift.pk}/?t={gift.token}"))
    assert "instead of" not in shown and "not matched" not in shown


def test_the_anti_farming_rule_is_in_the_campaigns_public_rules(personas, client_for, campaign):
    shown = text(client_for(personas.a).get(f"/en/campagnes/{campaign.slug}/"))
    assert "Per donor and beneficiary" in shown
    assert "bring it at most €10 of public money" in shown


def test_the_sandbox_page_asks_for_a_test_card_number_and_each_number_is_another_card(
    personas, client_for, cafe, django_capture_on_commit_callbacks
):
    client = client_for(personas.a)
    first, second = start(cafe, 500, email="a@example.org"), start(cafe, 500, email="b@example.org")
    assert 'name="card"' in text(client.get(f"/sandbox/paiement/{first.checkout_id}/"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sandbox/paiement/{first.checkout_id}/", {"outcome": "success", "card": "4000 0000 0000 0002"})
        client.post(f"/sandbox/paiement/{second.checkout_id}/", {"outcome": "success", "card": "5555 5555 5555 4444"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.card_key == card_key(fingerprint_for("4000000000000002"))
    assert second.card_key == card_key(fingerprint_for("5555 5555 5555 4444"))
    assert first.card_key != second.card_key
