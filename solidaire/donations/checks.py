"""What ledger-check recomputes about gifts: each gift's figures against its journal entries
(received, fee, Connect transfer, refunds, lost disputes, match), its state against its money,
refunds and disputes against the gift, and the registrations' gift totals."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from solidaire.beneficiaries.models import Registration
from solidaire.ledger.checks import Violation, balances, register
from solidaire.ledger.models import AccountKind, Posting
from solidaire.matching.models import Allocation, AllocationStatus
from solidaire.payments.models import Notification, NotificationStatus

from . import states
from .models import PAID_STATUSES, Dispute, DisputeStatus, Gift, GiftStatus, Refund, RefundStatus

# The gift field each kind of entry must add up to (the amount of an entry: its debits).
ENTRY_FIELDS = {
    "gift.received": "amount_cents",
    "gift.fee": "fee_cents",
    "connect.transfer": "transferred_cents",
    "connect.application_fee": "application_fee_cents",
    "gift.refunded": "refunded_cents",
    "dispute.lost": "charged_back_cents",
    "match.posted": "match_cents",
    "match.reversed": "match_reversed_cents",
}
SETTLED_STATES = (GiftStatus.CONFIRMED, GiftStatus.PARTLY_REFUNDED, GiftStatus.REFUNDED, GiftStatus.CHARGED_BACK)
# A notification still "received" after this long was interrupted and not retried yet.
STUCK_AFTER = timedelta(minutes=15)
TENANT = "collectivite"  # where _journal_by_gift keeps whose books a gift's entries are in


def _journal_by_gift() -> dict:
    rows = (
        Posting.objects.filter(amount_cents__gt=0, entry__kind__in=ENTRY_FIELDS, entry__gift__isnull=False)
        .values("entry__gift_id", "entry__kind", "entry__collectivite_id")
        .annotate(total=Sum("amount_cents"))
    )
    found: dict = defaultdict(dict)
    for row in rows:
        found[row["entry__gift_id"]][row["entry__kind"]] = row["total"]
        found[row["entry__gift_id"]][TENANT] = row["entry__collectivite_id"]
    return found


@register(order=50)
def gifts_and_their_entries() -> Iterator[Violation]:
    """Every paid gift has exactly the entries its figures say; an unpaid one has none."""
    journal = _journal_by_gift()
    fields = sorted(set(ENTRY_FIELDS.values()))
    reported = 0
    for gift in Gift.objects.only("pk", "status", "collectivite_id", *fields).iterator(chunk_size=2000):
        entries = journal.pop(gift.pk, {})
        paid = gift.status in PAID_STATUSES
        for kind, field in ENTRY_FIELDS.items():
            expected = getattr(gift, field) if paid else 0
            if kind == "gift.received":
                expected = gift.amount_cents if paid else 0
            if entries.get(kind, 0) != expected and reported < 20:
                reported += 1
                yield Violation(
                    "one application per notification" if kind == "gift.received" else "gift entries",
                    f"gift {gift.pk} ({gift.status}): {kind} entries add up to {entries.get(kind, 0)}, "
                    f"its {field} says {expected}",
                    gift.collectivite_id,
                )
    for gift_id, entries in list(journal.items())[:5]:
        yield Violation("gift entries", f"entries of gift {gift_id}, which does not exist", entries[TENANT])


@register(order=51)
def gift_states() -> Iterator[Violation]:
    """A settled gift's state is what its money says; a disputed gift has one open dispute and
    only disputed gifts have one; a gift waiting for a refund has one refund asked for."""
    for gift in Gift.objects.filter(status__in=SETTLED_STATES).only(
        "pk", "status", "amount_cents", "refunded_cents", "charged_back_cents", "collectivite_id"
    )[:100_000]:
        expected = states.settled(
            amount_cents=gift.amount_cents,
            refunded_cents=gift.refunded_cents,
            charged_back_cents=gift.charged_back_cents,
        )
        if gift.status != expected:
            yield Violation(
                "gift state", f"gift {gift.pk} is {gift.status}, its money says {expected}", gift.collectivite_id
            )
    # Both directions in SQL, each bounded: a disputed gift without its open dispute, an open
    # dispute on a gift that is not disputed.
    for gift_id, tenant in (
        Gift.objects.filter(status=GiftStatus.DISPUTED)
        .exclude(disputes__status=DisputeStatus.OPEN)
        .values_list("pk", "collectivite_id")[:5]
    ):
        yield Violation("gift state", f"gift {gift_id} is disputed without an open dispute", tenant)
    for gift_id, status, tenant in (
        Dispute.objects.filter(status=DisputeStatus.OPEN)
        .exclude(gift__status=GiftStatus.DISPUTED)
        .values_list("gift_id", "gift__status", "gift__collectivite_id")[:5]
    ):
        yield Violation("gift state", f"gift {gift_id} is {status} but has an open dispute", tenant)
    # A refund asked for keeps the gift waiting for it — or disputed, while a dispute came first.
    for gift_id, tenant in (
        Gift.objects.filter(status=GiftStatus.REFUND_REQUESTED)
        .exclude(refunds__status=RefundStatus.REQUESTED)
        .values_list("pk", "collectivite_id")[:5]
    ):
        yield Violation("gift state", f"gift {gift_id} is waiting for a refund nobody asked for", tenant)
    for gift_id, status, tenant in (
        Refund.objects.filter(status=RefundStatus.REQUESTED)
        .exclude(gift__status__in=[GiftStatus.REFUND_REQUESTED, GiftStatus.DISPUTED])
        .values_list("gift_id", "gift__status", "gift__collectivite_id")[:5]
    ):
        yield Violation("gift state", f"gift {gift_id} is {status} but has a refund asked for", tenant)
    # What the gift says was refunded is what its refunds made — also for a gift that says
    # nothing was (a refund marked made without its money).
    made = (
        Refund.objects.filter(gift=OuterRef("pk"), status=RefundStatus.SUCCEEDED)
        .values("gift")
        .annotate(t=Sum("amount_cents"))
        .values("t")
    )
    succeeded = Refund.objects.filter(status=RefundStatus.SUCCEEDED)
    wrong = (
        Gift.objects.filter(Q(refunded_cents__gt=0) | Q(pk__in=succeeded.values("gift_id")))
        .annotate(made=Coalesce(Subquery(made), Value(0)))
        .exclude(refunded_cents=F("made"))
        .values_list("pk", "refunded_cents", "made", "collectivite_id")[:20]
    )
    for gift_id, refunded, total, tenant in wrong:
        yield Violation("refunds", f"gift {gift_id}: refunded {refunded}, its refunds add up to {total}", tenant)


@register(order=49)
def matches_of_gifts() -> Iterator[Violation]:
    """One match per gift: one match.posted entry, and what stands of it is what its allocation
    says."""
    twice = (
        Gift.objects.filter(entries__kind="match.posted")
        .annotate(n=Count("entries"))
        .filter(n__gt=1)
        .values_list("pk", "n", "collectivite_id")[:5]
    )
    for gift_id, n, tenant in twice:
        yield Violation("one match per gift", f"gift {gift_id} matched {n} times", tenant)
    for gift in (
        Gift.objects.filter(status__in=PAID_STATUSES, match_cents__gt=0)
        .filter(
            Q(allocation__isnull=True)
            | ~Q(allocation__status__in=[AllocationStatus.POSTED, AllocationStatus.REVERSED])
            | ~Q(allocation__amount_cents=F("match_cents"))
            | ~Q(allocation__reversed_cents=F("match_reversed_cents"))
        )
        .only("pk", "collectivite_id")[:5]
    ):
        yield Violation(
            "one match per gift", f"gift {gift.pk}: its match and its allocation disagree", gift.collectivite_id
        )
    stray = Allocation.objects.filter(status__in=[AllocationStatus.POSTED, AllocationStatus.REVERSED]).exclude(
        gift__status__in=PAID_STATUSES
    )
    for allocation in stray.select_related("campaign")[:5]:
        yield Violation(
            "one match per gift",
            f"gift {allocation.gift_id} is not paid but has a posted match",
            allocation.campaign.collectivite_id,
        )


@register(order=53)
def disputes_and_frozen_money() -> Iterator[Violation]:
    """Funds withdrawn by providers equal the open disputes' amounts; money is frozen only for
    gifts with an open dispute."""
    withdrawn = balances(AccountKind.DISPUTED_FUNDS, "account__collectivite_id")
    open_amounts = dict(
        Dispute.objects.filter(status=DisputeStatus.OPEN)
        .values("gift__collectivite_id")
        .annotate(t=Sum("amount_cents"))
        .values_list("gift__collectivite_id", "t")
    )
    for tenant in set(withdrawn) | set(open_amounts):
        if withdrawn.get(tenant, 0) != open_amounts.get(tenant, 0):
            yield Violation(
                "disputes",
                f"collectivité {tenant}: {withdrawn.get(tenant, 0)} withdrawn for disputes, open disputes "
                f"say {open_amounts.get(tenant, 0)}",
                tenant,
            )
    frozen = (
        Posting.objects.filter(account__kind__in=[AccountKind.FROZEN_GIFTS, AccountKind.FROZEN_MATCHING])
        .values("entry__gift_id", "entry__collectivite_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
    )
    disputed = set(Gift.objects.filter(status=GiftStatus.DISPUTED).values_list("pk", flat=True))
    for row in frozen:
        if row["entry__gift_id"] not in disputed:
            yield Violation(
                "disputes",
                f"gift {row['entry__gift_id']} is not disputed but {-row['total']} of it is frozen",
                row["entry__collectivite_id"],
            )


@register(order=54)
def registration_totals() -> Iterator[Violation]:
    """Each registration's gift count and total: the paid gifts that still stand."""
    rows = (
        Gift.objects.filter(status__in=PAID_STATUSES)
        .annotate(standing=F("amount_cents") - F("refunded_cents") - F("charged_back_cents"))
        .values("registration_id")
        .annotate(total=Sum("standing"), count=Count("pk", filter=Q(standing__gt=0)))
    )
    expected = {row["registration_id"]: (row["count"], row["total"]) for row in rows}
    for pk, tenant, count, total in Registration.objects.values_list(
        "pk", "campaign__collectivite_id", "gifts_count", "gifts_total_cents"
    ):
        if (count, total) != expected.get(pk, (0, 0)):
            yield Violation(
                "registration counters",
                f"registration {pk}: {count} gifts for {total}, its gifts say "
                f"{expected.get(pk, (0, 0))[0]} for {expected.get(pk, (0, 0))[1]}",
                tenant,
            )


@register(order=60)
def notifications_applied() -> Iterator[Violation]:
    """Each (collectivité, provider, event id) stored once; none left half-applied (a crash
    that nothing retried)."""
    twice = (
        Notification.objects.exclude(event_id=None)
        .values("collectivite_id", "provider", "event_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)[:5]
    )
    for row in twice:
        yield Violation(
            "one application per notification",
            f"{row['provider']} {row['event_id']} stored {row['n']} times",
            row["collectivite_id"],
        )
    stuck = Notification.objects.filter(
        status=NotificationStatus.RECEIVED, received_at__lt=timezone.now() - STUCK_AFTER
    )
    for row in stuck.values("collectivite_id").annotate(n=Count("pk")):
        yield Violation(
            "one application per notification",
            f"{row['n']} notifications received but not applied",
            row["collectivite_id"],
        )
