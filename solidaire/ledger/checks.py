"""Recomputes every money invariant — and every counter the product reads — from the journal
and the tables behind it. Used by `solidaire ledger-check`, by a periodic task (ledger.tasks), by
the tests after every step, and by the benchmark.

The ledger checks the journal itself; each package above it that keeps money counters registers
its own checks here (matching: pools, allocations, donor counters; donations: gifts, refunds,
disputes, transfers, registrations' totals; vouchers: balances), so that the journal never
imports the packages that write to it."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum

from .models import BENEFICIARY_PAYABLES, Account, AccountKind, Entry, GuardedBalance, Posting


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str
    collectivite_id: int | None = None  # whose books disagree (None: the whole platform’s)

    def __str__(self):
        return f"{self.invariant}: {self.detail}"


Check = Callable[[], Iterator[Violation]]
_checks: list[tuple[int, str, Check]] = []


def register(order: int):
    """Adds a check (a generator of violations). Checks run by `order`, the most fundamental
    first, so that the first violation named is the one to look at."""

    def decorator(check: Check) -> Check:
        name = f"{check.__module__}.{check.__qualname__}"
        if all(existing != name for _order, existing, _check in _checks):
            _checks.append((order, name, check))
            _checks.sort(key=lambda item: (item[0], item[1]))
        return check

    return decorator


def check_all() -> list[Violation]:
    """Every broken invariant, in a stable order (the first one is the most fundamental)."""
    found: list[Violation] = []
    for _order, _name, check in list(_checks):
        found.extend(check())
    return found


def balances(kind: str, owner: str) -> dict[int, int]:
    """Balances (debits positive) of the accounts of a kind, by `owner` (an Account field)."""
    rows = Posting.objects.filter(account__kind=kind).values(owner).annotate(total=Sum("amount_cents"))
    return {row[owner]: row["total"] for row in rows}


@register(order=10)
def entries_balance() -> Iterator[Violation]:
    """1. Every entry balances and has at least two lines."""
    for row in (
        Entry.objects.annotate(total=Sum("postings__amount_cents"), lines=Count("postings"))
        .filter(~Q(total=0) | Q(lines__lt=2) | Q(total__isnull=True))
        .values("key", "total", "lines", "collectivite_id")[:5]
    ):
        yield Violation(
            "balanced entries",
            f"entry {row['key']} sums to {row['total']} over {row['lines']} lines",
            row["collectivite_id"],
        )


@register(order=15)
def payables_never_negative() -> Iterator[Violation]:
    """A beneficiary’s payables (gifts, matching, frozen) are credit balances: never a debit."""
    for kind in sorted(BENEFICIARY_PAYABLES):
        for account_id, total in balances(kind, "account_id").items():
            if total > 0:
                account = Account.objects.get(pk=account_id)
                yield Violation(
                    "beneficiary balance", f"{account.code} is negative ({-total})", account.collectivite_id
                )
    for account_id, total in balances(AccountKind.BENEFICIARY_RECOVERABLE, "account_id").items():
        if total < 0:
            account = Account.objects.get(pk=account_id)
            yield Violation("beneficiary balance", f"{account.code} is negative ({total})", account.collectivite_id)


@register(order=16)
def guarded_balances_match() -> Iterator[Violation]:
    """The running balances the PostgreSQL guard reads (GuardedBalance, kept by a trigger) are the
    sums of the accounts' postings. On SQLite nothing keeps them: nothing to compare."""
    if connection.vendor != "postgresql":
        return
    kinds = sorted({*BENEFICIARY_PAYABLES, AccountKind.BENEFICIARY_RECOVERABLE})
    sums = {
        row["account_id"]: row["total"]
        for row in Posting.objects.filter(account__kind__in=kinds).values("account_id").annotate(total=Sum("amount_cents"))
    }
    kept = dict(GuardedBalance.objects.values_list("account_id", "balance_cents"))
    for account_id in sorted(set(sums) | set(kept)):
        if sums.get(account_id, 0) != kept.get(account_id, 0):
            account = Account.objects.get(pk=account_id)
            yield Violation(
                "guarded balance",
                f"{account.code}: the guard keeps {kept.get(account_id)}, the postings sum to {sums.get(account_id)}",
                account.collectivite_id,
            )
