"""Four eyes release a payment: the finance officer who prepared a batch cannot approve it (the
action refuses, and so does the database); approving needs two-factor authentication when the
platform requires it; once approved, the batch's lines no longer change; who prepared and who
approved it, and when, is in the audit log and in the statement the public accountant receives."""

import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.ledger.checks import check_all
from solidaire.ledger.models import Entry
from solidaire.payouts import actions
from solidaire.payouts.models import Batch, Document
from solidaire.payouts.owed import position

from ..factories import MembershipFactory, UserFactory
from ..gifts import give
from ..vouchers.helpers import pdf_text
from .conftest import with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(campaign, cafe, finance, bank_account):
    """A batch of 10 € of public money for the café, prepared by fiona."""
    give(cafe, 1000)
    return actions.prepare_batch(campaign=campaign, channel="matching", actor=finance[0])


def unchanged(batch):
    """Still waiting for approval, approved by nobody, without files or approval in the log."""
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by, batch.approved_at) == ("prepared", None, None)
    assert not Document.objects.filter(batch=batch).exists()
    assert not AuditEvent.objects.filter(action="payout.batch_approved").exists()


# Four eyes ---------------------------------------------------------------------------------------


def test_the_preparer_cannot_approve_their_own_batch(batch, finance):
    preparer, _approver = finance
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=batch, actor=preparer)
    assert refused.value.code == "four_eyes"
    unchanged(batch)


def test_the_preparer_cannot_approve_even_without_two_factor_required(batch, finance):
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=batch, actor=finance[0], require_two_factor=False)
    assert refused.value.code == "four_eyes"
    unchanged(batch)


def test_the_database_refuses_an_approval_by_the_preparer(batch, finance):
    with pytest.raises(IntegrityError, match="batch_approved_by_another"):
        with transaction.atomic():
            Batch.objects.filter(pk=batch.pk).update(approved_by=F("prepared_by"), approved_at=timezone.now())
    unchanged(batch)
    # Another person passes the constraint.
    Batch.objects.filter(pk=batch.pk).update(approved_by=finance[1])
    assert Batch.objects.get(pk=batch.pk).approved_by == finance[1]


def test_another_finance_officer_approves(batch, finance):
    preparer, approver = finance
    approved = actions.approve_batch(batch=batch, actor=approver)
    approved.refresh_from_db()
    assert (approved.status, approved.prepared_by, approved.approved_by) == ("approved", preparer, approver)
    assert Document.objects.filter(batch=batch).count() == 4
    assert check_all() == []


# Two-factor authentication ------------------------------------------------------------------------


@pytest.fixture
def without_two_factor(personas):
    """A third finance officer, who has not switched two-factor authentication on."""
    user = UserFactory(email="paul@grand-est.example", first_name="Paul")
    MembershipFactory(user=user, collectivite=personas.a.tenant, role="finance")
    return user


def test_approving_without_two_factor_is_refused_when_required(batch, without_two_factor):
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=batch, actor=without_two_factor, require_two_factor=True)
    assert refused.value.code == "two_factor"
    unchanged(batch)


@override_settings(SOLIDAIRE_PAYOUTS_REQUIRE_2FA=True)
def test_the_platform_setting_requires_two_factor_by_default(batch, without_two_factor):
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=batch, actor=without_two_factor)
    assert refused.value.code == "two_factor"
    unchanged(batch)

    with_two_factor(without_two_factor)
    actions.approve_batch(batch=batch, actor=without_two_factor)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", without_two_factor)


@override_settings(SOLIDAIRE_PAYOUTS_REQUIRE_2FA=False)
def test_without_the_requirement_an_officer_without_two_factor_approves(batch, without_two_factor):
    actions.approve_batch(batch=batch, actor=without_two_factor)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", without_two_factor)


def test_approving_without_the_collectivites_bank_account_is_refused(campaign, cafe, finance):
    give(cafe, 1000)
    batch = actions.prepare_batch(campaign=campaign, channel="matching", actor=finance[0])
    with pytest.raises(ActionError) as refused:
        actions.approve_batch(batch=batch, actor=finance[1])
    assert refused.value.code == "no_account"
    unchanged(batch)


# Approved: frozen -----------------------------------------------------------------------------


def test_an_approved_batch_cannot_be_cancelled_and_its_lines_do_not_change(batch, cafe, finance):
    preparer, approver = finance
    actions.approve_batch(batch=batch, actor=approver)
    line = batch.lines.get()
    before = (line.status, line.gross_cents, line.offset_cents, line.amount_cents, line.iban)
    files = dict(Document.objects.filter(batch=batch).values_list("kind", "sha256"))

    for who in (preparer, approver):
        with pytest.raises(ActionError) as refused:
            actions.cancel_batch(batch=batch, actor=who)
        assert refused.value.code == "state"
    with pytest.raises(ActionError) as again:
        actions.approve_batch(batch=batch, actor=approver)
    assert again.value.code == "state"

    line.refresh_from_db()
    assert (line.status, line.gross_cents, line.offset_cents, line.amount_cents, line.iban) == before
    assert dict(Document.objects.filter(batch=batch).values_list("kind", "sha256")) == files
    assert not Entry.objects.filter(kind="payout.cancelled").exists()
    assert position(cafe).in_batch["matching"] == 1000
    batch.refresh_from_db()
    assert batch.status == "approved"
    # More money for the café goes to the next batch, never into the approved one.
    give(cafe, 500, email="ana@example.org")
    later = actions.prepare_batch(campaign=batch.campaign, channel="matching", actor=preparer)
    assert (batch.lines.count(), later.lines.get().amount_cents) == (1, 500)
    assert check_all() == []


def test_a_sent_batch_cannot_be_cancelled_either(batch, finance):
    preparer, approver = finance
    actions.approve_batch(batch=batch, actor=approver)
    actions.mark_sent(batch=batch, actor=preparer)
    with pytest.raises(ActionError) as refused:
        actions.cancel_batch(batch=batch, actor=approver)
    assert refused.value.code == "state"
    assert list(batch.lines.values_list("status", flat=True)) == ["pending"]


# Who and when -------------------------------------------------------------------------------------


@pytest.fixture
def approved(batch, finance):
    """Prepared by fiona, approved by tristan two hours later (in the statement's time)."""
    approver = finance[1]
    return actions.approve_batch(batch=batch, actor=approver, now=batch.prepared_at + timedelta(hours=2))


def test_both_names_and_times_are_in_the_audit_log(approved, finance):
    preparer, approver = finance
    prepared = AuditEvent.objects.get(action="payout.batch_prepared", object_id=str(approved.pk))
    released = AuditEvent.objects.get(action="payout.batch_approved", object_id=str(approved.pk))

    assert (prepared.actor, prepared.actor_label) == (preparer, "fiona@grand-est.example")
    assert (released.actor, released.actor_label) == (approver, "tristan@grand-est.example")
    assert released.data == {"prepared_by": "fiona@grand-est.example", "approved_by": "tristan@grand-est.example"}
    assert prepared.created_at <= released.created_at
    assert approved.approved_at - approved.prepared_at == timedelta(hours=2)
    assert prepared.object_label.startswith(approved.reference)


def _when(moment) -> str:
    with translation.override("fr"):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _document(batch, kind) -> bytes:
    document = Document.objects.get(batch=batch, kind=kind)
    content = bytes(document.content)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    return content


def test_the_statement_names_who_prepared_and_who_approved_and_when(approved):
    prepared_by = f"fiona@grand-est.example — {_when(approved.prepared_at)}"
    approved_by = f"tristan@grand-est.example — {_when(approved.approved_at)}"
    assert _when(approved.prepared_at) != _when(approved.approved_at)

    csv = _document(approved, "csv")
    assert csv.startswith("\ufeff".encode())
    rows = [row.split(";") for row in csv.decode("utf-8-sig").split("\r\n")]
    assert ["Préparé par", prepared_by] in rows or ["Prepared by", prepared_by] in rows
    assert ["Approuvé par", approved_by] in rows or ["Approved by", approved_by] in rows

    with zipfile.ZipFile(io.BytesIO(_document(approved, "xlsx"))) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert prepared_by in strings and approved_by in strings

    pdf = pdf_text(_document(approved, "pdf"))
    assert "fiona@grand-est.example" in pdf and "tristan@grand-est.example" in pdf
    assert _when(approved.prepared_at) in pdf and _when(approved.approved_at) in pdf


def test_the_statement_and_the_sepa_file_carry_the_approved_lines(approved, cafe):
    line = approved.lines.get()
    csv = _document(approved, "csv").decode("utf-8-sig")
    assert (
        f"{line.legal_name};{line.identifier};{line.account_holder};{line.iban};{line.bic};10;1;{line.end_to_end_id}"
        in csv
    )
    sepa = _document(approved, "sepa").decode()
    assert f"<EndToEndId>{line.end_to_end_id}</EndToEndId>" in sepa
    assert 'Ccy="EUR">10.00<' in sepa
    assert line.iban in sepa and "FR7630001007941234567890185" in sepa
