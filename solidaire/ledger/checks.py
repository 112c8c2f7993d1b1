"""Recomputes every money invariant from the journal and the matching tables. Used by
`solidaire ledger-check`, by the tests after every step, and by the benchmark."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift, GiftStatus
from solidaire.matching.models import Allocation, AllocationStatus, DonorUsage, Pool
from solidaire.payments.models import Notification

from .models import Account, AccountKind, Entry, Posting


@dataclass(frozen=True)
class Violation:
    invariant: str
    detail: str

    def __str__(self):
        return f"{self.invariant}: {self.detail}"


def _balances(kind: str, owner: str) -> dict[int, int]:
    rows = Posting.objects.filter(account__kind=kind).values(owner).annotate(total=Sum("amount_cents"))
    return {row[owner]: row["total"] for row in rows}


def check_all() -> list[Violation]:
    """Every broken invariant, in a stable order (the first one is the most fundamental)."""
    found: list[Violation] = []

    def broken(invariant, detail):
        found.append(Violation(invariant, detail))

    # 1. Every entry balances and has at least two lines.
    for row in (
        Entry.objects.annotate(total=Sum("postings__amount_cents"), lines=Count("postings"))
        .filter(~Q(total=0) | Q(lines__lt=2) | Q(total__isnull=True))
        .values("key", "total", "lines")[:5]
    ):
        broken("balanced entries", f"entry {row['key']} sums to {row['total']} over {row['lines']} lines")

    # 2. Per campaign: 0 ≤ matched + reserved ≤ budget, pools within capacity, at most one partial per pool.
    pool_rows = Pool.objects.values("campaign_id").annotate(
        capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
    )
    pools_by_campaign = {row["campaign_id"]: row for row in pool_rows}
    matched = _balances(AccountKind.CAMPAIGN_MATCHING, "account__campaign_id")
    for campaign in Campaign.objects.only("pk", "slug", "matching_budget_cents"):
        row = pools_by_campaign.get(campaign.pk, {"capacity": 0, "used": 0, "reserved": 0})
        used, reserved = row["used"] or 0, row["reserved"] or 0
        if not 0 <= used + reserved <= campaign.matching_budget_cents:
            broken(
                "budget",
                f"campaign {campaign.slug}: matched {used} + reserved {reserved} > budget "
                f"{campaign.matching_budget_cents}",
            )
        if row["capacity"] and row["capacity"] != campaign.matching_budget_cents:
            broken(
                "budget",
                f"campaign {campaign.slug}: pools hold {row['capacity']}, budget is {campaign.matching_budget_cents}",
            )
        if matched.get(campaign.pk, 0) != used:
            broken(
                "matching journal",
                f"campaign {campaign.slug}: journal says {matched.get(campaign.pk, 0)} matched, pools say {used}",
            )
    for pool in Pool.objects.all():
        if pool.used_cents + pool.reserved_cents > pool.capacity_cents:
            broken("budget", f"{pool} over capacity")
    partials = (
        Allocation.objects.filter(partial=True)
        .exclude(status=AllocationStatus.RELEASED)
        .values("pool_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in partials:
        broken("one partial match per pool", f"pool {row['pool_id']} gave {row['n']} partial matches")

    # 3. Pools and counters equal what the allocations say.
    held = dict(
        Allocation.objects.filter(status=AllocationStatus.HELD)
        .values("pool_id")
        .annotate(t=Sum("amount_cents"))
        .values_list("pool_id", "t")
    )
    posted = dict(
        Allocation.objects.filter(status=AllocationStatus.POSTED)
        .values("pool_id")
        .annotate(t=Sum("amount_cents"))
        .values_list("pool_id", "t")
    )
    for pool in Pool.objects.all():
        if pool.reserved_cents != held.get(pool.pk, 0) or pool.used_cents != posted.get(pool.pk, 0):
            broken(
                "pool counters",
                f"{pool}: used {pool.used_cents}/reserved {pool.reserved_cents}, allocations "
                f"say {posted.get(pool.pk, 0)}/{held.get(pool.pk, 0)}",
            )

    # 4. One match per gift, equal to the gift's; caps and limits respected.
    for gift in (
        Gift.objects.filter(status=GiftStatus.CONFIRMED)
        .exclude(match_cents=0)
        .filter(
            Q(allocation__isnull=True)
            | ~Q(allocation__status=AllocationStatus.POSTED)
            | ~Q(allocation__amount_cents=F("match_cents"))
        )[:5]
    ):
        broken("one match per gift", f"gift {gift.pk} has match {gift.match_cents} without the same posted allocation")
    for row in Entry.objects.filter(kind="match.posted").values("gift_id").annotate(n=Count("pk")).filter(n__gt=1):
        broken("one match per gift", f"gift {row['gift_id']} matched {row['n']} times")
    beneficiary_matching = _balances(AccountKind.BENEFICIARY_MATCHING, "account__registration_id")
    for registration in Registration.objects.select_related("campaign").filter(
        campaign__beneficiary_cap_cents__isnull=False
    ):
        owed = -beneficiary_matching.get(registration.pk, 0)
        if owed > registration.campaign.beneficiary_cap_cents:
            broken(
                "cap per beneficiary",
                f"registration {registration.pk} matched {owed} > cap {registration.campaign.beneficiary_cap_cents}",
            )
    _check_donor_limits(broken)

    # 5. One application per notification; one receipt entry per paid gift.
    for row in (
        Notification.objects.exclude(event_id=None)
        .values("provider", "event_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)[:5]
    ):
        broken("one application per notification", f"{row['provider']} {row['event_id']} stored {row['n']} times")
    paid = Gift.objects.filter(status__in=[GiftStatus.CONFIRMED, GiftStatus.REFUNDED, GiftStatus.CHARGED_BACK]).count()
    received = Entry.objects.filter(kind="gift.received").count()
    if paid != received:
        broken("one application per notification", f"{paid} paid gifts but {received} receipt entries")
    reversed_gifts = Gift.objects.filter(status__in=[GiftStatus.REFUNDED, GiftStatus.CHARGED_BACK]).count()
    reversals = Entry.objects.filter(kind__in=["gift.refunded", "gift.charged_back"]).count()
    if reversed_gifts != reversals:
        broken("one application per notification", f"{reversed_gifts} reversed gifts but {reversals} reversal entries")

    # 6. Beneficiary balances never negative (payables are credit balances: ≤ 0 in postings).
    for kind in (AccountKind.BENEFICIARY_GIFTS, AccountKind.BENEFICIARY_MATCHING):
        for account_id, total in _balances(kind, "account_id").items():
            if total > 0:
                broken("beneficiary balance", f"{Account.objects.get(pk=account_id).code} is negative ({-total})")
    return found


def _check_donor_limits(broken) -> None:
    """Recomputed from the allocations: per donor identity (e-mail, card) and per beneficiary;
    the counters the engine keeps must say the same."""
    used: dict[tuple[int, str], int] = defaultdict(int)
    reserved: dict[tuple[int, str], int] = defaultdict(int)
    rows = Allocation.objects.filter(status__in=[AllocationStatus.HELD, AllocationStatus.POSTED]).values_list(
        "campaign_id", "keys", "amount_cents", "status"
    )
    for campaign_id, keys, amount, status in rows:
        for key in keys:
            (reserved if status == AllocationStatus.HELD else used)[(campaign_id, key)] += amount
    campaigns = {c.pk: c for c in Campaign.objects.all()}
    for campaign_id, key in set(used) | set(reserved):
        campaign = campaigns[campaign_id]
        limit = campaign.match_for(campaign.max_gift_cents) if "|reg:" in key else campaign.donor_limit_cents
        total = used[(campaign_id, key)] + reserved[(campaign_id, key)]
        if limit is not None and total > limit:
            broken("limit per donor", f"{key} in campaign {campaign.slug} took {total} > {limit}")
    for usage in DonorUsage.objects.all():
        pair = (usage.campaign_id, usage.key)
        if usage.used_cents != used.get(pair, 0) or usage.reserved_cents != reserved.get(pair, 0):
            broken(
                "donor counters",
                f"{usage.key}: counters {usage.used_cents}/{usage.reserved_cents}, allocations "
                f"say {used.get(pair, 0)}/{reserved.get(pair, 0)}",
            )
