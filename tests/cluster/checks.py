"""What the cluster run checks once the donors are done and the notifications delivered: the
sandbox's word (its checkouts, its outbox) against Solidaire's books. Run in the orchestrating
process (Django set up on the cluster's database) after the load; `--check-only` runs it again on
what a previous run left."""

from collections import Counter

from django.db.models import Count, Sum


def pending_work(tenant: str) -> dict:
    """What is still on its way: undelivered sandbox notifications, stored notifications not
    applied yet, gifts the sandbox says are paid that Solidaire has not confirmed yet."""
    from solidaire.donations.models import PAID_STATUSES, Gift
    from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent

    paid = SandboxCheckout.objects.filter(collectivite__slug=tenant, status="paid").values("pk")
    return {
        "undelivered notifications": SandboxEvent.objects.filter(
            checkout__collectivite__slug=tenant, delivered_at=None
        ).count(),
        "notifications not applied": Notification.objects.filter(
            collectivite__slug=tenant, status__in=("received", "deferred")
        ).count(),
        "paid, not confirmed": Gift.objects.filter(collectivite__slug=tenant, checkout_id__in=paid)
        .exclude(status__in=PAID_STATUSES)
        .count(),
    }


def check(tenant: str, driver_paid: set[str], driver_declined: set[str]) -> tuple[list[str], dict]:
    """(what is wrong, the figures). Nothing wrong means: every payment the sandbox took is one
    confirmed gift, counted once in the journal, the beneficiaries' totals and the notifications;
    nothing else is counted; nothing is left to deliver or apply."""
    from solidaire.beneficiaries.models import Registration
    from solidaire.donations.models import PAID_STATUSES, STANDING_STATUSES, Gift
    from solidaire.ledger.models import Entry
    from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent
    from solidaire.payments.providers import base

    problems: list[str] = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    checkouts = dict(SandboxCheckout.objects.filter(collectivite__slug=tenant).values_list("pk", "status"))
    paid = {pk for pk, status in checkouts.items() if status == "paid"}
    gifts = list(
        Gift.objects.filter(collectivite__slug=tenant).values(
            "pk", "checkout_id", "status", "amount_cents", "confirmed_at", "registration_id"
        )
    )
    by_checkout: dict[str, list[dict]] = {}
    for gift in gifts:
        by_checkout.setdefault(gift["checkout_id"], []).append(gift)
    counted = [g for g in gifts if g["status"] in PAID_STATUSES]

    # The driver's view agrees with the sandbox's records (the driver saw what really happened).
    seen_unpaid = sorted(driver_paid - paid)
    expect(not seen_unpaid, f"{len(seen_unpaid)} payments seen paid on the sandbox's page are not paid in its records")
    not_failed = sorted(c for c in driver_declined if checkouts.get(c) != "failed")
    expect(not not_failed, f"{len(not_failed)} declined payments are not failed at the sandbox: {not_failed[:3]}")

    # Every paid checkout: one gift, confirmed once.
    for checkout_id in sorted(paid):
        found = by_checkout.get(checkout_id, [])
        if len(found) != 1:
            problems.append(f"paid checkout {checkout_id} has {len(found)} gifts")
        elif found[0]["status"] not in PAID_STATUSES or found[0]["confirmed_at"] is None:
            problems.append(f"paid checkout {checkout_id}: its gift is {found[0]['status']}, not confirmed")
    # Nothing counted that the sandbox did not take.
    unpaid_counted = [g for g in counted if g["checkout_id"] not in paid]
    expect(not unpaid_counted, f"{len(unpaid_counted)} gifts confirmed without a paid checkout")
    for checkout_id in sorted(c for c, s in checkouts.items() if s == "failed"):
        for gift in by_checkout.get(checkout_id, []):
            if gift["status"] != "failed":
                problems.append(f"declined checkout {checkout_id}: its gift is {gift['status']}")

    # The journal: one "payment received" entry per paid gift, for its amount, none for others.
    received = Counter(
        Entry.objects.filter(collectivite__slug=tenant, kind="gift.received").values_list("gift_id", flat=True)
    )
    twice = [str(gift_id) for gift_id, n in received.items() if n != 1]
    expect(not twice, f"{len(twice)} gifts have more than one 'payment received' entry: {twice[:3]}")
    expect(
        set(received) == {g["pk"] for g in counted},
        f"'payment received' entries for {len(received)} gifts, {len(counted)} gifts paid",
    )

    # The notifications: each event the sandbox sent stored once and settled (applied, or found
    # to change nothing); each payment's success applied once.
    events = list(SandboxEvent.objects.filter(checkout__collectivite__slug=tenant).values_list("pk", "delivered_at"))
    undelivered = [pk for pk, delivered in events if delivered is None]
    expect(not undelivered, f"{len(undelivered)} sandbox notifications never acknowledged: {undelivered[:3]}")
    notifications = dict(
        Notification.objects.filter(collectivite__slug=tenant, provider="sandbox")
        .exclude(event_id=None)
        .values_list("event_id", "status")
    )
    missing = [pk for pk, _delivered in events if pk not in notifications]
    expect(not missing, f"{len(missing)} sandbox notifications acknowledged but not stored: {missing[:3]}")
    unsettled = [pk for pk, status in notifications.items() if status not in ("applied", "ignored")]
    expect(not unsettled, f"{len(unsettled)} notifications not applied: {unsettled[:3]}")
    rejected = Notification.objects.filter(collectivite__slug=tenant, status="rejected").count()
    expect(rejected == 0, f"{rejected} notifications rejected")
    successes = Counter(
        Notification.objects.filter(collectivite__slug=tenant, event_type=base.SUCCEEDED, status="applied").values_list(
            "gift_id", flat=True
        )
    )
    expect(
        sorted(successes.values()) == [1] * len(counted) and set(successes) == {g["pk"] for g in counted},
        f"successes applied: {sum(successes.values())} for {len(successes)} gifts; {len(counted)} gifts paid",
    )

    # The beneficiaries' totals count each gift once.
    standing = [g for g in gifts if g["status"] in STANDING_STATUSES]
    totals = Registration.objects.filter(campaign__collectivite__slug=tenant).aggregate(
        n=Sum("gifts_count"), total=Sum("gifts_total_cents")
    )
    expect(
        (totals["n"] or 0) == len(standing),
        f"the beneficiaries' pages count {totals['n']} gifts, {len(standing)} are paid",
    )
    expect(
        (totals["total"] or 0) == sum(g["amount_cents"] for g in standing),
        f"the beneficiaries' pages total {totals['total']} cents, the paid gifts "
        f"{sum(g['amount_cents'] for g in standing)}",
    )

    deliveries = Notification.objects.filter(collectivite__slug=tenant).aggregate(n=Sum("deliveries"))["n"] or 0
    figures = {
        "checkouts": len(checkouts),
        "paid at the sandbox": len(paid),
        "seen paid by donors": len(driver_paid),
        "declined": sum(1 for s in checkouts.values() if s == "failed"),
        "left open (a start cut short)": sum(1 for s in checkouts.values() if s == "open"),
        "gifts confirmed": len(counted),
        "confirmed amount (cents)": sum(g["amount_cents"] for g in counted),
        "sandbox notifications": len(events),
        "deliveries received (with repeats)": deliveries,
        "events sent more than once": SandboxEvent.objects.filter(
            checkout__collectivite__slug=tenant, attempts__gt=1
        ).count(),
        "gifts by status": dict(
            Gift.objects.filter(collectivite__slug=tenant)
            .values_list("status")
            .annotate(n=Count("pk"))
            .order_by("status")
        ),
    }
    return problems, figures
