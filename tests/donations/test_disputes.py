"""Disputes as the provider reports them, driven from the sandbox's hosted page (as the card
holder’s bank would): opened (the funds — maybe only part — and the dispute fee withdrawn, the
gift disputed, what it brings the establishment frozen, its voucher on hold, its match still
committed), won (all reinstated), lost (final reversal of the gift and its match, the voucher
cancelled). When the voucher was already used, its redemptions go to the provider as evidence and
the collectivité, not the establishment, bears the loss."""

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.core.errors import ActionError
from solidaire.donations.models import Dispute, Gift
from solidaire.payments.models import SandboxCheckout
from solidaire.payments.providers.sandbox import DISPUTE_FEE_CENTS, fee_for
from solidaire.vouchers.models import Voucher

from ..campaigns.helpers import text
from ..gifts import give, start
from ..matching.helpers import assert_ledger_holds
from ..vouchers.helpers import approved_offer, redeem
from .helpers import balance, decide_dispute, entry_kinds, open_dispute, pools

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(cafe):
    """A 10 € gift, doubled, with a 10 € voucher."""
    approved_offer(cafe)
    return give(cafe, 1000)


def hosted_page(client, gift, capture, **data):
    with capture(execute=True):
        return client.post(f"/sandbox/paiement/{gift.checkout_id}/", data)


def test_the_card_holder_opens_a_dispute_from_the_hosted_page(
    personas, client_for, paid, django_capture_on_commit_callbacks
):
    client = client_for(personas.a)
    page = text(client.get(f"/sandbox/paiement/{paid.checkout_id}/"))
    assert 'value="dispute"' in page

    response = hosted_page(client, paid, django_capture_on_commit_callbacks, outcome="dispute", amount="")
    assert response.status_code == 302
    paid.refresh_from_db()
    assert paid.status == "disputed"
    assert 'value="dispute_won"' in text(client.get(f"/sandbox/paiement/{paid.checkout_id}/"))


def test_an_open_dispute_withdraws_the_funds_and_the_fee_and_freezes_the_rest(paid, cafe):
    gift = open_dispute(paid)
    assert (gift.status, gift.match_cents, gift.match_reversed_cents) == ("disputed", 1000, 0)
    dispute = Dispute.objects.get(gift=gift)
    assert (dispute.status, dispute.amount_cents, dispute.fee_cents) == ("open", 1000, DISPUTE_FEE_CENTS)
    assert entry_kinds(gift)[-3:] == ["dispute.opened", "dispute.fee", "dispute.frozen"]
    tenant = cafe.campaign.collectivite_id
    assert balance(f"disputed_funds:{tenant}:sandbox") == 1000
    assert balance(f"provider_fees:{tenant}:sandbox") == DISPUTE_FEE_CENTS
    # Nothing of the gift is payable while the bank decides; its match is still committed.
    assert balance(f"beneficiary_gifts:{cafe.pk}") == 0
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert balance(f"frozen_gifts:{cafe.pk}") == -(1000 - fee_for(1000))
    assert balance(f"frozen_matching:{cafe.pk}") == -1000
    assert pools(cafe.campaign) == (1000, 0)
    assert Voucher.objects.get(gift=gift).status == "frozen"
    assert_ledger_holds()


def test_a_frozen_voucher_cannot_be_used_at_the_counter(personas, client_for, paid, cafe):
    gift = open_dispute(paid)
    voucher = Voucher.objects.get(gift=gift)
    owner = client_for(personas.a, cafe.establishment.owner)
    page = text(owner.get(reverse("vouchers:counter_voucher", args=[cafe.establishment_id, voucher.pk])))
    assert "disputed" in page or "contest" in page or "litige" in page
    with pytest.raises(ActionError, match="disputed|contest|litige"):
        redeem(voucher, cafe.establishment.owner, 100)


def test_a_dispute_won_reinstates_everything(paid, cafe):
    gift = decide_dispute(open_dispute(paid), won=True)
    assert (gift.status, gift.match_cents, gift.match_reversed_cents) == ("confirmed", 1000, 0)
    assert Dispute.objects.get(gift=gift).status == "won"
    assert entry_kinds(gift)[-3:] == ["dispute.won", "dispute.unfrozen", "dispute.fee_returned"][:0] or entry_kinds(
        gift
    )[-2:] == ["dispute.won", "dispute.unfrozen"]
    tenant = cafe.campaign.collectivite_id
    assert balance(f"disputed_funds:{tenant}:sandbox") == 0
    assert balance(f"beneficiary_gifts:{cafe.pk}") == -(1000 - fee_for(1000))
    assert balance(f"beneficiary_matching:{cafe.pk}") == -1000
    assert balance(f"frozen_gifts:{cafe.pk}") == balance(f"frozen_matching:{cafe.pk}") == 0
    # The dispute fee stays spent: card networks keep it whatever the outcome.
    assert balance(f"provider_fees:{tenant}:sandbox") == DISPUTE_FEE_CENTS
    assert Voucher.objects.get(gift=gift).status == "active"
    assert_ledger_holds()


def test_a_dispute_lost_reverses_the_gift_and_its_match_and_cancels_the_unused_voucher(paid, cafe):
    mail.outbox.clear()
    gift = decide_dispute(open_dispute(paid), won=False)
    assert (gift.status, gift.charged_back_cents, gift.match_reversed_cents) == ("charged_back", 1000, 1000)
    dispute = Dispute.objects.get(gift=gift)
    assert (dispute.status, dispute.borne_by_collectivite) == ("lost", False)
    tenant = cafe.campaign.collectivite_id
    assert pools(cafe.campaign) == (0, 0)
    assert balance(f"beneficiary_gifts:{cafe.pk}") == balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert balance(f"disputed_funds:{tenant}:sandbox") == 0
    assert balance(f"refund_losses:{tenant}") == fee_for(1000)  # the payment’s fee, as for a refund
    assert Voucher.objects.get(gift=gift).status == "cancelled"
    assert gift.entries.get(kind="match.reversed").memo == "dispute lost"
    assert [m.to for m in mail.outbox] == [["donor@example.org"]]
    assert "contestation" in mail.outbox[0].subject or "dispute" in mail.outbox[0].subject
    assert_ledger_holds()


def test_a_partial_dispute_takes_back_its_part_and_the_match_in_proportion(paid, cafe):
    gift = decide_dispute(open_dispute(paid, amount_cents=400), won=False)
    assert (gift.status, gift.charged_back_cents, gift.standing_cents) == ("partly_refunded", 400, 600)
    assert (gift.match_cents, gift.match_reversed_cents) == (1000, 400)
    assert pools(cafe.campaign) == (600, 0)
    cafe.refresh_from_db()
    assert (cafe.gifts_count, cafe.gifts_total_cents, cafe.matching_total_cents) == (1, 600, 600)
    assert_ledger_holds()


def test_a_used_voucher_is_evidence_and_the_collectivite_bears_the_loss(paid, cafe):
    voucher = Voucher.objects.get(gift=paid)
    redeem(voucher, cafe.establishment.owner, 300)

    gift = open_dispute(paid)
    dispute = Dispute.objects.get(gift=gift)
    assert "redeemed" in dispute.evidence["uncategorized_text"]
    assert dispute.evidence["customer_email_address"] == gift.email
    # The sandbox received the evidence, as Stripe would.
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).dispute_evidence == dispute.evidence

    gift = decide_dispute(gift, won=False)
    dispute.refresh_from_db()
    assert dispute.borne_by_collectivite
    tenant = cafe.campaign.collectivite_id
    assert balance(f"dispute_losses:{tenant}") == 1000
    # The establishment gave its counterpart: it keeps what the gift brought it.
    assert balance(f"beneficiary_gifts:{cafe.pk}") == -(1000 - fee_for(1000))
    # The public match of a gift that no longer stands goes back, whoever bears the loss.
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    voucher.refresh_from_db()
    assert (voucher.status, voucher.remaining_cents) == ("cancelled", voucher.value_cents - 300)
    assert_ledger_holds()


def test_a_gift_not_paid_cannot_be_disputed(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = start(cafe, 500)
    response = hosted_page(client_for(personas.a), gift, django_capture_on_commit_callbacks, outcome="dispute")
    assert response.status_code == 400
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert entry_kinds(gift) == []


def test_a_dispute_cannot_be_decided_twice(personas, client_for, paid, django_capture_on_commit_callbacks):
    gift = decide_dispute(open_dispute(paid), won=True)
    client = client_for(personas.a)
    response = hosted_page(client, gift, django_capture_on_commit_callbacks, outcome="dispute_lost")
    assert response.status_code == 400
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_the_finance_page_shows_the_dispute(personas, client_for, paid):
    gift = open_dispute(paid)
    page = text(client_for(personas.a, personas.a.finance).get(f"/gestion/dons/{gift.pk}/"))
    assert f"/sandbox/paiement/{gift.checkout_id}/" in page
    assert "20 €" in page or "€20" in page
