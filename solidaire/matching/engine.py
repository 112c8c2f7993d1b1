"""Matching: how much public money a gift gets, taken from the campaign's pools.

Every function runs inside the caller's transaction. Rows are locked in one fixed order —
the gift's allocation, then the donor counters (sorted by key), then the beneficiary's
registration, then pools (a conditional UPDATE on one pool, or pools in index order for the
partial match) — so that concurrent gifts never deadlock.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, When

from solidaire.beneficiaries.models import Registration
from solidaire.donations.models import donor_key as email_key
from solidaire.ledger import journal
from solidaire.ledger.models import AccountKind
from solidaire.vouchers.models import Staff

from .models import Allocation, AllocationStatus, DonorUsage, Pool

# Why a gift got less than its ratio promises (shown to the donor, kept on the gift).
NOTE_OWN = "own_establishment"
NOTE_DONOR_LIMIT = "donor_limit"
NOTE_SAME_BENEFICIARY = "same_beneficiary_limit"
NOTE_CAP = "beneficiary_cap"
NOTE_BUDGET = "budget"
NOTE_CLOSED = "campaign_closed"


# Pools -------------------------------------------------------------------------------------


def pool_count_for(campaign, amount: int | None = None) -> int:
    """Enough pools to spread concurrent gifts, each still holding many maximum matches, for
    `amount` (by default the whole budget; after a budget increase, the difference)."""
    per_gift = max(campaign.match_for(campaign.max_gift_cents), 1)
    amount = campaign.matching_budget_cents if amount is None else amount
    return max(1, min(settings.SOLIDAIRE_MATCHING_POOLS, amount // (per_gift * 20)))


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


@transaction.atomic
def sync_pools(campaign) -> None:
    """Makes the pools' capacities add up to the campaign's budget. A budget increase adds
    pools for the difference; a decrease is only possible while nothing was taken."""
    pools = list(Pool.objects.select_for_update().filter(campaign=campaign).order_by("index"))
    total = sum(p.capacity_cents for p in pools)
    budget = campaign.matching_budget_cents
    if total == budget:
        return
    if total > budget or not pools:
        if any(p.used_cents or p.reserved_cents for p in pools):
            raise ValueError("the budget of a campaign with matched gifts may only grow")
        Pool.objects.filter(campaign=campaign).delete()
        pools, total = [], 0
    count = pool_count_for(campaign, budget - total)
    first = pools[-1].index + 1 if pools else 0
    Pool.objects.bulk_create(
        [
            Pool(campaign=campaign, index=first + i, capacity_cents=capacity)
            for i, capacity in enumerate(_split(budget - total, count))
            if capacity > 0
        ]
    )


def _take(campaign, seed: int, amount: int, field: str) -> tuple[int | None, int, bool]:
    """Adds `amount` to `field` (reserved_cents or used_cents) of one pool that can hold it,
    else as much as a pool without a partial match yet has left. Returns (pool, granted, partial).

    First without waiting: from the pool the gift's id points at, the first pool that holds the
    whole match and that no other transaction is using (SKIP LOCKED), so concurrent gifts take
    different pools. Only when there is none does it wait, locking the campaign's pools in index
    order like every path that waits for pools: on PostgreSQL a conditional UPDATE that waited
    and then failed keeps its row lock, so waiting on pools in any other order can deadlock."""
    if amount <= 0:
        return None, 0, False
    pools = Pool.objects.filter(campaign=campaign)
    indexes = list(pools.order_by("index").values_list("index", flat=True))
    if not indexes:
        return None, 0, False
    start = indexes[seed % len(indexes)]
    free = (
        pools.select_for_update(skip_locked=True)
        .filter(used_cents__lte=F("capacity_cents") - F("reserved_cents") - amount)
        .order_by(Case(When(index__gte=start, then=0), default=1), "index")
        .values_list("pk", flat=True)
        .first()
    )
    if free is not None:
        Pool.objects.filter(pk=free).update(**{field: F(field) + amount})
        return free, amount, False
    locked = _lock_pools(campaign)
    for pool in locked:
        if pool.left_cents >= amount:
            Pool.objects.filter(pk=pool.pk).update(**{field: F(field) + amount})
            return pool.pk, amount, False
    for pool in locked:
        if not pool.partial_taken and pool.left_cents > 0:
            granted = min(pool.left_cents, amount)
            Pool.objects.filter(pk=pool.pk).update(**{field: F(field) + granted}, partial_taken=True)
            return pool.pk, granted, True
    return None, 0, False


def _lock_pools(campaign) -> list[Pool]:
    """The campaign's pools, locked in index order (waiting for the transactions using them)."""
    return list(Pool.objects.select_for_update().filter(campaign=campaign).order_by("index"))


# Limits ------------------------------------------------------------------------------------


def same_beneficiary_limit(campaign) -> int:
    """Anti-farming: a donor's gifts to one beneficiary get at most the match of one maximum gift."""
    return campaign.match_for(campaign.max_gift_cents)


def keys_for(gift, campaign, with_card: bool) -> list[str]:
    identities = [gift.donor_key] + ([gift.card_key] if with_card and gift.card_key else [])
    keys = []
    for identity in identities:
        if campaign.donor_limit_cents is not None:
            keys.append(identity)
        keys.append(f"{identity}|reg:{gift.registration_id}")
    return sorted(keys)


def _limit(campaign, key: str) -> int:
    return same_beneficiary_limit(campaign) if "|reg:" in key else campaign.donor_limit_cents


def _lock_counters(campaign, keys) -> None:
    """Locks existing donor counters in key order, before the registration and the pools."""
    if keys:
        list(
            DonorUsage.objects.select_for_update()
            .filter(campaign=campaign, key__in=keys)
            .order_by("key")
            .values_list("pk", flat=True)
        )


def _lock_usages(campaign, keys) -> dict[str, DonorUsage]:
    if not keys:
        return {}
    DonorUsage.objects.bulk_create([DonorUsage(campaign=campaign, key=k) for k in keys], ignore_conflicts=True)
    return {
        u.key: u for u in DonorUsage.objects.select_for_update().filter(campaign=campaign, key__in=keys).order_by("key")
    }


def is_self_dealing(gift, registration) -> bool:
    """The owner and the counter staff of the beneficiary get no match on their own
    establishment, whether signed in or giving with their account's e-mail address."""
    establishment = registration.establishment
    team = [(establishment.owner_id, establishment.owner.email)] + list(
        Staff.objects.filter(establishment=establishment).values_list("user_id", "user__email")
    )
    return any(
        (gift.user_id is not None and gift.user_id == user_id) or email_key(email) == gift.donor_key
        for user_id, email in team
    )


@dataclass
class _Room:
    allowed: int
    note: str
    usages: dict
    registration: Registration


def _room(campaign, gift, keys, held: int = 0) -> _Room:
    """What the limits still allow for this gift (`held`: what the gift itself already holds)."""
    usages = _lock_usages(campaign, keys)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("establishment__owner")
        .get(pk=gift.registration_id)
    )
    allowed, note = campaign.match_for(gift.amount_cents), ""
    if is_self_dealing(gift, registration):
        return _Room(0, NOTE_OWN, usages, registration)
    for key, usage in usages.items():
        left = (
            _limit(campaign, key) - usage.used_cents - usage.reserved_cents + (held if key in _held_keys(gift) else 0)
        )
        if left < allowed:
            allowed, note = max(left, 0), NOTE_SAME_BENEFICIARY if "|reg:" in key else NOTE_DONOR_LIMIT
    if campaign.beneficiary_cap_cents is not None:
        left = (
            campaign.beneficiary_cap_cents
            - registration.matching_total_cents
            - registration.matching_reserved_cents
            + held
        )
        if left < allowed:
            allowed, note = max(left, 0), NOTE_CAP
    return _Room(allowed, note, usages, registration)


def _held_keys(gift) -> list[str]:
    allocation = getattr(gift, "_locked_allocation", None)
    return allocation.keys if allocation is not None and allocation.status == AllocationStatus.HELD else []


def _count(keys, campaign, *, used: int = 0, reserved: int = 0) -> None:
    if keys and (used or reserved):
        DonorUsage.objects.filter(campaign=campaign, key__in=keys).update(
            used_cents=F("used_cents") + used, reserved_cents=F("reserved_cents") + reserved
        )


def _count_registration(registration_id, *, used: int = 0, reserved: int = 0) -> None:
    if used or reserved:
        Registration.objects.filter(pk=registration_id).update(
            matching_total_cents=F("matching_total_cents") + used,
            matching_reserved_cents=F("matching_reserved_cents") + reserved,
        )


# The gift's life -----------------------------------------------------------------------------


def reserve(gift, *, expires_at) -> int:
    """At checkout: holds the promised match until `expires_at`. Sets gift.match_promised_cents
    and gift.match_note (the caller saves the gift)."""
    campaign = gift.campaign
    keys = keys_for(gift, campaign, with_card=False)
    room = _room(campaign, gift, keys)
    pool_id, granted, partial = _take(campaign, gift.id.int, room.allowed, "reserved_cents")
    note = room.note or (NOTE_BUDGET if granted < campaign.match_for(gift.amount_cents) else "")
    if granted:
        Allocation.objects.create(
            gift=gift,
            campaign=campaign,
            pool_id=pool_id,
            amount_cents=granted,
            partial=partial,
            status=AllocationStatus.HELD,
            keys=keys,
            expires_at=expires_at,
        )
        _count(keys, campaign, reserved=granted)
        _count_registration(gift.registration_id, reserved=granted)
    gift.match_promised_cents = granted
    gift.match_note = note
    gift.reservation_expires_at = expires_at if granted else None
    return granted


def _locked_allocation(gift):
    allocation = Allocation.objects.select_for_update().filter(gift=gift).first()
    gift._locked_allocation = allocation
    return allocation


def _release(allocation) -> None:
    # The fixed order: donor counters, registration, then the pool.
    amount = allocation.amount_cents
    _lock_counters(allocation.campaign_id, allocation.keys)
    _count(allocation.keys, allocation.campaign_id, reserved=-amount)
    _count_registration(allocation.gift.registration_id, reserved=-amount)
    changes = {"reserved_cents": F("reserved_cents") - amount}
    if allocation.partial:  # the pool's partial match was never used: it may give one again
        changes["partial_taken"] = False
    Pool.objects.filter(pk=allocation.pool_id).update(**changes)
    allocation.status = AllocationStatus.RELEASED
    allocation.save(update_fields=["status"])


def release(gift) -> int:
    """Payment failed or abandoned: the held match returns to its pool."""
    allocation = _locked_allocation(gift)
    if allocation is None or allocation.status != AllocationStatus.HELD:
        return 0
    _release(allocation)
    return allocation.amount_cents


def post(gift, *, now, provider: str) -> int:
    """The payment is confirmed: the held match becomes public money committed (reduced only
    if the card turns out to have reached the per-donor limit). Without a valid hold — it
    expired, or the payment failed first — the gift is matched first come, first served from
    what is left, while the campaign is open. Records the journal entry; returns the match."""
    campaign = gift.campaign
    allocation = _locked_allocation(gift)
    has_hold = allocation is not None and allocation.status == AllocationStatus.HELD
    holding = has_hold and allocation.expires_at > now
    keys = keys_for(gift, campaign, with_card=True)
    if holding:
        held = allocation.amount_cents
        room = _room(campaign, gift, keys, held=held)
        posted = min(held, room.allowed)
        Pool.objects.filter(pk=allocation.pool_id).update(
            reserved_cents=F("reserved_cents") - held, used_cents=F("used_cents") + posted
        )
        _count(allocation.keys, campaign, reserved=-held)
        _count(keys, campaign, used=posted)
        _count_registration(gift.registration_id, reserved=-held, used=posted)
        allocation.amount_cents, allocation.keys, allocation.status = posted, keys, AllocationStatus.POSTED
        allocation.save(update_fields=["amount_cents", "keys", "status"])
        note = room.note if posted < held else gift.match_note
    else:
        posted, note = 0, NOTE_CLOSED
        # What the limits allow, the expired hold's share given back (it is released below).
        room = _room(campaign, gift, keys, held=allocation.amount_cents if has_hold else 0)
        if has_hold:  # expired, and not swept yet: released here, its pool locked in index order
            _lock_pools(campaign)
            _release(allocation)
        if campaign.phase(now) == "open":
            pool_id, posted, partial = _take(campaign, gift.id.int, room.allowed, "used_cents")
            note = room.note or (NOTE_BUDGET if posted < campaign.match_for(gift.amount_cents) else "")
            if posted:
                _count(keys, campaign, used=posted)
                _count_registration(gift.registration_id, used=posted)
                Allocation.objects.update_or_create(
                    gift=gift,
                    defaults={
                        "campaign": campaign,
                        "pool_id": pool_id,
                        "amount_cents": posted,
                        "partial": partial,
                        "status": AllocationStatus.POSTED,
                        "keys": keys,
                        "expires_at": None,
                    },
                )
    gift.match_cents, gift.match_note = posted, note
    if posted:
        journal.post(
            kind="match.posted",
            key=f"gift:{gift.pk}:match",
            collectivite=campaign.collectivite_id,
            gift=gift,
            lines=[
                (
                    journal.account(
                        AccountKind.CAMPAIGN_MATCHING, collectivite=campaign.collectivite_id, campaign=campaign
                    ),
                    posted,
                ),
                (
                    journal.account(
                        AccountKind.BENEFICIARY_MATCHING,
                        collectivite=campaign.collectivite_id,
                        registration=gift.registration_id,
                    ),
                    -posted,
                ),
            ],
        )
    return posted


def reverse(gift, *, reason: str) -> int:
    """Refund or chargeback of a confirmed gift: its match leaves the beneficiary and returns
    to the pool (and so to the campaign's budget while the campaign is open)."""
    allocation = _locked_allocation(gift)
    if allocation is None or allocation.status != AllocationStatus.POSTED or not allocation.amount_cents:
        return 0
    amount, campaign = allocation.amount_cents, gift.campaign
    _lock_counters(campaign, allocation.keys)  # the fixed order: counters, registration, pool
    _count(allocation.keys, campaign, used=-amount)
    _count_registration(gift.registration_id, used=-amount)
    Pool.objects.filter(pk=allocation.pool_id).update(used_cents=F("used_cents") - amount)
    allocation.status = AllocationStatus.REVERSED
    allocation.save(update_fields=["status"])
    journal.post(
        kind="match.reversed",
        key=f"gift:{gift.pk}:match-reversed",
        collectivite=campaign.collectivite_id,
        gift=gift,
        memo=reason,
        lines=[
            (
                journal.account(
                    AccountKind.BENEFICIARY_MATCHING,
                    collectivite=campaign.collectivite_id,
                    registration=gift.registration_id,
                ),
                amount,
            ),
            (
                journal.account(
                    AccountKind.CAMPAIGN_MATCHING, collectivite=campaign.collectivite_id, campaign=campaign
                ),
                -amount,
            ),
        ],
    )
    return amount


def expire_holds(*, now, limit: int = 500) -> int:
    """Releases holds whose time is up (the payment may still come, and is then matched first
    come, first served). Returns how many were released."""
    released = 0
    ids = list(
        Allocation.objects.filter(status=AllocationStatus.HELD, expires_at__lte=now).values_list("gift_id", flat=True)[
            :limit
        ]
    )
    for gift_id in ids:
        with transaction.atomic():
            allocation = (
                Allocation.objects.select_for_update(of=("self",))
                .select_related("gift", "campaign")
                .filter(gift_id=gift_id, status=AllocationStatus.HELD, expires_at__lte=now)
                .first()
            )
            if allocation is not None:
                _release(allocation)
                released += 1
    return released
