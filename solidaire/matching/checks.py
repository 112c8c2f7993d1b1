"""What ledger-check recomputes about public money: pools against the budget and the journal,
allocations behind every counter (pools, donors, registrations), caps and limits."""

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, F, Sum

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.models import Campaign
from solidaire.ledger.checks import Violation, balances, register
from solidaire.ledger.models import AccountKind

from .models import Allocation, AllocationStatus, DonorUsage, Pool


def _standing_by(field: str, status: str) -> dict:
    rows = (
        Allocation.objects.filter(status=status)
        .values(field)
        .annotate(t=Sum(F("amount_cents") - F("reversed_cents")))
        .values_list(field, "t")
    )
    return dict(rows)


@register(order=20)
def budgets() -> Iterator[Violation]:
    """Per campaign: 0 ≤ matched + reserved ≤ budget; the pools' capacities add up to the
    budget; the journal's matched amount equals the pools' used amount; no pool over capacity;
    at most one partial match standing per pool."""
    pools_by_campaign = {
        row["campaign_id"]: row
        for row in Pool.objects.values("campaign_id").annotate(
            capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
        )
    }
    matched = balances(AccountKind.CAMPAIGN_MATCHING, "account__campaign_id")
    for campaign in Campaign.objects.only("pk", "slug", "matching_budget_cents", "collectivite_id"):
        tenant = campaign.collectivite_id
        row = pools_by_campaign.get(campaign.pk, {"capacity": 0, "used": 0, "reserved": 0})
        used, reserved = row["used"] or 0, row["reserved"] or 0
        budget = campaign.matching_budget_cents
        if not 0 <= used + reserved <= budget:
            yield Violation(
                "budget", f"campaign {campaign.slug}: matched {used} + reserved {reserved} > budget {budget}", tenant
            )
        if row["capacity"] and row["capacity"] != budget:
            yield Violation(
                "budget", f"campaign {campaign.slug}: pools hold {row['capacity']}, budget is {budget}", tenant
            )
        if matched.get(campaign.pk, 0) != used:
            yield Violation(
                "matching journal",
                f"campaign {campaign.slug}: journal says {matched.get(campaign.pk, 0)} matched, pools say {used}",
                tenant,
            )
    for pool in Pool.objects.filter(used_cents__gt=F("capacity_cents") - F("reserved_cents")).select_related(
        "campaign"
    ):
        yield Violation("budget", f"{pool} over capacity", pool.campaign.collectivite_id)
    partials = (
        Allocation.objects.filter(partial=True, status__in=[AllocationStatus.HELD, AllocationStatus.POSTED])
        .values("pool_id", "campaign__collectivite_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in partials:
        yield Violation(
            "one partial match per pool",
            f"pool {row['pool_id']} gave {row['n']} partial matches",
            row["campaign__collectivite_id"],
        )


@register(order=30)
def counters() -> Iterator[Violation]:
    """Pools and registrations' matched and reserved totals equal what the allocations say (and
    the allocations what the journal says: donations.checks compares each gift's match with its
    entries)."""
    held, posted = _standing_by("pool_id", AllocationStatus.HELD), _standing_by("pool_id", AllocationStatus.POSTED)
    for pool in Pool.objects.select_related("campaign"):
        if pool.reserved_cents != held.get(pool.pk, 0) or pool.used_cents != posted.get(pool.pk, 0):
            yield Violation(
                "pool counters",
                f"{pool}: used {pool.used_cents}/reserved {pool.reserved_cents}, allocations "
                f"say {posted.get(pool.pk, 0)}/{held.get(pool.pk, 0)}",
                pool.campaign.collectivite_id,
            )
    held = _standing_by("gift__registration_id", AllocationStatus.HELD)
    posted = _standing_by("gift__registration_id", AllocationStatus.POSTED)
    rows = Registration.objects.values_list(
        "pk", "campaign__collectivite_id", "matching_total_cents", "matching_reserved_cents"
    )
    for pk, tenant, total, reserved in rows:
        expected = (posted.get(pk, 0), held.get(pk, 0))
        if (total, reserved) != expected:
            yield Violation(
                "registration counters",
                f"registration {pk}: matched {total}/reserved {reserved}, allocations say {expected[0]}/{expected[1]}",
                tenant,
            )


@register(order=40)
def caps_and_limits() -> Iterator[Violation]:
    """The cap per beneficiary; the limits per donor and per donor and beneficiary, for e-mail
    identities (a card learnt at confirmation counts for later reservations only, so a card’s
    counter may pass a limit by promises already made); every donor counter equals the
    allocations behind it."""
    for registration in Registration.objects.select_related("campaign").filter(
        campaign__beneficiary_cap_cents__isnull=False,
        matching_total_cents__gt=F("campaign__beneficiary_cap_cents") - F("matching_reserved_cents"),
    ):
        yield Violation(
            "cap per beneficiary",
            f"registration {registration.pk} matched {registration.matching_total_cents} + reserved "
            f"{registration.matching_reserved_cents} > cap {registration.campaign.beneficiary_cap_cents}",
            registration.campaign.collectivite_id,
        )
    used: dict[tuple[int, str], int] = defaultdict(int)
    reserved: dict[tuple[int, str], int] = defaultdict(int)
    rows = Allocation.objects.filter(status__in=[AllocationStatus.HELD, AllocationStatus.POSTED]).values_list(
        "campaign_id", "keys", "amount_cents", "reversed_cents", "status"
    )
    for campaign_id, keys, amount, taken_back, status in rows:
        for key in keys:
            if status == AllocationStatus.HELD:
                reserved[(campaign_id, key)] += amount
            else:
                used[(campaign_id, key)] += amount - taken_back
    campaigns = {c.pk: c for c in Campaign.objects.all()}
    for campaign_id, key in set(used) | set(reserved):
        campaign = campaigns[campaign_id]
        if key.startswith("card:"):
            continue
        limit = campaign.match_for(campaign.max_gift_cents) if "|reg:" in key else campaign.donor_limit_cents
        total = used[(campaign_id, key)] + reserved[(campaign_id, key)]
        if limit is not None and total > limit:
            yield Violation(
                "limit per donor", f"{key} in campaign {campaign.slug} took {total} > {limit}", campaign.collectivite_id
            )
    for usage in DonorUsage.objects.all():
        pair = (usage.campaign_id, usage.key)
        if usage.used_cents != used.get(pair, 0) or usage.reserved_cents != reserved.get(pair, 0):
            yield Violation(
                "donor counters",
                f"{usage.key}: counters {usage.used_cents}/{usage.reserved_cents}, allocations "
                f"say {used.get(pair, 0)}/{reserved.get(pair, 0)}",
                campaigns[usage.campaign_id].collectivite_id,
            )
