"""On PostgreSQL a deferred constraint trigger (ledger migration 0005) refuses, at commit, a journal
entry that leaves a beneficiary’s payable account — owed from gifts or from matching, frozen, in a
payout batch — with a debit balance (the beneficiary would owe the platform), or its recoverable
account with a credit one (the platform would owe it). Within the transaction the balance may be
anything: only what is committed counts. Other accounts (the collectivité’s cash) are not checked."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from solidaire.ledger import journal
from solidaire.ledger.models import AccountKind, Entry, GuardedBalance, Posting

from ..factories import CampaignFactory
from ..gifts import approved_registration
from ..threads import all_at_once

# Decided at collection: a skipped transactional test would still pay for emptying the database.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"),
]

PAYABLES = [
    AccountKind.BENEFICIARY_GIFTS,
    AccountKind.BENEFICIARY_MATCHING,
    AccountKind.FROZEN_GIFTS,
    AccountKind.FROZEN_MATCHING,
    AccountKind.IN_BATCH_GIFTS,
    AccountKind.IN_BATCH_MATCHING,
]


@pytest.fixture
def tenant(personas):
    return personas.a.tenant


@pytest.fixture
def registration(tenant):
    return approved_registration(CampaignFactory(collectivite=tenant))


@pytest.fixture
def cash(tenant):
    return journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="sandbox")


def beneficiary(kind, tenant, registration):
    return journal.account(kind, collectivite=tenant, registration=registration)


def post(tenant, key, lines):
    return journal.post(kind="test.entry", key=key, collectivite=tenant, lines=lines)


def balance(account) -> int:
    return journal.balance(account)


@pytest.mark.parametrize("kind", PAYABLES)
def test_a_payable_is_refused_a_debit_balance_at_commit(tenant, registration, cash, kind):
    payable = beneficiary(kind, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 500), (payable, -500)])

    posted = False
    with pytest.raises(IntegrityError, match=r"would have a beneficiary owe 1\b"):
        with transaction.atomic():
            post(tenant, "too much", [(payable, 501), (cash, -501)])
            posted = True  # accepted by the statement: the check waits for the commit

    assert posted
    assert not Entry.objects.filter(key="too much").exists()
    assert balance(payable) == -500


@pytest.mark.parametrize("kind", PAYABLES)
def test_a_payable_may_be_emptied_exactly(tenant, registration, cash, kind):
    payable = beneficiary(kind, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 500), (payable, -500)])
    with transaction.atomic():
        post(tenant, "paid", [(payable, 500), (cash, -500)])

    assert balance(payable) == 0
    assert Entry.objects.filter(key="paid").exists()


def test_a_payable_debited_and_credited_back_in_the_same_transaction_commits(tenant, registration, cash):
    """The trigger is deferred: only the balance at commit counts."""
    payable = beneficiary(AccountKind.BENEFICIARY_MATCHING, tenant, registration)
    with transaction.atomic():
        post(tenant, "taken first", [(payable, 300), (cash, -300)])
        assert balance(payable) == 300  # a debit balance, for a moment
        post(tenant, "owed after", [(cash, 300), (payable, -300)])

    assert balance(payable) == 0
    assert Posting.objects.filter(account_id=payable.pk).count() == 2


def test_the_recoverable_account_is_refused_a_credit_balance_at_commit(tenant, registration, cash):
    recoverable = beneficiary(AccountKind.BENEFICIARY_RECOVERABLE, tenant, registration)
    with transaction.atomic():
        post(tenant, "owes back", [(recoverable, 200), (cash, -200)])

    with pytest.raises(IntegrityError, match=r"would be owed 1 by the platform"):
        with transaction.atomic():
            post(tenant, "gives back too much", [(cash, 201), (recoverable, -201)])

    assert balance(recoverable) == 200
    with transaction.atomic():
        post(tenant, "gives back", [(cash, 200), (recoverable, -200)])
    assert balance(recoverable) == 0


def test_only_the_offending_transaction_is_refused(tenant, registration, cash):
    """One refused commit leaves the journal as it was; the next valid entry goes through."""
    gifts = beneficiary(AccountKind.BENEFICIARY_GIFTS, tenant, registration)
    matching = beneficiary(AccountKind.BENEFICIARY_MATCHING, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 1000), (gifts, -1000)])

    with pytest.raises(IntegrityError):
        with transaction.atomic():
            post(tenant, "valid part", [(cash, 100), (gifts, -100)])
            post(tenant, "invalid part", [(matching, 50), (cash, -50)])

    assert not Entry.objects.filter(key__in=["valid part", "invalid part"]).exists()
    assert (balance(gifts), balance(matching)) == (-1000, 0)
    with transaction.atomic():
        post(tenant, "valid", [(gifts, 400), (cash, -400)])
    assert balance(gifts) == -600


def test_other_accounts_may_have_any_balance(tenant, registration, cash):
    losses = journal.account(AccountKind.REFUND_LOSSES, collectivite=tenant)
    treasury = journal.account(AccountKind.TREASURY_PAYOUTS, collectivite=tenant)
    with transaction.atomic():
        post(tenant, "anything", [(cash, -700), (losses, 300), (treasury, 400)])

    assert (balance(cash), balance(losses), balance(treasury)) == (-700, 300, 400)


def test_a_raw_insert_is_checked_too(tenant, registration, cash):
    """Not only the journal's write path: any row inserted into ledger_posting."""
    payable = beneficiary(AccountKind.IN_BATCH_MATCHING, tenant, registration)
    with pytest.raises(IntegrityError, match=r"would have a beneficiary owe 100\b"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_entry (kind, key, collectivite_id, memo, created_at)"
                " VALUES ('forged', 'forged:1', %s, '', now()) RETURNING id",
                [tenant.pk],
            )
            entry_id = cursor.fetchone()[0]
            for account, amount in ((payable, 100), (cash, -100)):
                cursor.execute(
                    "INSERT INTO ledger_posting (entry_id, account_id, amount_cents) VALUES (%s, %s, %s)",
                    [entry_id, account.pk, amount],
                )

    assert not Entry.objects.filter(key="forged:1").exists()


def test_the_guard_keeps_each_beneficiary_accounts_running_balance(tenant, registration, cash):
    """Migration 0007: the guard reads a running balance kept as postings are inserted, equal to
    the sum of the account's postings; the collectivité's accounts have none."""
    gifts = beneficiary(AccountKind.BENEFICIARY_GIFTS, tenant, registration)
    recoverable = beneficiary(AccountKind.BENEFICIARY_RECOVERABLE, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 1000), (gifts, -1000)])
        post(tenant, "owes back", [(recoverable, 150), (cash, -150)])
    with transaction.atomic():
        post(tenant, "paid", [(gifts, 400), (cash, -400)])

    kept = dict(GuardedBalance.objects.values_list("account_id", "balance_cents"))
    assert kept == {gifts.pk: balance(gifts), recoverable.pk: balance(recoverable)} == {gifts.pk: -600, recoverable.pk: 150}


def test_a_refused_transaction_leaves_the_running_balance_as_it_was(tenant, registration, cash):
    gifts = beneficiary(AccountKind.BENEFICIARY_GIFTS, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 500), (gifts, -500)])
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            post(tenant, "too much", [(gifts, 600), (cash, -600)])

    assert GuardedBalance.objects.get(account_id=gifts.pk).balance_cents == -500


def test_two_transactions_drawing_on_one_account_are_checked_one_after_the_other(tenant, registration, cash):
    """Each draws 400 of the 500 owed. The first posts and holds its transaction open for a
    moment; the second's posting waits on the running balance's row until the first commits,
    then sees 100 left and is refused at its commit. (Summing the postings at commit, two
    commits at the same moment could each miss the other's lines and both pass.)"""
    gifts = beneficiary(AccountKind.BENEFICIARY_GIFTS, tenant, registration)
    with transaction.atomic():
        post(tenant, "owed", [(cash, 500), (gifts, -500)])
    first_posted, moments = threading.Event(), {}

    def draw(i):
        if i == 1:
            first_posted.wait(timeout=10)
        try:
            with transaction.atomic():
                post(tenant, f"draw {i}", [(gifts, 400), (cash, -400)])
                moments[f"posted {i}"] = time.monotonic()
                if i == 0:
                    first_posted.set()
                    time.sleep(1)
                    moments["first commits"] = time.monotonic()
            return "committed"
        except IntegrityError:
            return "refused"

    outcomes = all_at_once(2, draw)

    assert outcomes == ["committed", "refused"]
    assert moments["posted 1"] > moments["first commits"]  # it waited for the first to end
    assert balance(gifts) == -100
    assert GuardedBalance.objects.get(account_id=gifts.pk).balance_cents == -100
