"""The journal is double-entry and append-only: `ledger.journal.post` is its single write path
and refuses any entry that does not balance; an event is posted at most once; nothing written
can be changed or deleted — by the models, and on PostgreSQL by the database itself, which also
checks the balance of every entry when the transaction commits."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from solidaire.audit.models import AppendOnlyError
from solidaire.ledger import journal
from solidaire.ledger.journal import AlreadyPosted, UnbalancedEntry
from solidaire.ledger.models import AccountKind, Entry, Posting

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(personas):
    return personas.a.tenant


@pytest.fixture
def accounts(tenant):
    """Three accounts of the collectivité: cash at the sandbox, at Stripe, and refund losses."""
    return (
        journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="sandbox"),
        journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="stripe"),
        journal.account(AccountKind.REFUND_LOSSES, collectivite=tenant),
    )


def post(tenant, lines, key="test:1"):
    return journal.post(kind="test.transfer", key=key, collectivite=tenant, lines=lines)


def test_a_balanced_entry_is_recorded_with_its_lines(tenant, accounts):
    cash, stripe, losses = accounts

    entry = post(tenant, [(cash, 1_000), (stripe, -700), (losses, -300)])

    assert [(p.account, p.amount_cents) for p in entry.postings.all()] == [
        (cash, 1_000),
        (stripe, -700),
        (losses, -300),
    ]
    assert journal.balance(cash) == 1_000
    assert journal.balance(Posting.objects.filter(entry=entry)) == 0


@pytest.mark.parametrize("amounts", [(1_000, -999), (1, 0, 0), (500, 500), (-1, -1)])
def test_an_unbalanced_entry_is_refused_and_nothing_is_written(tenant, accounts, amounts):
    with pytest.raises(UnbalancedEntry):
        post(tenant, list(zip(accounts, amounts, strict=False)))

    assert not Entry.objects.exists()
    assert not Posting.objects.exists()


def test_a_single_line_entry_is_refused(tenant, accounts):
    with pytest.raises(UnbalancedEntry):
        post(tenant, [(accounts[0], 0)])
    with pytest.raises(UnbalancedEntry):
        post(tenant, [])

    assert not Entry.objects.exists()


def test_a_line_left_alone_once_zero_lines_are_dropped_is_refused(tenant, accounts):
    cash, stripe, _losses = accounts

    with pytest.raises(UnbalancedEntry):
        post(tenant, [(cash, 0), (stripe, 0)])

    assert not Entry.objects.exists()


def test_zero_lines_are_left_out(tenant, accounts):
    cash, stripe, losses = accounts

    entry = post(tenant, [(cash, 250), (losses, 0), (stripe, -250)])

    assert list(entry.postings.values_list("amount_cents", flat=True)) == [250, -250]
    assert not Posting.objects.filter(account=losses).exists()


def test_amounts_are_whole_cents(tenant, accounts):
    cash, stripe, _losses = accounts

    entry = post(tenant, [(cash, 250), (stripe, -250)])

    assert all(type(p.amount_cents) is int for p in entry.postings.all())


def test_the_same_event_is_posted_once(tenant, accounts):
    cash, stripe, _losses = accounts
    post(tenant, [(cash, 100), (stripe, -100)], key="gift:42:received")

    with pytest.raises(AlreadyPosted):
        post(tenant, [(cash, 100), (stripe, -100)], key="gift:42:received")
    with pytest.raises(AlreadyPosted):
        post(tenant, [(cash, 999), (stripe, -999)], key="gift:42:received")

    assert Entry.objects.count() == 1
    assert Posting.objects.count() == 2
    assert journal.balance(cash) == 100


def test_accounts_are_created_once_per_owner(tenant, accounts):
    again = journal.account(AccountKind.PROVIDER_CASH, collectivite=tenant, provider="sandbox")

    assert again == accounts[0]
    assert again.code == f"provider_cash:{tenant.pk}:sandbox"


# Append-only, in the models ------------------------------------------------------------------


@pytest.fixture
def entry(tenant, accounts):
    return post(tenant, [(accounts[0], 100), (accounts[1], -100)])


def test_an_entry_cannot_be_changed(entry):
    entry.memo = "corrected"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(memo="corrected")

    assert Entry.objects.get(pk=entry.pk).memo == ""


def test_a_posting_cannot_be_changed(entry):
    posting = entry.postings.first()
    posting.amount_cents = 1
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(pk=posting.pk).update(amount_cents=1)

    assert Posting.objects.get(pk=posting.pk).amount_cents == 100


def test_entries_and_postings_cannot_be_deleted(entry):
    posting = entry.postings.first()
    for attempt in (entry.delete, posting.delete, Entry.objects.all().delete, Posting.objects.all().delete):
        with pytest.raises(AppendOnlyError):
            attempt()

    assert Entry.objects.count() == 1
    assert Posting.objects.count() == 2


# Append-only and balanced, in PostgreSQL -----------------------------------------------------------


# Decided at collection: a skipped transactional test would still pay for emptying the database.
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")


@pytest.mark.postgres
@postgresql_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_posting SET amount_cents = amount_cents * 2 WHERE entry_id = %s",
        "DELETE FROM ledger_posting WHERE entry_id = %s",
        "UPDATE ledger_entry SET memo = 'forged' WHERE id = %s",
        "DELETE FROM ledger_entry WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_the_journal(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])

    assert list(Posting.objects.filter(entry=entry).values_list("amount_cents", flat=True)) == [100, -100]
    assert Entry.objects.get(pk=entry.pk).memo == ""


def _insert_entry(cursor, tenant, key) -> int:
    cursor.execute(
        "INSERT INTO ledger_entry (kind, key, collectivite_id, memo, created_at)"
        " VALUES ('forged', %s, %s, '', now()) RETURNING id",
        [key, tenant.pk],
    )
    return cursor.fetchone()[0]


def _insert_posting(cursor, entry_id, account, amount):
    cursor.execute(
        "INSERT INTO ledger_posting (entry_id, account_id, amount_cents) VALUES (%s, %s, %s)",
        [entry_id, account.pk, amount],
    )


@pytest.mark.postgres
@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amounts", [(1_000, -999), (1_000,), ()], ids=["unbalanced", "one line", "no line"])
def test_an_unbalanced_entry_written_with_raw_sql_fails_at_commit(tenant, accounts, amounts):
    written = False
    with pytest.raises(IntegrityError, match="unbalanced|no postings"):
        with transaction.atomic(), connection.cursor() as cursor:
            entry_id = _insert_entry(cursor, tenant, "forged:1")
            for account, amount in zip(accounts, amounts, strict=False):
                _insert_posting(cursor, entry_id, account, amount)
            written = True  # every statement was accepted: the check waits for the commit

    assert written
    assert not Entry.objects.exists()
    assert not Posting.objects.exists()


@pytest.mark.postgres
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_balanced_entry_written_with_raw_sql_commits(tenant, accounts):
    with transaction.atomic(), connection.cursor() as cursor:
        entry_id = _insert_entry(cursor, tenant, "manual:1")
        _insert_posting(cursor, entry_id, accounts[0], 1_000)
        _insert_posting(cursor, entry_id, accounts[1], -600)  # unbalanced for a moment...
        _insert_posting(cursor, entry_id, accounts[2], -400)  # ...balanced at commit

    assert journal.balance(Posting.objects.filter(entry_id=entry_id)) == 0


@pytest.mark.postgres
@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_line_added_later_to_a_balanced_entry_fails_at_commit(tenant, accounts):
    with transaction.atomic():
        entry = post(tenant, [(accounts[0], 100), (accounts[1], -100)])

    with pytest.raises(IntegrityError, match="unbalanced"):
        with transaction.atomic(), connection.cursor() as cursor:
            _insert_posting(cursor, entry.pk, accounts[2], 50)

    assert Posting.objects.filter(entry=entry).count() == 2
