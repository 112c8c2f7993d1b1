"""`ledger-check` recomputes what payouts keep (solidaire/payouts/checks.py): each check finds a
state tampered with behind the write paths' back (a line's amount or state, a batch's totals or
state, a file of an approved batch), and says nothing of books kept by the write paths."""

import pytest
from django.db.models import F
from django.test import TestCase

from solidaire.ledger import journal
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import AccountKind
from solidaire.payments.providers.sandbox import fee_for
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Document, Line

from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db


def problems() -> list[tuple[str, str, int | None]]:
    return [(v.invariant, v.detail, v.collectivite_id) for v in check_all()]


@pytest.fixture
def bar(campaign):
    return approved_registration(campaign, name="Bar du Port")


@pytest.fixture
def books(campaign, cafe, bar, finance, bank_account):
    """Every state a batch and a line can be in: a cancelled batch; a settled one (the café's
    line paid, the bar's returned); a sent one with the bar's line still to be paid; an approved
    one; one waiting for approval (the café's gifts)."""
    preparer, approver = finance
    give(cafe, 1000)
    give(bar, 600, email="ana@example.org")
    cancelled = actions.prepare_batch(campaign=campaign, channel="matching", actor=preparer)
    actions.cancel_batch(batch=cancelled, actor=preparer)
    settled = actions.prepare_batch(campaign=campaign, channel="matching", actor=preparer)
    actions.approve_batch(batch=settled, actor=approver)
    actions.mark_sent(batch=settled, actor=preparer)
    actions.mark_paid(batch=settled, actor=preparer, lines=[settled.lines.get(registration=cafe)])
    actions.mark_failed(line=settled.lines.get(registration=bar), actor=preparer, reason="AC04")
    sent = actions.prepare_batch(campaign=campaign, channel="matching", actor=preparer)
    actions.approve_batch(batch=sent, actor=approver)
    actions.mark_sent(batch=sent, actor=preparer)
    give(cafe, 500, email="bob@example.org")
    approved = actions.prepare_batch(campaign=campaign, channel="matching", actor=preparer)
    actions.approve_batch(batch=approved, actor=approver)
    prepared = actions.prepare_batch(campaign=campaign, channel="gifts", actor=preparer)
    for batch in (cancelled, settled, sent, approved, prepared):
        batch.refresh_from_db()
    assert [b.status for b in (cancelled, settled, sent, approved, prepared)] == [
        "cancelled",
        "settled",
        "sent",
        "approved",
        "prepared",
    ]
    return {"cancelled": cancelled, "settled": settled, "sent": sent, "approved": approved, "prepared": prepared}


def test_books_kept_by_the_write_paths_are_clean(books):
    assert problems() == []


# What the batch accounts hold, what the treasury paid ------------------------------------------


def test_a_line_to_be_paid_whose_amount_changed_is_found(books, bar):
    sent = books["sent"]
    line = sent.lines.get()
    Line.objects.filter(pk=line.pk).update(amount_cents=F("amount_cents") - 1, gross_cents=F("gross_cents") - 1)

    assert problems() == [
        (
            "payout batches",
            f"registration {bar.pk}: 600 in a batch (matching), pending lines say 599",
            sent.collectivite_id,
        ),
        (
            "payout lines",
            f"line {line.end_to_end_id} (pending): its committed entry does not say 599 less 0 set off = 599",
            sent.collectivite_id,
        ),
        ("payout batches", f"{sent.reference}: totals differ from its lines", sent.collectivite_id),
    ]


def test_a_paid_line_whose_amount_changed_is_found(books, cafe):
    settled = books["settled"]
    line = settled.lines.get(registration=cafe)
    Line.objects.filter(pk=line.pk).update(amount_cents=900, gross_cents=900)
    Batch.objects.filter(pk=settled.pk).update(total_cents=F("total_cents") - 100)  # its totals follow

    tenant = settled.collectivite_id
    assert problems() == [
        ("payouts paid", f"collectivité {tenant}: the journal paid 1000, lines paid say 900", tenant),
        (
            "payout lines",
            f"line {line.end_to_end_id} (paid): its committed entry does not say 900 less 0 set off = 900",
            tenant,
        ),
        (
            "payout lines",
            f"line {line.end_to_end_id} (paid): its paid entry does not say 900 less 0 set off = 900",
            tenant,
        ),
    ]


def test_a_line_marked_paid_without_its_entry_is_found(books, bar):
    sent = books["sent"]
    line = sent.lines.get()
    Line.objects.filter(pk=line.pk).update(status="paid")
    tenant = sent.collectivite_id

    assert problems() == [
        ("payout batches", f"registration {bar.pk}: 600 in a batch (matching), pending lines say 0", tenant),
        ("payouts paid", f"collectivité {tenant}: the journal paid 1000, lines paid say 1600", tenant),
        ("payout lines", f"line {line.end_to_end_id} (paid): entries are not ['committed', 'paid']", tenant),
    ]


def test_a_line_cancelled_without_its_entry_is_found(books, cafe):
    prepared = books["prepared"]
    line = prepared.lines.get(registration=cafe)
    Line.objects.filter(pk=line.pk).update(status="cancelled")
    tenant = prepared.collectivite_id

    assert problems() == [
        (
            "payout batches",
            f"registration {cafe.pk}: {line.amount_cents} in a batch (gifts), pending lines say 0",
            tenant,
        ),
        ("payout lines", f"line {line.end_to_end_id} (cancelled): entries are not ['cancelled', 'committed']", tenant),
    ]


def test_a_line_renamed_or_deleted_leaves_entries_of_no_line(books, cafe):
    approved = books["approved"]
    line = approved.lines.get()
    Line.objects.filter(pk=line.pk).update(end_to_end_id="FORGED-1")
    tenant = approved.collectivite_id

    assert problems() == [
        ("payout lines", "line FORGED-1 (pending): entries are not ['committed']", tenant),
        ("payout lines", f"payout entries for {line.end_to_end_id}, which is no line", None),
    ]

    Line.objects.filter(pk=line.pk).delete()
    assert problems() == [
        ("payout batches", f"registration {cafe.pk}: 500 in a batch (matching), pending lines say 0", tenant),
        ("payout lines", f"payout entries for {line.end_to_end_id}, which is no line", None),
        ("payout batches", f"{approved.reference}: totals differ from its lines", tenant),
    ]


# Batches and their files -------------------------------------------------------------------------


def test_a_batch_whose_totals_changed_is_found(books):
    approved = books["approved"]
    Batch.objects.filter(pk=approved.pk).update(total_cents=F("total_cents") + 1)
    assert problems() == [
        ("payout batches", f"{approved.reference}: totals differ from its lines", approved.collectivite_id)
    ]

    Batch.objects.filter(pk=approved.pk).update(total_cents=F("total_cents") - 1, lines_count=2)
    assert problems() == [
        ("payout batches", f"{approved.reference}: totals differ from its lines", approved.collectivite_id)
    ]


@pytest.mark.parametrize("status", ["settled", "cancelled"])
def test_a_batch_settled_or_cancelled_with_lines_to_pay_is_found(books, status):
    sent = books["sent"]
    Batch.objects.filter(pk=sent.pk).update(status=status)

    found = problems()

    assert ("payout batches", f"{sent.reference} is {status} with lines to pay", sent.collectivite_id) in found
    if status == "cancelled":  # and its files are those of no approved batch
        assert ("payout files", f"{sent.reference} (cancelled) has 4 files", sent.collectivite_id) in found
        assert len(found) == 2
    else:
        assert len(found) == 1


@pytest.mark.parametrize("kind", ["sepa", "csv", "xlsx", "pdf"])
def test_a_file_changed_after_approval_is_found(books, kind):
    approved = books["approved"]
    Document.objects.filter(batch=approved, kind=kind).update(content=b"forged")

    assert problems() == [
        ("payout files", f"{approved.reference}: a file changed after approval", approved.collectivite_id)
    ]


def test_a_file_whose_fingerprint_changed_is_found(books):
    settled = books["settled"]
    Document.objects.filter(batch=settled, kind="sepa").update(sha256="0" * 64)

    assert problems() == [
        ("payout files", f"{settled.reference}: a file changed after approval", settled.collectivite_id)
    ]


def test_a_missing_file_of_an_approved_batch_is_found(books):
    sent = books["sent"]
    Document.objects.filter(batch=sent, kind="pdf").delete()

    assert problems() == [("payout files", f"{sent.reference} (sent) has 3 files", sent.collectivite_id)]


def test_files_for_a_batch_never_approved_are_found(books):
    prepared, approved = books["prepared"], books["approved"]
    Document.objects.filter(batch=approved, kind="csv").update(batch=prepared)

    assert sorted(problems()) == [
        ("payout files", f"{approved.reference} (approved) has 3 files", approved.collectivite_id),
        ("payout files", f"{prepared.reference} (prepared) has 1 files", prepared.collectivite_id),
    ]


# What each line's entries say --------------------------------------------------------------------


@pytest.fixture
def provider_batch(campaign, cafe, bar, finance):
    """The gifts paid by the sandbox's transfers (no SEPA file; its notifications pay the lines)."""
    give(cafe, 1000)
    give(bar, 600, email="ana@example.org")
    batch = actions.prepare_batch(campaign=campaign, channel="gifts", route="provider", actor=finance[0])
    actions.approve_batch(batch=batch, actor=finance[1])
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.mark_sent(batch=batch, actor=finance[0])
    batch.refresh_from_db()
    assert batch.status == "settled"
    assert problems() == []
    return batch


def test_a_line_paid_by_the_provider_whose_amount_changed_is_found(provider_batch, cafe):
    line = provider_batch.lines.get(registration=cafe)
    Line.objects.filter(pk=line.pk).update(amount_cents=F("amount_cents") - 100, gross_cents=F("gross_cents") - 100)
    Batch.objects.filter(pk=provider_batch.pk).update(total_cents=F("total_cents") - 100)  # its totals follow

    amount = 1000 - fee_for(1000) - 100
    tenant = provider_batch.collectivite_id
    assert problems() == [
        (
            "payout lines",
            f"line {line.end_to_end_id} (paid): its {what} entry does not say {amount} less 0 set off = {amount}",
            tenant,
        )
        for what in ("committed", "paid")
    ]


def test_a_line_whose_set_off_changed_is_found(books, cafe):
    """The amount transferred stays, but the line would say it set off a debt its commitment did
    not."""
    approved = books["approved"]
    line = approved.lines.get()
    Line.objects.filter(pk=line.pk).update(gross_cents=F("gross_cents") + 100, offset_cents=F("offset_cents") + 100)

    assert problems() == [
        (
            "payout lines",
            f"line {line.end_to_end_id} (pending): its committed entry does not say {line.gross_cents + 100} "
            f"less {line.offset_cents + 100} set off = {line.amount_cents}",
            approved.collectivite_id,
        ),
    ]


def test_a_payout_entry_of_no_line_is_reported_whatever_its_key(books, campaign):
    """An entry of the payouts' kinds whose key is not `payout:<end-to-end id>:<what>` is named,
    and the check does not stop there."""
    tenant = campaign.collectivite
    first = journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="sandbox")
    second = journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="stripe")
    journal.post(kind="payout.test", key="payout:forged", collectivite=tenant, lines=[(first, 1), (second, -1)])
    journal.post(kind="payout.test", key="payout:FORGED-2:paid", collectivite=tenant, lines=[(first, 1), (second, -1)])

    assert sorted(problems()) == [
        ("payout lines", "payout entries for FORGED-2, which is no line", None),
        ("payout lines", "payout entries for payout:forged, which is no line", None),
    ]
