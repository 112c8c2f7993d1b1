"""An undo at the counter after the gift was refunded or disputed. A reversal leaves a voucher
that was used up as it is (nothing is left of it to cancel or hold); if that use is then undone
as a mistake, what comes back follows the gift: cancelled when nothing of the gift stands (a
refund of all of it, a lost dispute), on hold while a dispute is open, usable after a partial
refund (less what was withdrawn). The undo is recorded either way and the books still balance."""

import pytest

from solidaire.ledger.checks import check_all
from solidaire.vouchers import actions
from solidaire.vouchers.models import Voucher, VoucherStatus

from ..donations.helpers import decide_dispute, open_dispute, refund
from .helpers import approved_offer, redeem, voucher_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(personas, cafe):
    """A 12 € voucher (a 10 € gift + 20 %) used whole at the counter a moment ago."""
    approved_offer(cafe, personas.a.moderator)
    voucher = voucher_for(cafe, 1000)
    redemption = redeem(voucher, personas.a.owner)
    assert state(voucher) == (0, VoucherStatus.USED)
    return redemption


def state(voucher) -> tuple[int, str]:
    voucher = Voucher.objects.get(pk=voucher.pk)
    return voucher.remaining_cents, voucher.status


def undo(personas, redemption):
    establishment = redemption.voucher.registration.establishment
    return actions.undo(redemption=redemption, establishment=establishment, actor=personas.a.owner)


def assert_books_balance():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]


def test_a_used_voucher_given_back_after_a_full_refund_is_cancelled(personas, used):
    voucher = used.voucher
    refund(voucher.gift, actor=personas.a.finance)
    assert state(voucher) == (0, VoucherStatus.USED)

    undone = undo(personas, used)

    assert undone.undone_at is not None and undone.undone_by == personas.a.owner
    assert state(voucher) == (1200, VoucherStatus.CANCELLED)
    assert Voucher.objects.get(pk=voucher.pk).cancelled_at == undone.undone_at
    assert_books_balance()


def test_a_used_voucher_given_back_after_a_lost_dispute_is_cancelled(personas, used):
    voucher = used.voucher
    decide_dispute(open_dispute(voucher.gift), won=False)
    assert voucher.gift.status == "charged_back"

    undo(personas, used)

    assert state(voucher) == (1200, VoucherStatus.CANCELLED)
    assert_books_balance()


def test_a_used_voucher_given_back_during_a_dispute_is_on_hold(personas, used):
    voucher = used.voucher
    open_dispute(voucher.gift)

    undo(personas, used)

    assert state(voucher) == (1200, VoucherStatus.FROZEN)
    assert_books_balance()
    decide_dispute(voucher.gift, won=True)
    assert state(voucher) == (1200, VoucherStatus.ACTIVE)


def test_a_used_voucher_given_back_after_a_partial_refund_keeps_what_the_gift_still_pays_for(personas, used):
    voucher = used.voucher
    refund(voucher.gift, actor=personas.a.finance, amount_cents=400)  # 6 € of 10 € stand

    undo(personas, used)

    assert state(voucher) == (720, VoucherStatus.ACTIVE)  # 12 € × 6/10
    assert_books_balance()
