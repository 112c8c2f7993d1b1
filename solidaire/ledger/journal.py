"""The single write path of the journal."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from .models import COLLECTIVITE_KINDS, PROVIDER_KINDS, Account, AccountKind, Entry, Posting


class UnbalancedEntry(ValueError):
    pass


class AlreadyPosted(Exception):
    """An entry with this key exists: the event it records was already applied."""


# Accounts never change once created: their ids are kept per process (code → id), once the
# transaction that found or created them has committed.
_ACCOUNT_IDS: dict[str, int] = {}


def forget_accounts(**kwargs) -> None:
    """Empties the cache of account ids (after a database flush: tests, restores)."""
    _ACCOUNT_IDS.clear()


def account_code(kind: str, *, collectivite_id, campaign_id=None, registration_id=None, provider: str = "") -> str:
    if kind in PROVIDER_KINDS:
        return f"{kind}:{collectivite_id}:{provider}"
    if kind in COLLECTIVITE_KINDS:
        return f"{kind}:{collectivite_id}"
    if kind == AccountKind.CAMPAIGN_MATCHING:
        return f"{kind}:{campaign_id}"
    return f"{kind}:{registration_id}"


def _pk(value):
    return getattr(value, "pk", value)


def _siblings(kind: str) -> list[str]:
    """The kinds of account an owner of this kind of account has (its registration's, its
    collectivité’s, its provider account's, or the campaign’s one)."""
    if kind in PROVIDER_KINDS:
        return sorted(PROVIDER_KINDS)
    if kind in COLLECTIVITE_KINDS:
        return sorted(COLLECTIVITE_KINDS)
    if kind == AccountKind.CAMPAIGN_MATCHING:
        return [kind]
    return sorted(set(AccountKind.values) - PROVIDER_KINDS - COLLECTIVITE_KINDS - {AccountKind.CAMPAIGN_MATCHING})


def account(kind: str, *, collectivite, campaign=None, registration=None, provider: str = "") -> Account:
    """The account for (kind, owner), created the first time it is needed. Owners may be given
    as instances or ids. Returns an Account carrying only its id and code, which is all postings
    need."""
    collectivite_id, campaign_id, registration_id = _pk(collectivite), _pk(campaign), _pk(registration)
    code = account_code(
        kind,
        collectivite_id=collectivite_id,
        campaign_id=campaign_id,
        registration_id=registration_id,
        provider=provider,
    )
    account_id = _ACCOUNT_IDS.get(code)
    if account_id is None:
        account_id = Account.objects.filter(code=code).values_list("pk", flat=True).first()
        if account_id is None:
            # The owner's other accounts are made with it, in one statement, in the order of their
            # codes: two transactions making accounts of one owner at the same moment then wait for
            # each other in the same order, instead of each holding one the other needs (deadlock).
            siblings = [
                Account(
                    code=account_code(
                        sibling,
                        collectivite_id=collectivite_id,
                        campaign_id=campaign_id,
                        registration_id=registration_id,
                        provider=provider,
                    ),
                    kind=sibling,
                    collectivite_id=collectivite_id,
                    campaign_id=campaign_id,
                    registration_id=registration_id,
                    provider=provider,
                )
                for sibling in _siblings(kind)
            ]
            Account.objects.bulk_create(sorted(siblings, key=lambda a: a.code), ignore_conflicts=True)
            account_id = Account.objects.filter(code=code).values_list("pk", flat=True).get()
        # Remembered only once committed: a rolled-back account must not be reused.
        transaction.on_commit(lambda: _ACCOUNT_IDS.__setitem__(code, account_id))
    return Account(pk=account_id, code=code, kind=kind)


@dataclass(frozen=True)
class Draft:
    """An entry to post: what happened (`kind`), the key that makes it happen once, its lines."""

    kind: str
    key: str
    lines: list[tuple[Account, int]]
    memo: str = ""


def post(
    *, kind: str, key: str, collectivite, lines: Iterable[tuple[Account, int]], gift=None, memo: str = ""
) -> Entry:
    """Records one balanced entry, inside the caller's transaction; AlreadyPosted if an entry
    with this key exists (the event it records was already applied)."""
    if Entry.objects.filter(key=key).exists():
        raise AlreadyPosted(key)
    (entry,) = post_many([Draft(kind, key, list(lines), memo)], collectivite=collectivite, gift=gift, skip_empty=False)
    return entry


def post_many(drafts: Iterable[Draft], *, collectivite, gift=None, skip_empty: bool = True) -> list[Entry]:
    """Records balanced entries (in two statements whatever their number), inside the caller's
    transaction. Lines with a zero amount are left out; an entry left with no line at all is
    left out too (a fee of nothing), unless `skip_empty` is false; with one line, it is refused;
    the lines of each entry must sum to zero (checked here, and on PostgreSQL again by a
    deferred constraint trigger at commit). An entry whose key exists fails the unique
    constraint, and with it the caller's whole transaction: an event is never posted twice."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("journal entries are posted inside the transaction of the event they record")
    kept = []
    for draft in drafts:
        lines = [(acc, int(amount)) for acc, amount in draft.lines if int(amount) != 0]
        if not lines and skip_empty:
            continue
        if len(lines) < 2 or sum(amount for _acc, amount in lines) != 0:
            raise UnbalancedEntry(f"{draft.kind} {draft.key}: {[(a.code, x) for a, x in lines]}")
        kept.append((draft, lines))
    if not kept:
        return []
    entries = Entry.objects.bulk_create(
        [
            Entry(kind=draft.kind, key=draft.key, collectivite_id=_pk(collectivite), gift=gift, memo=draft.memo[:200])
            for draft, _lines in kept
        ]
    )
    Posting.objects.bulk_create(
        [
            Posting(entry=entry, account_id=acc.pk, amount_cents=amount)
            for entry, (_draft, lines) in zip(entries, kept, strict=True)
            for acc, amount in lines
        ]
    )
    return entries


def balance(account_or_queryset) -> int:
    """Sum of postings (debits positive) of one account or of a queryset of postings."""
    from django.db.models import Sum

    postings = (
        Posting.objects.filter(account=account_or_queryset)
        if isinstance(account_or_queryset, Account)
        else account_or_queryset
    )
    return postings.aggregate(total=Sum("amount_cents"))["total"] or 0
