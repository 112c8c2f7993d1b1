"""Partial refunds, through the sandbox: a finance officer refunds part of a gift; the gift waits
in "refund requested" until the provider’s notification, then is "partly refunded". The match
is taken back in proportion, rounded up (what stays matched never exceeds the ratio of what
stays given), the provider’s fee lost in proportion, rounded down — each share computed on what
was refunded so far, so that refunds adding up to the whole give back exactly the whole match
and the whole fee. A value voucher keeps the same share of its value, less what was used; the
establishment’s totals follow; the donor is told; refunding more than is left is refused."""

import itertools

import pytest
from django.core import mail
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents
from solidaire.donations import refunds
from solidaire.donations.models import Gift, Refund
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Posting
from solidaire.payments.models import SandboxEvent, SandboxRefund
from solidaire.payments.providers.sandbox import fee_for
from solidaire.payments.tasks import deliver_sandbox_event

from ..factories import CampaignFactory
from ..gifts import approved_registration, give
from ..matching.helpers import assert_ledger_holds
from ..vouchers.helpers import approved_offer, redeem
from .helpers import balance, entry_kinds, pools, refund

pytestmark = pytest.mark.django_db

_emails = itertools.count(1)


@pytest.fixture
def halved(personas):
    """A campaign that adds half of each gift: matches that do not split evenly."""
    return CampaignFactory(collectivite=personas.a.tenant, slug="moitie", title="La moitié", matching_ratio_percent=50)


@pytest.fixture
def bar(halved):
    return approved_registration(halved, name="Bar du Marché")


def losses_of(gift) -> int:
    """The provider’s fee the collectivité lost on the gift's refunds (refund_losses)."""
    return sum(
        Posting.objects.filter(entry__gift=gift, account__kind="refund_losses").values_list("amount_cents", flat=True)
    )


def exact_balance(code: str) -> int:
    """Debits minus credits of the one account with this code."""
    return sum(Posting.objects.filter(account__code=code).values_list("amount_cents", flat=True))


def ceil_share(total, part, whole) -> int:
    return -(-total * part // whole)


def deliver_refund_notifications(gift) -> None:
    """The sandbox's payment.refunded notifications about the gift, delivered now."""
    waiting = SandboxEvent.objects.filter(checkout_id=gift.checkout_id, type="payment.refunded", delivered_at=None)
    with TestCase.captureOnCommitCallbacks(execute=True):
        for event in waiting:
            deliver_sandbox_event(event.pk)
    gift.refresh_from_db()


# The states ------------------------------------------------------------------------------------------


def test_a_partial_refund_waits_for_the_provider_then_the_gift_is_partly_refunded(personas, cafe):
    gift = give(cafe, 1000, email="dora@example.org")
    assert (gift.match_cents, pools(cafe.campaign)) == (1000, (1000, 0))

    refunds.request_refund(gift=gift, amount_cents=300, actor=personas.a.finance, reason="Erreur de montant")
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == ("refund_requested", 0, 0)
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert SandboxRefund.objects.get().amount_cents == 300

    deliver_refund_notifications(gift)
    assert (gift.status, gift.refunded_cents, gift.standing_cents) == ("partly_refunded", 300, 700)
    assert (gift.match_reversed_cents, gift.match_standing_cents) == (300, 700)
    assert gift.closed_at is None
    assert Refund.objects.get(gift=gift).status == "succeeded"
    assert pools(cafe.campaign) == (700, 0)  # 3 € of public money back in the budget
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted", "gift.refunded", "match.reversed"]
    assert balance(f"beneficiary_gifts:{cafe.pk}") == -(700 - (fee_for(1000) - fee_for(1000) * 300 // 1000))
    assert balance(f"beneficiary_matching:{cafe.pk}") == -700
    assert_ledger_holds()


def test_a_partly_refunded_gift_can_be_refunded_again(personas, cafe):
    gift = refund(give(cafe, 1000), personas.a.finance, amount_cents=300)
    assert gift.refundable_cents == 700
    gift = refund(gift, personas.a.finance, amount_cents=200)
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == ("partly_refunded", 500, 500)
    assert list(Refund.objects.filter(gift=gift).values_list("amount_cents", "status")) == [
        (200, "succeeded"),
        (300, "succeeded"),
    ]
    assert_ledger_holds()


# Proportions and rounding ----------------------------------------------------------------------------------


def test_the_match_is_taken_back_rounded_up_so_what_stays_matched_never_exceeds_the_ratio(personas, bar):
    """9,99 € at 50 %: a match of 4,99 €. Refunding 3,33 € (a third) takes back 1,67 €
    (166,33… rounded up): 3,32 € stays matched of 6,66 € given — at most half of it."""
    gift = give(bar, 999)
    assert gift.match_cents == 499
    gift = refund(gift, personas.a.finance, amount_cents=333)
    assert (gift.status, gift.match_reversed_cents, gift.match_standing_cents) == ("partly_refunded", 167, 332)
    assert gift.match_standing_cents * gift.amount_cents <= gift.match_cents * gift.standing_cents
    assert gift.match_standing_cents * 100 <= gift.standing_cents * 50
    assert pools(bar.campaign) == (332, 0)
    # The fee lost in proportion, rounded down: 39 × 333 / 999 = 13.
    assert losses_of(gift) == fee_for(999) * 333 // 999 == 13
    assert_ledger_holds()


def test_two_partial_refunds_adding_up_to_the_whole_give_back_exactly_the_match_and_the_fee(personas, bar):
    gift = give(bar, 999)
    fee, match = gift.fee_cents, gift.match_cents
    assert (fee, match) == (fee_for(999), 499)

    gift = refund(gift, personas.a.finance, amount_cents=334)
    assert gift.match_reversed_cents == ceil_share(499, 334, 999) == 167
    assert losses_of(gift) == fee * 334 // 999
    gift = refund(gift, personas.a.finance, amount_cents=665, reason="Le reste")

    assert (gift.status, gift.refunded_cents, gift.standing_cents) == ("refunded", 999, 0)
    assert (gift.match_reversed_cents, gift.match_standing_cents) == (499, 0)
    assert gift.closed_at is not None
    # No cent created or lost: the collectivité lost exactly the fee, the campaign’s commitment
    # and what the bar is owed are back to nothing.
    assert losses_of(gift) == balance("refund_losses:") == fee
    assert balance(f"campaign_matching:{bar.campaign_id}") == 0
    assert balance(f"beneficiary_matching:{bar.pk}") == 0
    assert balance(f"beneficiary_gifts:{bar.pk}") == 0
    assert balance("provider_cash:") == 999 - fee - 999
    assert pools(bar.campaign) == (0, 0)
    assert gift.allocation.status == "reversed"
    assert_ledger_holds()


# The voucher, the establishment, the donor -----------------------------------------------------------------


def test_a_value_voucher_keeps_the_same_share_of_its_value_less_what_was_used(personas, bar):
    approved_offer(bar, personas.a.moderator)  # the gift + 20 %
    gift = give(bar, 999)
    voucher = gift.voucher
    assert voucher.value_cents == 1198
    redeem(voucher, bar.establishment.owner, amount_cents=200)

    gift = refund(gift, personas.a.finance, amount_cents=333)
    voucher.refresh_from_db()
    kept = 1198 * 666 // 999  # 798,67 rounded down
    assert (voucher.withdrawn_cents, voucher.remaining_cents, voucher.status) == (1198 - kept, kept - 200, "active")
    assert_ledger_holds()


def test_a_voucher_used_beyond_what_it_keeps_has_nothing_left(personas, bar):
    approved_offer(bar, personas.a.moderator)
    gift = give(bar, 999)
    redeem(gift.voucher, bar.establishment.owner, amount_cents=1000)
    refund(gift, personas.a.finance, amount_cents=666)
    voucher = Gift.objects.get(pk=gift.pk).voucher
    assert (voucher.withdrawn_cents, voucher.remaining_cents, voucher.status) == (1198 - 399, 0, "used")
    assert_ledger_holds()


def test_the_establishments_totals_follow(personas, cafe):
    gift = give(cafe, 1000)
    give(cafe, 500, email="eve@example.org")
    refund(gift, personas.a.finance, amount_cents=300)
    cafe.refresh_from_db()
    assert (cafe.gifts_count, cafe.gifts_total_cents, cafe.matching_total_cents) == (2, 1200, 1200)
    refund(gift, personas.a.finance, amount_cents=700)
    cafe.refresh_from_db()
    assert (cafe.gifts_count, cafe.gifts_total_cents, cafe.matching_total_cents) == (1, 500, 500)
    assert_ledger_holds()


def test_the_donor_is_told_part_of_the_gift_was_refunded(personas, cafe):
    gift = give(cafe, 1000, email="dora@example.org", language="en")
    mail.outbox.clear()
    refund(gift, personas.a.finance, amount_cents=300)
    (message,) = mail.outbox
    assert message.to == ["dora@example.org"]
    assert message.subject.endswith(f"Part of your gift of {format_cents(1000, 'en')} was refunded")
    body = message.body
    assert f"{format_cents(300, 'en')} of your gift of {format_cents(1000, 'en')} to Café de la Gare" in body
    assert f"({format_cents(300, 'en')}) returns to the campaign" in body
    assert f"What is left of your gift ({format_cents(700, 'en')}) stays with the establishment." in body
    assert f"/en/dons/{gift.pk}/?t={gift.token}" in body


# Too much ----------------------------------------------------------------------------------------------------


def test_refunding_more_than_what_is_left_is_refused_and_changes_nothing(personas, cafe):
    gift = refund(give(cafe, 1000), personas.a.finance, amount_cents=300)
    before = (
        Refund.objects.count(),
        SandboxRefund.objects.count(),
        AuditEvent.objects.count(),
        list(entry_kinds(gift)),
        pools(cafe.campaign),
    )
    with pytest.raises(ActionError) as refused:
        refunds.request_refund(gift=gift, amount_cents=701, actor=personas.a.finance, reason="Trop")
    assert (refused.value.field, refused.value.code) == ("amount", "amount")
    assert format_cents(700) in str(refused.value.message)  # what can still be refunded
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents) == ("partly_refunded", 300)
    after = (
        Refund.objects.count(),
        SandboxRefund.objects.count(),
        AuditEvent.objects.count(),
        list(entry_kinds(gift)),
        pools(cafe.campaign),
    )
    assert after == before
    assert_ledger_holds()


def test_the_finance_page_refuses_more_than_what_is_left(personas, client_for, cafe):
    gift = refund(give(cafe, 1000), personas.a.finance, amount_cents=300)
    client = client_for(personas.a, personas.a.finance)
    for data in (
        {"amount": "7.01", "reason": "Trop"},
        {"amount": "7.01", "reason": "Trop", "confirmed": "True"},
    ):
        response = client.post(f"/gestion/dons/{gift.pk}/", data)
        assert response.status_code == 400
        assert format_cents(700) in response.context["form"].errors["amount"][0]
    assert Refund.objects.filter(gift=gift).count() == 1
    assert SandboxRefund.objects.count() == 1
    assert Gift.objects.get(pk=gift.pk).status == "partly_refunded"


# Any amounts, any ratio, any partial refunds -------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.integers(300, 1000),
    ratio=st.integers(1, 300),
    parts=st.lists(st.integers(1, 1000), min_size=1, max_size=4),
    everything=st.booleans(),
)
def test_partial_refunds_never_take_back_more_than_the_match_and_all_of_it_at_the_end(
    personas, amount, ratio, parts, everything
):
    campaign = CampaignFactory(collectivite=personas.a.tenant, matching_ratio_percent=ratio)
    registration = approved_registration(campaign)
    gift = give(registration, amount, email=f"any-{next(_emails)}@example.org")
    match, fee = gift.match_cents, gift.fee_cents
    assert match == amount * ratio // 100

    refunded = 0
    plan = []
    for part in parts:
        part = min(part, amount - refunded)
        if part == 0:
            break
        plan.append(part)
        refunded += part
    if everything and refunded < amount:
        plan.append(amount - refunded)

    refunded = 0
    for part in plan:
        gift = refund(gift, personas.a.finance, amount_cents=part)
        refunded += part
        assert gift.refunded_cents == refunded
        assert gift.match_reversed_cents == ceil_share(match, refunded, amount)
        assert 0 <= gift.match_reversed_cents <= match
        # What stays matched never exceeds the ratio of what stays given.
        assert gift.match_standing_cents * amount <= match * gift.standing_cents
        assert losses_of(gift) == fee * refunded // amount
    if refunded == amount:
        assert (gift.status, gift.match_reversed_cents, losses_of(gift)) == ("refunded", match, fee)
        assert exact_balance(f"campaign_matching:{campaign.pk}") == 0
    else:
        assert gift.status == "partly_refunded"
    violations = check_all()
    assert violations == [], [str(v) for v in violations]
