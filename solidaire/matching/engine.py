"""Matching: how much public money a gift gets, taken from the campaign’s pools.

Every function runs inside the caller's transaction. Rows are locked in one fixed order —
the gift's allocation, then the donor counters (sorted by key), then the beneficiary’s
registration, then pools (a conditional UPDATE on one pool, or pools in index order for the
partial match) — so that concurrent gifts never deadlock.

Journal entries are returned as drafts (ledger.journal.Draft): the gift's write path posts them
with its own, in one go.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Sum, When

from solidaire.beneficiaries.models import Registration
from solidaire.ledger import journal
from solidaire.ledger.models import AccountKind
from solidaire.vouchers.models import Staff

from .identity import donor_key as email_key
from .models import Allocation, AllocationStatus, DonorUsage, Pool

# Why a gift got less than its ratio promises (shown to the donor, kept on the gift).
NOTE_OWN = "own_establishment"
NOTE_DONOR_LIMIT = "donor_limit"
NOTE_SAME_BENEFICIARY = "same_beneficiary_limit"
NOTE_CAP = "beneficiary_cap"
NOTE_BUDGET = "budget"
NOTE_CLOSED = "campaign_closed"
NOTE_EXPIRED = "reservation_expired"

# Below this share of the budget left, holds are shorter (SOLIDAIRE_RESERVATION_MINUTES_SCARCE).
SCARCE_PERCENT = 10


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
    """Makes the pools' capacities add up to the campaign’s budget. A budget increase adds
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
    different pools. Only when there is none does it wait, locking the campaign’s pools in index
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
    """The campaign’s pools, locked in index order (waiting for the transactions using them)."""
    return list(Pool.objects.select_for_update().filter(campaign=campaign).order_by("index"))


def budget_left(campaign) -> int:
    """Public money neither used nor reserved."""
    row = Pool.objects.filter(campaign=campaign).aggregate(
        capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
    )
    return (row["capacity"] or 0) - (row["used"] or 0) - (row["reserved"] or 0)


def hold_minutes(campaign) -> int:
    """How long a new hold lasts: shorter once the budget is nearly used, so that checkouts
    started and abandoned cannot keep the last of it from donors who pay."""
    budget = campaign.matching_budget_cents
    if budget and budget_left(campaign) * 100 < budget * SCARCE_PERCENT:
        return min(settings.SOLIDAIRE_RESERVATION_MINUTES_SCARCE, settings.SOLIDAIRE_RESERVATION_MINUTES)
    return settings.SOLIDAIRE_RESERVATION_MINUTES


# Limits ------------------------------------------------------------------------------------


def same_beneficiary_limit(campaign) -> int:
    """Anti-farming: a donor’s gifts to one beneficiary get at most the match of one maximum gift."""
    return campaign.match_for(campaign.max_gift_cents)


def linked_cards(campaign, gift) -> list[str]:
    """The cards this donor — this e-mail address, or this browser — paid with in the campaign
    (learnt when a payment was confirmed): the same card behind several addresses is one donor
    for the next reservations."""
    seen = Q(donor_key=gift.donor_key) | (Q(device_key=gift.device_key) if gift.device_key else Q(pk__in=[]))
    return sorted(
        set(Allocation.objects.filter(seen, campaign=campaign).exclude(card_key="").values_list("card_key", flat=True))
    )


def keys_for(campaign, registration_id, identities) -> list[str]:
    keys = []
    for identity in identities:
        if campaign.donor_limit_cents is not None:
            keys.append(identity)
        keys.append(f"{identity}|reg:{registration_id}")
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


def _room(campaign, gift, keys, given_back=None) -> _Room:
    """What the limits still allow for this gift. `given_back`: a hold of the gift's own about to
    be released (its amount, and the counters it holds it on), which must not count against it."""
    usages = _lock_usages(campaign, keys)
    back, back_keys = (given_back.amount_cents, set(given_back.keys)) if given_back is not None else (0, set())
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("establishment__owner")
        .get(pk=gift.registration_id)
    )
    allowed, note = campaign.match_for(gift.amount_cents), ""
    if is_self_dealing(gift, registration):
        return _Room(0, NOTE_OWN, usages, registration)
    for key, usage in usages.items():
        left = _limit(campaign, key) - usage.used_cents - usage.reserved_cents + (back if key in back_keys else 0)
        if left < allowed:
            allowed, note = max(left, 0), NOTE_SAME_BENEFICIARY if "|reg:" in key else NOTE_DONOR_LIMIT
    if campaign.beneficiary_cap_cents is not None:
        left = (
            campaign.beneficiary_cap_cents
            - registration.matching_total_cents
            - registration.matching_reserved_cents
            + back
        )
        if left < allowed:
            allowed, note = max(left, 0), NOTE_CAP
    return _Room(allowed, note, usages, registration)


def _count(keys, campaign, *, used: int = 0, reserved: int = 0) -> None:
    if keys and (used or reserved):
        DonorUsage.objects.filter(campaign=campaign, key__in=keys).update(
            used_cents=F("used_cents") + used, reserved_cents=F("reserved_cents") + reserved
        )


def _count_in_order(campaign_id: int, used: dict[str, int], released: dict[str, int]) -> None:
    """Adds `used` to donor counters and takes `released` off what they hold reserved, in one
    statement that locks the counters in key order — the order every path locks them in — and
    creates those that do not exist yet (a card seen for the first time): INSERT … ON CONFLICT DO
    UPDATE, which SQLite and PostgreSQL both speak (Django's bulk_create can only overwrite on
    conflict, not add). What is released is written as a positive amount subtracted on
    conflict: a row is only ever inserted with nothing to release (CHECK constraints see the
    inserted values even when the row exists)."""
    keys = sorted(set(used) | set(released))
    if not keys:
        return
    table = DonorUsage._meta.db_table
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
    params = [value for key in keys for value in (campaign_id, key, used.get(key, 0), released.get(key, 0))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (campaign_id, key, used_cents, reserved_cents) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT (campaign_id, key) DO UPDATE SET used_cents = {table}.used_cents + excluded.used_cents, "
            f"reserved_cents = {table}.reserved_cents - excluded.reserved_cents",
            params,
        )


def _count_registration(registration_id, *, used: int = 0, reserved: int = 0) -> None:
    if used or reserved:
        Registration.objects.filter(pk=registration_id).update(
            matching_total_cents=F("matching_total_cents") + used,
            matching_reserved_cents=F("matching_reserved_cents") + reserved,
        )


def _accounts(campaign, registration_id):
    c = campaign.collectivite_id
    return (
        journal.account(AccountKind.CAMPAIGN_MATCHING, collectivite=c, campaign=campaign.pk),
        journal.account(AccountKind.BENEFICIARY_MATCHING, collectivite=c, registration=registration_id),
    )


# The gift's life -----------------------------------------------------------------------------


def reserve(gift, *, now) -> int:
    """At checkout: holds the promised match for a while (hold_minutes). Sets
    gift.match_promised_cents, gift.match_note and gift.reservation_expires_at (the caller saves
    the gift)."""
    campaign = gift.campaign
    identities = [gift.donor_key, *linked_cards(campaign, gift)]
    keys = keys_for(campaign, gift.registration_id, identities)
    room = _room(campaign, gift, keys)
    pool_id, granted, partial = _take(campaign, gift.id.int, room.allowed, "reserved_cents")
    note = room.note or (NOTE_BUDGET if granted < campaign.match_for(gift.amount_cents) else "")
    expires_at = now + timedelta(minutes=hold_minutes(campaign)) if granted else None
    if granted:
        Allocation.objects.create(
            gift=gift,
            campaign=campaign,
            pool_id=pool_id,
            amount_cents=granted,
            partial=partial,
            status=AllocationStatus.HELD,
            keys=keys,
            donor_key=gift.donor_key,
            device_key=gift.device_key,
            expires_at=expires_at,
        )
        _count(keys, campaign, reserved=granted)
        _count_registration(gift.registration_id, reserved=granted)
    gift.match_promised_cents = granted
    gift.match_note = note
    gift.reservation_expires_at = expires_at
    return granted


def _release(allocation, registration_id) -> None:
    # The fixed order: donor counters, registration, then the pool.
    amount = allocation.amount_cents
    _lock_counters(allocation.campaign_id, allocation.keys)
    _count(allocation.keys, allocation.campaign_id, reserved=-amount)
    _count_registration(registration_id, reserved=-amount)
    changes = {"reserved_cents": F("reserved_cents") - amount}
    if allocation.partial:  # the pool's partial match was never used: it may give one again
        changes["partial_taken"] = False
    Pool.objects.filter(pk=allocation.pool_id).update(**changes)
    allocation.status = AllocationStatus.RELEASED
    allocation.save(update_fields=["status"])


def release(gift, allocation) -> int:
    """Payment failed or abandoned: the held match returns to its pool. `allocation` is the
    gift's, locked by the caller (None if it has none)."""
    if allocation is None or allocation.status != AllocationStatus.HELD:
        return 0
    _release(allocation, gift.registration_id)
    return allocation.amount_cents


@dataclass
class Posted:
    """What confirming a gift did to its match: the public money committed, why it is less than
    the ratio gives (if it is), and the journal entry to post."""

    cents: int = 0
    note: str = ""
    drafts: list = field(default_factory=list)


def post(gift, allocation, *, now, registration_counts: dict | None = None) -> Posted:
    """The payment is confirmed. A hold still valid is honoured in full: the donor gets what was
    promised (the card, known only now, counts for later reservations, never against this one).
    Without a valid hold — it expired, or the payment failed first — the gift is matched first
    come, first served from what is left, while the campaign is open.

    `allocation` is the gift's, read under the gift's lock by the caller. The registration's
    matched and reserved totals move in the same statement as the caller's own counters
    (`registration_counts`, F expressions), in the fixed lock order: donor counters,
    registration, pool."""
    campaign = gift.campaign
    card_keys = keys_for(campaign, gift.registration_id, [gift.card_key]) if gift.card_key else []
    has_hold = allocation is not None and allocation.status == AllocationStatus.HELD
    if has_hold and allocation.expires_at > now:
        held = posted = allocation.amount_cents
        keys = sorted(set(allocation.keys) | set(card_keys))
        _count_in_order(campaign.pk, dict.fromkeys(keys, posted), dict.fromkeys(allocation.keys, held))
        Registration.objects.filter(pk=gift.registration_id).update(
            matching_total_cents=F("matching_total_cents") + posted,
            matching_reserved_cents=F("matching_reserved_cents") - held,
            **(registration_counts or {}),
        )
        Pool.objects.filter(pk=allocation.pool_id).update(
            reserved_cents=F("reserved_cents") - held, used_cents=F("used_cents") + posted
        )
        allocation.keys = keys
        allocation.status, allocation.card_key = AllocationStatus.POSTED, gift.card_key
        allocation.save(update_fields=["keys", "status", "card_key"])
        result = Posted(cents=posted, note=gift.match_note)
    else:
        result = _post_without_hold(gift, allocation if has_hold else None, card_keys, now)
        if registration_counts:
            Registration.objects.filter(pk=gift.registration_id).update(**registration_counts)
    if result.cents:
        matching, beneficiary = _accounts(campaign, gift.registration_id)
        result.drafts.append(
            journal.Draft(
                "match.posted", f"gift:{gift.pk}:match", [(matching, result.cents), (beneficiary, -result.cents)]
            )
        )
    return result


def _post_without_hold(gift, expired, card_keys, now) -> Posted:
    """First come, first served, from what is left. The locks in the fixed order: donor counters
    and registration (with the expired hold's, not swept yet, given back), then pools — all of
    them, in index order, before the expired hold's pool is written, like every path that waits
    for pools."""
    campaign = gift.campaign
    identities = [gift.donor_key, *linked_cards(campaign, gift)]
    if gift.card_key and gift.card_key not in identities:
        identities.append(gift.card_key)
    keys = keys_for(campaign, gift.registration_id, identities)
    room = _room(campaign, gift, sorted(set(keys) | set(expired.keys if expired else ())), given_back=expired)
    if expired is not None:
        _lock_pools(campaign)
        _release(expired, gift.registration_id)
    if campaign.phase(now) != "open":
        return Posted(note=NOTE_CLOSED)
    pool_id, posted, partial = _take(campaign, gift.id.int, room.allowed, "used_cents")
    full = campaign.match_for(gift.amount_cents)
    # Less than was promised: the reservation ran out (or a failed payment released it) first.
    short = NOTE_EXPIRED if posted < gift.match_promised_cents else NOTE_BUDGET
    note = room.note or (short if posted < full else "")
    if posted:
        _count(keys, campaign, used=posted)
        _count_registration(gift.registration_id, used=posted)
        Allocation.objects.update_or_create(
            gift=gift,
            defaults={
                "campaign": campaign,
                "pool_id": pool_id,
                "amount_cents": posted,
                "reversed_cents": 0,
                "partial": partial,
                "status": AllocationStatus.POSTED,
                "keys": keys,
                "donor_key": gift.donor_key,
                "device_key": gift.device_key,
                "card_key": gift.card_key,
                "expires_at": None,
            },
        )
    return Posted(cents=posted, note=note)


def count_card(gift, allocation) -> None:
    """The card of a confirmed payment, learnt after the confirmation (Stripe tells it on
    request): its match counts for the card from now on, for later reservations."""
    if not gift.card_key or allocation is None or allocation.status != AllocationStatus.POSTED:
        return
    card_keys = keys_for(gift.campaign, gift.registration_id, [gift.card_key])
    new = [k for k in card_keys if k not in allocation.keys]
    _count_in_order(gift.campaign_id, dict.fromkeys(new, allocation.amount_cents - allocation.reversed_cents), {})
    allocation.keys = sorted(set(allocation.keys) | set(card_keys))
    allocation.card_key = gift.card_key
    allocation.save(update_fields=["keys", "card_key"])


def reverse(gift, allocation, cents: int, *, reason: str) -> list:
    """A refund or a lost dispute takes back `cents` of the gift's posted match: it leaves the
    beneficiary and returns to the pool (and so to the campaign’s budget while it is open). Once
    the whole match is back, a partial match's pool may give a partial match again. Returns the
    journal entry to post."""
    if allocation is None or allocation.status != AllocationStatus.POSTED or cents <= 0:
        return []
    left = allocation.amount_cents - allocation.reversed_cents
    if cents > left:
        raise ValueError(f"cannot reverse {cents} of a match with {left} left")
    campaign = gift.campaign
    _lock_counters(campaign, allocation.keys)  # the fixed order: counters, registration, pool
    _count(allocation.keys, campaign, used=-cents)
    _count_registration(gift.registration_id, used=-cents)
    allocation.reversed_cents += cents
    whole = allocation.reversed_cents == allocation.amount_cents
    changes = {"used_cents": F("used_cents") - cents}
    if whole and allocation.partial:
        changes["partial_taken"] = False
    Pool.objects.filter(pk=allocation.pool_id).update(**changes)
    if whole:
        allocation.status = AllocationStatus.REVERSED
    allocation.save(update_fields=["reversed_cents", "status"])
    matching, beneficiary = _accounts(campaign, gift.registration_id)
    # What the beneficiary no longer holds of its match (paid out, or in a payout batch) is to
    # be recovered from it: its payable never goes below zero.
    taken = max(min(cents, -journal.balance(beneficiary)), 0)
    recoverable = journal.account(
        AccountKind.BENEFICIARY_RECOVERABLE, collectivite=campaign.collectivite_id, registration=gift.registration_id
    )
    n = gift.match_reversed_cents + cents
    return [
        journal.Draft(
            "match.reversed",
            f"gift:{gift.pk}:match-reversed:{n}",
            [(beneficiary, taken), (recoverable, cents - taken), (matching, -cents)],
            reason,
        )
    ]


def _lock_gift(gift_id):
    """The gift's row, locked (matching does not import the gift's package: the model comes
    through the allocation's relation)."""
    gifts = Allocation._meta.get_field("gift").related_model.objects
    return gifts.select_for_update(of=("self",)).filter(pk=gift_id).only("pk", "registration_id").first()


def expire_holds(*, now, limit: int = 500) -> int:
    """Releases holds whose time is up (the payment may still come, and is then matched first
    come, first served). Returns how many were released. Each under its gift's lock, like every
    change to a gift's allocation."""
    from_gifts = Allocation.objects.filter(status=AllocationStatus.HELD, expires_at__lte=now)
    released = 0
    for gift_id in list(from_gifts.values_list("gift_id", flat=True)[:limit]):
        with transaction.atomic():
            locked = _lock_gift(gift_id)
            allocation = from_gifts.filter(gift_id=gift_id).first()
            if locked is not None and allocation is not None:
                _release(allocation, locked.registration_id)
                released += 1
    return released
