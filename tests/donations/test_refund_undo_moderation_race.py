"""A refund, an undo at the counter and a moderator's decision about the same café, at the same
moment, on PostgreSQL: the provider’s refund notification arrives for a gift whose voucher the
counter is undoing (a mistaken redemption, a minute old) while a moderator approves the café's
new counterpart offer. Three threads, each with its own connection and transaction, lined up on
a barrier. None waits for ever or fails, and afterwards the books balance and the refunded gift's
voucher is cancelled, with the undone redemption on record — in whichever order they ran."""

import time

import pytest

from solidaire.ledger.checks import check_all
from solidaire.vouchers import actions as vouchers
from solidaire.vouchers.models import Offer, OfferStatus, Redemption, VoucherStatus

from ..gifts import approved_registration
from ..matching.helpers import REFUNDED, SUCCEEDED, begin, campaign_for, deliver, event
from ..threads import POSTGRES_ONLY, all_at_once
from ..vouchers.helpers import approved_offer, propose, redeem

pytestmark = POSTGRES_ONLY

# Who sets off a little late, per round: all three together, then each one behind the others
# (a few milliseconds, so that every order of the three happens among the rounds).
HEAD_STARTS = [{}, {"refund": 0.02}, {"undo": 0.02}, {"decision": 0.02}, {"refund": 0.02, "undo": 0.01}, {}]


def scene(personas, campaign, n):
    """A café with an offer in force, a confirmed gift whose voucher was just used whole at the
    counter, and the café's next offer waiting for the moderator."""
    cafe = approved_registration(campaign)
    approved_offer(cafe, personas.a.moderator)
    gift = begin(cafe, 1000, email=f"donor{n}@example.org")
    deliver(gift, event(gift, SUCCEEDED, card=f"card {n}"))
    assert gift.status == "confirmed"
    redemption = redeem(gift.voucher, cafe.establishment.owner)
    assert Redemption.objects.get(pk=redemption.pk).voucher.status == VoucherStatus.USED
    return cafe, gift, redemption, propose(cafe, bonus_percent=50)


@pytest.mark.parametrize("round_", range(len(HEAD_STARTS)))
def test_a_refund_an_undo_and_an_offer_decision_at_once_leave_the_voucher_cancelled(personas, round_):
    campaign = campaign_for(personas.a)
    cafe, gift, redemption, next_offer = scene(personas, campaign, round_)
    late = HEAD_STARTS[round_]

    def refund():
        status, notification = deliver(gift, event(gift, REFUNDED))
        return status, notification.status

    def undo():
        owner = cafe.establishment.owner
        return vouchers.undo(redemption=redemption, establishment=cafe.establishment, actor=owner).undone_at

    def decision():
        return vouchers.decide_offer(offer=next_offer, moderator=personas.a.moderator, approve=True).status

    work = {"refund": refund, "undo": undo, "decision": decision}
    names = list(work)

    def run(i):
        time.sleep(late.get(names[i], 0))
        return work[names[i]]()

    refunded, undone_at, decided = all_at_once(3, run)

    assert refunded == (200, "applied")
    assert undone_at is not None
    assert decided == OfferStatus.APPROVED
    gift.refresh_from_db()
    voucher = gift.voucher
    voucher.refresh_from_db()
    assert gift.status == "refunded"
    assert voucher.status == VoucherStatus.CANCELLED
    assert voucher.cancelled_at is not None
    assert Redemption.objects.get(pk=redemption.pk).undone_at == undone_at
    assert vouchers.offer_in_force(cafe) == Offer.objects.get(pk=next_offer.pk)
    violations = check_all()
    assert violations == [], [str(v) for v in violations]
