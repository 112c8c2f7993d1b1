"""Payout batches pay what the journal says each beneficiary is owed, once: what is below the
campaign’s smallest payment, what has no valid IBAN and what a moderator held back waits, listed
apart with why; a cancelled batch or a returned transfer gives the money back to what is owed and
the next batch pays it; preparing again finds nothing; lines are marked paid one by one or all
together; the cut-off keeps later money (and takes later refunds into account); what a
beneficiary must give back is set off."""

from datetime import timedelta

import pytest
from django.utils import timezone

from solidaire.beneficiaries.actions import resume_payouts, suspend_payouts
from solidaire.beneficiaries.models import Establishment
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry, Posting
from solidaire.payments.providers.sandbox import fee_for
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Line
from solidaire.payouts.owed import owed, position

from ..donations.helpers import open_dispute, refund
from ..factories import CampaignFactory
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

INVALID_IBAN = "FR7630006000011234567890188"  # the check digits do not add up


def balance(code: str) -> int:
    """Debits minus credits of one account of the chart (0 if it was never used)."""
    return sum(Posting.objects.filter(account__code=code).values_list("amount_cents", flat=True))


def assert_books_hold():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]


def prepare(campaign, preparer, channel="matching", **kwargs):
    return actions.prepare_batch(campaign=campaign, channel=channel, actor=preparer, **kwargs)


def send(batch, approver, sender):
    """Approved by the second officer and marked sent (the owners' e-mails wait for a commit
    that never comes in these tests)."""
    actions.approve_batch(batch=batch, actor=approver)
    return actions.mark_sent(batch=batch, actor=sender)


def lines_of(batch) -> dict[int, tuple[int, int, int]]:
    """{registration id: (gross, offset, amount)} of the batch's lines."""
    return {
        line.registration_id: (line.gross_cents, line.offset_cents, line.amount_cents)
        for line in Line.objects.filter(batch=batch)
    }


def nothing_owed(campaign, preparer, channel="matching", **kwargs):
    with pytest.raises(ActionError) as refused:
        prepare(campaign, preparer, channel, **kwargs)
    assert refused.value.code == "nothing_owed"


@pytest.fixture
def bar(campaign):
    return approved_registration(campaign, name="Bar du Port")


# What waits -------------------------------------------------------------------------------------


def test_a_beneficiary_owed_less_than_the_smallest_payment_waits_for_the_next_batch(campaign, cafe, bar, finance):
    preparer, _approver = finance
    Campaign.objects.filter(pk=campaign.pk).update(payout_minimum_cents=1500)
    campaign.refresh_from_db()
    give(cafe, 1000)
    give(bar, 800, email="ana@example.org")
    give(bar, 800, email="bob@example.org")

    batch = prepare(campaign, preparer)

    assert lines_of(batch) == {bar.pk: (1600, 0, 1600)}
    assert (batch.total_cents, batch.lines_count) == (1600, 1)
    waiting = {item.registration.pk: item for item in owed(campaign, "matching", cutoff=timezone.now())}
    assert list(waiting) == [cafe.pk]
    assert (waiting[cafe.pk].amount_cents, waiting[cafe.pk].apart) == (1000, ["below_minimum"])
    assert position(cafe).owed["matching"] == 1000

    give(cafe, 500, email="carla@example.org")
    later = prepare(campaign, preparer)
    assert lines_of(later) == {cafe.pk: (1500, 0, 1500)}
    assert_books_hold()


def test_only_money_below_the_minimum_means_nothing_to_pay(campaign, cafe, finance):
    Campaign.objects.filter(pk=campaign.pk).update(payout_minimum_cents=5000)
    campaign.refresh_from_db()
    give(cafe, 1000)

    nothing_owed(campaign, finance[0])

    assert not Batch.objects.exists()
    assert position(cafe).owed["matching"] == 1000


def test_no_valid_iban_and_payments_held_back_are_listed_apart_with_why(personas, campaign, cafe, finance):
    preparer, _approver = finance
    no_iban = approved_registration(campaign, name="Bistrot sans RIB")
    Establishment.objects.filter(pk=no_iban.establishment_id).update(iban=INVALID_IBAN)
    held = approved_registration(campaign, name="Brasserie en enquête")
    suspend_payouts(registration=held, moderator=personas.a.moderator, reason="Changement de gérant à vérifier")
    for n, registration in enumerate([cafe, no_iban, held]):
        give(registration, 1000, email=f"donor{n}@example.org")

    batch = prepare(campaign, preparer)

    assert lines_of(batch) == {cafe.pk: (1000, 0, 1000)}
    apart = {
        item.registration.pk: (item.amount_cents, item.apart)
        for item in owed(campaign, "matching", cutoff=timezone.now())
    }
    assert apart == {no_iban.pk: (1000, ["invalid_iban"]), held.pk: (1000, ["suspended"])}
    held.refresh_from_db()
    assert held.payouts_suspension_reason == "Changement de gérant à vérifier"
    # Their money stays owed; once the IBAN is fixed and the payments resumed, the next batch pays.
    assert (position(no_iban).owed["matching"], position(held).owed["matching"]) == (1000, 1000)
    Establishment.objects.filter(pk=no_iban.establishment_id).update(iban="FR7630006000011234567890189")
    resume_payouts(registration=held, moderator=personas.a.moderator)

    later = prepare(campaign, preparer)

    assert lines_of(later) == {no_iban.pk: (1000, 0, 1000), held.pk: (1000, 0, 1000)}
    assert_books_hold()


def test_a_beneficiary_held_back_and_without_iban_says_both(personas, campaign, cafe, finance):
    Establishment.objects.filter(pk=cafe.establishment_id).update(iban=INVALID_IBAN)
    suspend_payouts(registration=cafe, moderator=personas.a.moderator, reason="Enquête")
    give(cafe, 1000)

    nothing_owed(campaign, finance[0])

    [item] = owed(campaign, "matching", cutoff=timezone.now())
    assert item.apart == ["invalid_iban", "suspended"]


# Cancelled, failed, prepared again --------------------------------------------------------------


def test_a_cancelled_batch_gives_the_money_back_to_what_is_owed(campaign, cafe, finance):
    preparer, approver = finance
    give(cafe, 1000)
    batch = prepare(campaign, preparer)
    assert (position(cafe).owed["matching"], position(cafe).in_batch["matching"]) == (0, 1000)

    actions.cancel_batch(batch=batch, actor=approver)

    batch.refresh_from_db()
    assert (batch.status, batch.cancelled_by) == ("cancelled", approver)
    assert list(batch.lines.values_list("status", flat=True)) == ["cancelled"]
    assert (position(cafe).owed["matching"], position(cafe).in_batch["matching"]) == (1000, 0)
    line = batch.lines.get()
    assert sorted(
        Entry.objects.filter(key__startswith=f"payout:{line.end_to_end_id}:").values_list("kind", flat=True)
    ) == [
        "payout.cancelled",
        "payout.committed",
    ]
    assert_books_hold()

    again = prepare(campaign, preparer)
    assert lines_of(again) == {cafe.pk: (1000, 0, 1000)}
    assert again.reference != batch.reference
    assert_books_hold()


def test_a_cancelled_batch_cannot_be_cancelled_again_nor_approved(campaign, cafe, finance):
    preparer, approver = finance
    give(cafe, 1000)
    batch = prepare(campaign, preparer)
    actions.cancel_batch(batch=batch, actor=preparer)

    for action in (actions.cancel_batch, actions.approve_batch):
        with pytest.raises(ActionError) as refused:
            action(batch=batch, actor=approver)
        assert refused.value.code == "state"

    assert Entry.objects.filter(kind="payout.cancelled").count() == 1
    assert position(cafe).owed["matching"] == 1000


def test_a_returned_transfer_is_owed_again_and_the_next_batch_pays_it(campaign, cafe, bar, finance, bank_account):
    preparer, approver = finance
    give(cafe, 1000)
    give(bar, 600, email="ana@example.org")
    batch = send(prepare(campaign, preparer), approver, preparer)
    returned = batch.lines.get(registration=cafe)

    actions.mark_failed(line=returned, actor=preparer, reason="AC04 compte clôturé")

    returned.refresh_from_db()
    assert (returned.status, returned.failure_reason) == ("failed", "AC04 compte clôturé")
    assert (position(cafe).owed["matching"], position(cafe).in_batch["matching"]) == (1000, 0)
    batch.refresh_from_db()
    assert batch.status == "sent"  # the bar's transfer is still to be confirmed
    actions.mark_paid(batch=batch, actor=preparer)
    batch.refresh_from_db()
    assert batch.status == "settled"
    assert_books_hold()

    # The owner gives another IBAN; the next batch pays the café once, to it.
    Establishment.objects.filter(pk=cafe.establishment_id).update(iban="FR1420041010050500013M02606")
    next_batch = send(prepare(campaign, preparer), approver, preparer)
    line = next_batch.lines.get()
    assert (line.registration_id, line.amount_cents, line.iban) == (cafe.pk, 1000, "FR1420041010050500013M02606")
    actions.mark_paid(batch=next_batch, actor=preparer)
    assert position(cafe).paid["matching"] == 1000
    assert position(bar).paid["matching"] == 600
    assert balance(f"treasury_payouts:{campaign.collectivite_id}") == -1600
    assert_books_hold()


def test_a_line_fails_once_and_only_once_its_batch_was_sent(campaign, cafe, finance, bank_account):
    preparer, approver = finance
    give(cafe, 1000)
    batch = prepare(campaign, preparer)
    line = batch.lines.get()
    with pytest.raises(ActionError) as refused:
        actions.mark_failed(line=line, actor=preparer, reason="AC04")
    assert refused.value.code == "state"

    send(batch, approver, preparer)
    with pytest.raises(ActionError) as no_reason:
        actions.mark_failed(line=line, actor=preparer, reason="  ")
    assert no_reason.value.field == "reason"
    actions.mark_failed(line=line, actor=preparer, reason="AC04")
    with pytest.raises(ActionError) as again:
        actions.mark_failed(line=line, actor=preparer, reason="AC04")
    assert again.value.code == "state"
    with pytest.raises(ActionError):
        actions.mark_paid(batch=batch, actor=preparer, lines=[line])

    assert Entry.objects.filter(kind="payout.failed").count() == 1
    assert position(cafe).owed["matching"] == 1000
    assert_books_hold()


def test_preparing_again_pays_nobody_twice(campaign, cafe, bar, finance):
    preparer, _approver = finance
    give(cafe, 1000)
    give(bar, 700, email="ana@example.org")
    first = prepare(campaign, preparer)
    assert lines_of(first) == {cafe.pk: (1000, 0, 1000), bar.pk: (700, 0, 700)}

    nothing_owed(campaign, preparer)

    give(cafe, 400, email="bob@example.org")
    second = prepare(campaign, preparer)
    assert lines_of(second) == {cafe.pk: (400, 0, 400)}
    nothing_owed(campaign, preparer)
    assert position(cafe).in_batch["matching"] == 1400
    assert Batch.objects.count() == 2
    assert_books_hold()


def test_both_channels_are_prepared_apart_and_gifts_are_paid_net_of_the_fee(campaign, cafe, finance):
    """The sandbox is no Stripe Connect: the collectivité collected the gifts and pays them out,
    net of the provider’s fee, in a batch of their own."""
    preparer, _approver = finance
    give(cafe, 1000)

    matching = prepare(campaign, preparer, "matching")
    gifts = prepare(campaign, preparer, "gifts")

    assert lines_of(matching) == {cafe.pk: (1000, 0, 1000)}
    assert lines_of(gifts) == {cafe.pk: (1000 - fee_for(1000), 0, 1000 - fee_for(1000))}
    assert position(cafe).in_batch == {"matching": 1000, "gifts": 1000 - fee_for(1000)}
    assert balance(f"in_batch_gifts:{cafe.pk}") == -(1000 - fee_for(1000))
    nothing_owed(campaign, preparer, "gifts")
    assert_books_hold()


def test_a_batch_of_another_campaign_takes_nothing_of_this_one(personas, campaign, cafe, finance):
    preparer, _approver = finance
    other = CampaignFactory(collectivite=personas.a.tenant, slug="marches", title="Marchés")
    stall = approved_registration(other, name="Étal du marché")
    give(cafe, 1000)
    give(stall, 500, email="ana@example.org")

    batch = prepare(other, preparer)

    assert lines_of(batch) == {stall.pk: (500, 0, 500)}
    assert position(cafe).owed["matching"] == 1000


def test_two_collectivites_each_prepare_their_first_batch(personas, campaign, cafe, finance):
    """References are numbered per collectivité (both start at VRS-<year>-0001): the transfers'
    end-to-end ids and the journal's keys must still be unique across the platform."""
    metz = CampaignFactory(collectivite=personas.b.tenant, slug="cafes-metz", title="Cafés de Metz")
    metz_cafe = approved_registration(metz, commune="57463", name="Café de la Cathédrale")
    give(cafe, 1000)
    give(metz_cafe, 600, email="dan@example.org")

    ours = prepare(campaign, finance[0])
    theirs = prepare(metz, personas.b.finance)

    assert ours.reference == theirs.reference
    assert lines_of(theirs) == {metz_cafe.pk: (600, 0, 600)}
    ids = list(Line.objects.values_list("end_to_end_id", flat=True))
    assert len(set(ids)) == 2
    assert all(len(e2e) <= 35 for e2e in ids)  # SEPA's limit
    assert_books_hold()


# Paid -------------------------------------------------------------------------------------------


def test_lines_are_marked_paid_one_by_one_then_the_batch_is_settled(campaign, cafe, bar, finance, bank_account):
    preparer, approver = finance
    give(cafe, 1000)
    give(bar, 600, email="ana@example.org")
    batch = prepare(campaign, preparer)
    with pytest.raises(ActionError) as not_sent:
        actions.mark_paid(batch=batch, actor=preparer)
    assert not_sent.value.code == "state"
    send(batch, approver, preparer)
    first, second = batch.lines.get(registration=cafe), batch.lines.get(registration=bar)

    paid = actions.mark_paid(batch=batch, actor=preparer, lines=[first])

    assert [line.pk for line in paid] == [first.pk]
    batch.refresh_from_db()
    assert batch.status == "sent"
    assert (position(cafe).paid["matching"], position(bar).paid["matching"]) == (1000, 0)
    assert balance(f"treasury_payouts:{campaign.collectivite_id}") == -1000
    assert_books_hold()
    with pytest.raises(ActionError):  # paid already
        actions.mark_paid(batch=batch, actor=preparer, lines=[first])

    actions.mark_paid(batch=batch, actor=preparer, lines=[second.pk])

    batch.refresh_from_db()
    assert (batch.status, batch.settled_at is not None) == ("settled", True)
    assert (position(cafe).paid["matching"], position(bar).paid["matching"]) == (1000, 600)
    assert position(bar).in_batch["matching"] == 0
    assert Entry.objects.filter(kind="payout.paid").count() == 2
    with pytest.raises(ActionError):  # settled: nothing left to pay
        actions.mark_paid(batch=batch, actor=preparer)
    assert_books_hold()


def test_a_line_of_another_batch_cannot_be_marked_paid_with_this_one(campaign, cafe, bar, finance, bank_account):
    preparer, approver = finance
    give(cafe, 1000)
    first = send(prepare(campaign, preparer), approver, preparer)
    give(bar, 600, email="ana@example.org")
    second = send(prepare(campaign, preparer), approver, preparer)

    with pytest.raises(ActionError) as refused:
        actions.mark_paid(batch=first, actor=preparer, lines=[second.lines.get()])

    assert refused.value.code == "state"
    assert not Entry.objects.filter(kind="payout.paid").exists()
    assert set(Line.objects.values_list("status", flat=True)) == {"pending"}


# Cut-off ----------------------------------------------------------------------------------------


def test_money_earned_after_the_cutoff_waits_for_the_next_batch(campaign, cafe, finance):
    preparer, _approver = finance
    give(cafe, 1000)
    cutoff = timezone.now()
    give(cafe, 500, email="ana@example.org")

    batch = prepare(campaign, preparer, cutoff=cutoff)

    assert batch.cutoff == cutoff
    assert lines_of(batch) == {cafe.pk: (1000, 0, 1000)}
    assert position(cafe).owed["matching"] == 500
    nothing_owed(campaign, preparer, cutoff=cutoff)
    assert lines_of(prepare(campaign, preparer)) == {cafe.pk: (500, 0, 500)}
    assert_books_hold()


def test_nothing_before_the_first_gift_is_nothing_owed(campaign, cafe, finance):
    cutoff = timezone.now()
    give(cafe, 1000)
    nothing_owed(campaign, finance[0], cutoff=cutoff)


def test_a_refund_after_the_cutoff_is_never_paid_out(personas, campaign, cafe, finance):
    preparer, _approver = finance
    gift = give(cafe, 1000)
    cutoff = timezone.now()
    refund(gift, actor=personas.a.finance, amount_cents=400)

    batch = prepare(campaign, preparer, cutoff=cutoff)

    assert lines_of(batch) == {cafe.pk: (600, 0, 600)}
    assert position(cafe).owed["matching"] == 0
    assert_books_hold()


def test_a_cutoff_in_the_future_is_refused(campaign, cafe, finance):
    give(cafe, 1000)
    with pytest.raises(ActionError) as refused:
        prepare(campaign, finance[0], cutoff=timezone.now() + timedelta(hours=1))
    assert refused.value.field == "cutoff"
    assert not Batch.objects.exists()


def test_an_unknown_channel_or_an_execution_date_in_the_past_is_refused(campaign, cafe, finance):
    give(cafe, 1000)
    with pytest.raises(ActionError) as channel:
        prepare(campaign, finance[0], channel="vouchers")
    with pytest.raises(ActionError) as date:
        prepare(campaign, finance[0], execution_date=timezone.localdate() - timedelta(days=1))
    assert (channel.value.field, date.value.field) == ("channel", "execution_date")
    assert not Batch.objects.exists()
    assert not Entry.objects.filter(kind__startswith="payout.").exists()


# What a beneficiary must give back is set off -----------------------------------------------------


@pytest.fixture
def owes_back(personas, campaign, cafe, finance, bank_account):
    """The café's 10 € match was paid out, then the gift refunded: the café must give the 10 €
    of public money back (its gifts payable still held the gift itself, net of the fee)."""
    preparer, approver = finance
    gift = give(cafe, 1000)
    batch = send(prepare(campaign, preparer), approver, preparer)
    actions.mark_paid(batch=batch, actor=preparer)
    refund(gift, actor=personas.a.finance)
    assert gift.status == "refunded"
    assert balance(f"beneficiary_recoverable:{cafe.pk}") == 1000
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert balance(f"beneficiary_gifts:{cafe.pk}") == 0
    assert_books_hold()
    return cafe


def test_what_a_beneficiary_must_give_back_is_set_off_in_the_next_batch(campaign, owes_back, finance):
    preparer, approver = finance
    give(owes_back, 1000, email="ana@example.org")
    give(owes_back, 600, email="bob@example.org")

    batch = prepare(campaign, preparer)

    assert lines_of(batch) == {owes_back.pk: (1600, 1000, 600)}
    assert batch.total_cents == 600
    assert balance(f"beneficiary_recoverable:{owes_back.pk}") == 0
    assert position(owes_back).in_batch["matching"] == 600
    assert_books_hold()
    # Cancelled: the debt is back, and so is what was owed.
    actions.cancel_batch(batch=batch, actor=approver)
    assert balance(f"beneficiary_recoverable:{owes_back.pk}") == 1000
    assert position(owes_back).owed["matching"] == 1600
    assert_books_hold()


def test_the_set_off_comes_back_when_the_transfer_is_returned(campaign, owes_back, finance):
    preparer, approver = finance
    give(owes_back, 1000, email="ana@example.org")
    give(owes_back, 600, email="bob@example.org")
    batch = send(prepare(campaign, preparer), approver, preparer)

    actions.mark_failed(line=batch.lines.get(), actor=preparer, reason="AC04")

    assert balance(f"beneficiary_recoverable:{owes_back.pk}") == 1000
    assert position(owes_back).owed["matching"] == 1600
    assert lines_of(prepare(campaign, preparer)) == {owes_back.pk: (1600, 1000, 600)}
    assert_books_hold()


def test_a_debt_larger_than_what_is_owed_waits_and_is_not_a_line_of_nothing(campaign, owes_back, finance):
    """Owed 5 €, owing 10 € back: nothing would be transferred — the money waits, whatever the
    campaign’s smallest payment (even none)."""
    Campaign.objects.filter(pk=campaign.pk).update(payout_minimum_cents=0)
    campaign.refresh_from_db()
    give(owes_back, 500, email="ana@example.org")

    nothing_owed(campaign, finance[0])

    [item] = owed(campaign, "matching", cutoff=timezone.now())
    assert (item.gross_cents, item.offset_cents, item.amount_cents) == (500, 500, 0)
    assert item.apart == ["below_minimum"]
    assert balance(f"beneficiary_recoverable:{owes_back.pk}") == 1000
    assert_books_hold()


def test_the_gifts_channel_sets_off_a_debt_of_the_match(personas, campaign, owes_back, finance):
    """What must be given back is one debt, whatever money it came from."""
    give(owes_back, 1000, email="ana@example.org")
    give(owes_back, 1000, email="bob@example.org")
    net = 2 * (1000 - fee_for(1000))

    batch = prepare(campaign, finance[0], "gifts")

    assert lines_of(batch) == {owes_back.pk: (net, 1000, net - 1000)}
    assert position(owes_back).owed == {"matching": 2000, "gifts": 0}
    assert balance(f"beneficiary_recoverable:{owes_back.pk}") == 0
    assert_books_hold()


# A dispute on money already in a batch ---------------------------------------------------------


def test_a_dispute_on_a_gift_whose_match_is_in_a_batch_freezes_only_what_is_still_owed(campaign, cafe, finance):
    gift = give(cafe, 1000)
    prepare(campaign, finance[0])

    open_dispute(gift)

    assert gift.status == "disputed"
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert balance(f"frozen_matching:{cafe.pk}") == 0  # the match is in the batch: nothing is left to freeze
    assert balance(f"frozen_gifts:{cafe.pk}") == -(1000 - fee_for(1000))
    assert_books_hold()
