"""A refund or a chargeback of the gift cancels what is left of its voucher, in the same
transaction as the gift's reversal (a direct call from the gift's write path): the counter refuses
it, the donor’s page says so, and it no longer counts in what the shop still owes."""

import pytest
from django.core import mail

from solidaire.vouchers.models import Redemption, Voucher

from ..donations.helpers import chargeback, refund
from .helpers import approved_offer, counter_path, main, redeem, shown, voucher_for, voucher_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000)  # 12 €


def reloaded(voucher) -> Voucher:
    return Voucher.objects.get(pk=voucher.pk)


def test_the_finance_officers_refund_cancels_the_unused_voucher(
    personas, client_for, voucher, django_capture_on_commit_callbacks
):
    finance = client_for(personas.a, personas.a.finance)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = finance.post(
            f"/gestion/dons/{voucher.gift_id}/",
            {"amount": "10", "reason": "Le donateur s'est trompé de café", "confirmed": "True"},
        )
    assert response.status_code == 302
    voucher = reloaded(voucher)
    assert voucher.gift.status == "refunded"
    assert (voucher.status, voucher.remaining_cents) == ("cancelled", 1200)
    assert voucher.cancelled_at is not None
    assert voucher.state() == "cancelled"
    # The donor is told of the refund; that e-mail carries no voucher.
    (email,) = mail.outbox
    assert email.attachments == []


def test_a_partly_used_voucher_loses_what_is_left(personas, client_for, voucher):
    redeem(voucher, personas.a.owner, 500)
    refund(voucher.gift, actor=personas.a.finance)
    voucher = reloaded(voucher)
    assert voucher.status == "cancelled"
    assert Redemption.objects.get().amount_cents == 500  # what was used stays recorded
    page = main(client_for(personas.a, personas.a.owner).get(voucher_path(voucher)))
    assert shown("fr", "Cancelled: the gift was refunded.") in page and 'name="amount"' not in page


def test_a_used_voucher_stays_used(personas, voucher):
    redeem(voucher, personas.a.owner)
    refund(voucher.gift, actor=personas.a.finance)
    voucher = reloaded(voucher)
    assert (voucher.status, voucher.remaining_cents, voucher.cancelled_at) == ("used", 0, None)


def test_a_chargeback_cancels_the_voucher_too(personas, voucher):
    chargeback(voucher.gift)
    voucher = reloaded(voucher)
    assert voucher.gift.status == "charged_back"
    assert voucher.status == "cancelled"


def test_the_cancelled_voucher_cannot_be_redeemed_or_looked_up_as_valid(personas, client_for, cafe, voucher):
    refund(voucher.gift, actor=personas.a.finance)
    owner = client_for(personas.a, personas.a.owner)
    response = owner.post(voucher_path(voucher), {"amount": "", "key": "k"})
    assert response.status_code == 400
    assert not Redemption.objects.exists()
    # Typing its code still finds it, to say it is cancelled.
    found = owner.post(counter_path(cafe), {"code": voucher.code})
    assert found["Location"] == voucher_path(voucher)


def test_only_the_refunded_gifts_voucher_is_cancelled(personas, cafe, voucher):
    other = voucher_for(cafe, 500, email="eve@example.org")
    refund(voucher.gift, actor=personas.a.finance)
    assert reloaded(voucher).status == "cancelled"
    assert reloaded(other).status == "active"


def test_the_offers_stock_is_not_given_back(personas, cafe):
    """A refunded voucher was issued: the stock counts vouchers issued, not vouchers in use."""
    offer = approved_offer(cafe, personas.a.moderator, stock=1)
    voucher = voucher_for(cafe, 1000)
    refund(voucher.gift, actor=personas.a.finance)
    offer.refresh_from_db()
    assert offer.issued_count == 1
