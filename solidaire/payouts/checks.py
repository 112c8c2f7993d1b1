"""What ledger-check recomputes about payouts: what each beneficiary’s batch accounts hold equals
the lines still to be paid; what the collectivité’s accountant paid equals the lines paid; each
line has exactly the entries its state says, for its amounts; a batch's totals are its lines';
the files of an approved batch are the ones approved (their SHA-256)."""

import hashlib
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, Sum

from solidaire.ledger.checks import Violation, balances, register
from solidaire.ledger.models import AccountKind, Entry, Posting

from .documents import kinds_for
from .models import Batch, BatchStatus, Document, Line, LineStatus, Route
from .owed import IN_BATCH, PAYABLE

# The entries each line state implies (beyond "committed", which every line has).
ENTRIES = {
    LineStatus.PENDING: set(),
    LineStatus.PAID: {"paid"},
    LineStatus.FAILED: {"failed"},
    LineStatus.CANCELLED: {"cancelled"},
}


@register(order=70)
def batch_accounts() -> Iterator[Violation]:
    """In a batch: what the lines to be paid say, per beneficiary and channel; paid by the
    collectivité’s accountant: what the paid lines say."""
    pending = defaultdict(int)
    for registration, channel, total in (
        Line.objects.filter(status=LineStatus.PENDING)
        .values("registration_id", "batch__channel")
        .annotate(total=Sum("amount_cents"))
        .values_list("registration_id", "batch__channel", "total")
    ):
        pending[(registration, channel)] += total
    tenants = dict(Line.objects.values_list("registration_id", "batch__collectivite_id").distinct())
    for channel, kind in IN_BATCH.items():
        held = {registration: -total for registration, total in balances(kind, "account__registration_id").items()}
        for registration in set(held) | {r for r, c in pending if c == channel}:
            if held.get(registration, 0) != pending.get((registration, channel), 0):
                yield Violation(
                    "payout batches",
                    f"registration {registration}: {held.get(registration, 0)} in a batch ({channel}), "
                    f"pending lines say {pending.get((registration, channel), 0)}",
                    tenants.get(registration),
                )
    paid = dict(
        Line.objects.filter(status=LineStatus.PAID, batch__route=Route.BANK)
        .values("batch__collectivite_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("batch__collectivite_id", "total")
    )
    treasury = {
        tenant: -total for tenant, total in balances(AccountKind.TREASURY_PAYOUTS, "account__collectivite_id").items()
    }
    for tenant in set(paid) | set(treasury):
        if paid.get(tenant, 0) != treasury.get(tenant, 0):
            yield Violation(
                "payouts paid",
                f"collectivité {tenant}: the journal paid {treasury.get(tenant, 0)}, lines paid say {paid.get(tenant, 0)}",
                tenant,
            )


def _line_key(key: str) -> tuple[str, str]:
    """(end-to-end id, what) of a payout entry's key, `payout:<end-to-end id>:<what>`; a key of
    another shape is of no line (reported, not a crash)."""
    parts = key.split(":", 2)
    return (parts[1], parts[2]) if len(parts) == 3 else (key, "")


def _moves(what, channel, route, gross, offset, amount) -> dict[str, int]:
    """What a line's entry of this kind posts on each kind of account (docs/ledger.md, Payouts)."""
    payable, in_batch, recoverable = PAYABLE[channel], IN_BATCH[channel], AccountKind.BENEFICIARY_RECOVERABLE
    if what == "committed":
        moves = {payable: gross, recoverable: -offset, in_batch: -amount}
    elif what == "paid":
        source = AccountKind.PROVIDER_CASH if route == Route.PROVIDER else AccountKind.TREASURY_PAYOUTS
        moves = {in_batch: amount, source: -amount}
    else:  # cancelled, failed: the commitment reversed
        moves = {in_batch: amount, recoverable: offset, payable: -gross}
    return {kind: cents for kind, cents in moves.items() if cents}


@register(order=71)
def lines_and_their_entries() -> Iterator[Violation]:
    """Each line has its commitment and exactly the entries its state implies, each for the
    line's amounts (gross, set off, transferred)."""
    found = defaultdict(set)
    for key in Entry.objects.filter(kind__startswith="payout.").values_list("key", flat=True).iterator(chunk_size=5000):
        reference, what = _line_key(key)
        found[reference].add(what)
    posted = defaultdict(lambda: defaultdict(int))  # (reference, what) -> {account kind: cents}
    for key, kind, cents in (
        Posting.objects.filter(entry__kind__startswith="payout.")
        .values_list("entry__key", "account__kind", "amount_cents")
        .iterator(chunk_size=5000)
    ):
        posted[_line_key(key)][kind] += cents
    for reference, status, tenant, channel, route, gross, offset, amount in Line.objects.values_list(
        "end_to_end_id",
        "status",
        "batch__collectivite_id",
        "batch__channel",
        "batch__route",
        "gross_cents",
        "offset_cents",
        "amount_cents",
    ):
        expected = {"committed"} | ENTRIES[status]
        if found.pop(reference, set()) != expected:
            yield Violation("payout lines", f"line {reference} ({status}): entries are not {sorted(expected)}", tenant)
            continue
        for what in sorted(expected):
            moves = {kind: cents for kind, cents in posted[(reference, what)].items() if cents}
            if moves != _moves(what, channel, route, gross, offset, amount):
                yield Violation(
                    "payout lines",
                    f"line {reference} ({status}): its {what} entry does not say {gross} less {offset} set off = {amount}",
                    tenant,
                )
    for reference in found:
        yield Violation("payout lines", f"payout entries for {reference}, which is no line")


@register(order=72)
def batches() -> Iterator[Violation]:
    """A batch's totals are its lines'; a settled batch has nothing left to pay; an approved one
    keeps its four files as they were approved."""
    counted = {
        row["batch_id"]: row
        for row in Line.objects.values("batch_id").annotate(n=Count("pk"), total=Sum("amount_cents"))
    }
    pending = set(Line.objects.filter(status=LineStatus.PENDING).values_list("batch_id", flat=True))
    documents = defaultdict(list)
    for document in Document.objects.only("batch_id", "sha256", "content").iterator(chunk_size=100):
        documents[document.batch_id].append(document)
    for batch in Batch.objects.only("pk", "reference", "status", "total_cents", "lines_count", "collectivite_id"):
        row = counted.get(batch.pk, {"n": 0, "total": 0})
        if (batch.lines_count, batch.total_cents) != (row["n"], row["total"] or 0):
            yield Violation("payout batches", f"{batch.reference}: totals differ from its lines", batch.collectivite_id)
        if batch.status in (BatchStatus.SETTLED, BatchStatus.CANCELLED) and batch.pk in pending:
            yield Violation(
                "payout batches", f"{batch.reference} is {batch.status} with lines to pay", batch.collectivite_id
            )
        approved = batch.status in (BatchStatus.APPROVED, BatchStatus.SENT, BatchStatus.SETTLED)
        kept = documents.get(batch.pk, [])
        if approved and len(kept) != len(kinds_for(batch)) or not approved and kept:
            yield Violation(
                "payout files", f"{batch.reference} ({batch.status}) has {len(kept)} files", batch.collectivite_id
            )
        for document in kept:
            if hashlib.sha256(bytes(document.content)).hexdigest() != document.sha256:
                yield Violation(
                    "payout files", f"{batch.reference}: a file changed after approval", batch.collectivite_id
                )
