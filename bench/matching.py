"""Confirmed gifts per second through the matching path on PostgreSQL, with 1, 8 and 32
concurrent worker processes, beside a raw-SQL baseline of the naive one-row design
(`SELECT … FOR UPDATE` on one budget row, then insert), timed by the same script.

"Our path" is exactly what a provider's notification does in production: solidaire.payments.
inbox.apply with a verified payment.succeeded event → notification row, gift confirmed, journal
entries (gift, fee, match), the reserved match posted from its pool, the beneficiary's counters,
the receipt queued. Each gift was started beforehand (match reserved, sandbox checkout opened),
which is not timed."""

import multiprocessing
import time
import uuid

from .stats import percentile

POOLS = 16
POOLED_SETUP = """
DROP TABLE IF EXISTS bench_pooled_gift;
DROP TABLE IF EXISTS bench_pooled_pool;
CREATE TABLE bench_pooled_pool (id int PRIMARY KEY, capacity_cents bigint NOT NULL, used_cents bigint NOT NULL,
                                CHECK (used_cents <= capacity_cents));
CREATE TABLE bench_pooled_gift (id bigserial PRIMARY KEY, pool_id int NOT NULL, amount_cents int NOT NULL,
                                match_cents int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO bench_pooled_pool SELECT i, 62500000, 0 FROM generate_series(0, 15) AS i;  -- 16 pools (POOLS)
"""

NAIVE_SETUP = """
DROP TABLE IF EXISTS bench_naive_gift;
DROP TABLE IF EXISTS bench_naive_budget;
CREATE TABLE bench_naive_budget (id int PRIMARY KEY, budget_cents bigint NOT NULL, used_cents bigint NOT NULL);
CREATE TABLE bench_naive_gift (id bigserial PRIMARY KEY, amount_cents int NOT NULL, match_cents int NOT NULL,
                               created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO bench_naive_budget VALUES (1, 1000000000, 0);
"""


def _naive_worker(url, counter, total, latencies):
    import psycopg

    with psycopg.connect(url) as conn:
        while True:
            with counter.get_lock():
                if counter.value >= total:
                    return
                counter.value += 1
            started = time.perf_counter()
            with conn.transaction():
                budget, used = conn.execute(
                    "SELECT budget_cents, used_cents FROM bench_naive_budget WHERE id = 1 FOR UPDATE"
                ).fetchone()
                match = min(500, budget - used)
                conn.execute("UPDATE bench_naive_budget SET used_cents = used_cents + %s WHERE id = 1", (match,))
                conn.execute("INSERT INTO bench_naive_gift (amount_cents, match_cents) VALUES (%s, %s)", (500, match))
            latencies.append((time.perf_counter() - started) * 1000)


def _pooled_worker(url, counter, total, latencies):
    """Solidaire's design in raw SQL: one conditional UPDATE on one of the pools (the one the
    gift points at, then the next ones), then the insert — no row that every gift waits on."""
    import random

    import psycopg

    with psycopg.connect(url) as conn:
        while True:
            with counter.get_lock():
                if counter.value >= total:
                    return
                counter.value += 1
            started = time.perf_counter()
            first = random.randrange(POOLS)  # noqa: S311
            with conn.transaction():
                for offset in range(POOLS):
                    pool = (first + offset) % POOLS
                    row = conn.execute(
                        "UPDATE bench_pooled_pool SET used_cents = used_cents + %s "
                        "WHERE id = %s AND used_cents + %s <= capacity_cents RETURNING id",
                        (500, pool, 500),
                    ).fetchone()
                    if row:
                        break
                conn.execute(
                    "INSERT INTO bench_pooled_gift (pool_id, amount_cents, match_cents) VALUES (%s, %s, %s)",
                    (pool, 500, 500 if row else 0),
                )
            latencies.append((time.perf_counter() - started) * 1000)


def _ours_worker(checkout_ids, counter, latencies):
    import django

    django.setup()
    from solidaire.payments import inbox
    from solidaire.payments.providers import base
    from solidaire.tenants.models import Collectivite

    collectivite = Collectivite.objects.get(slug="bench")
    while True:
        with counter.get_lock():
            index = counter.value
            if index >= len(checkout_ids):
                return
            counter.value += 1
        event = base.PaymentEvent(
            event_id=f"evt_bench_{uuid.uuid4().hex}",
            type=base.SUCCEEDED,
            checkout_id=checkout_ids[index],
            payment_id=f"pay_{index}",
            amount_cents=500,
            currency="EUR",
            fee_cents=32,
            card_fingerprint=f"fp_{index}",
        )
        started = time.perf_counter()
        status, notification = inbox.apply(collectivite=collectivite, provider_name="sandbox", event=event)
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200 and notification.status == "applied", notification.reason


def _run(workers, target, args):
    counter = multiprocessing.Value("i", 0)
    with multiprocessing.Manager() as manager:
        latencies = manager.list()
        processes = [multiprocessing.Process(target=target, args=(*args(counter), latencies)) for _ in range(workers)]
        started = time.perf_counter()
        for p in processes:
            p.start()
        for p in processes:
            p.join()
            assert p.exitcode == 0, f"worker failed ({p.exitcode})"
        elapsed = time.perf_counter() - started
        return list(latencies), elapsed


def _start_gifts(count, label, *, one_pool=False):
    """Gifts started as donors would: match reserved, sandbox checkout opened (not timed).
    `one_pool`: the campaign's budget in a single pool row, the naive design inside the same code."""
    from django.utils import timezone

    from solidaire.beneficiaries.models import Establishment, Registration
    from solidaire.campaigns.models import Campaign
    from solidaire.donations import actions
    from solidaire.matching.engine import sync_pools
    from solidaire.matching.models import Pool

    from .fill import tenant_and_campaign

    collectivite, base_campaign, _moderator = tenant_and_campaign()
    campaign = Campaign.objects.get(pk=base_campaign.pk)
    campaign.pk, campaign.slug = None, f"bench-matching-{label}"
    campaign.title = f"Bench matching {label}"
    campaign.matching_budget_cents = 10_000_000_00
    campaign.save()
    if one_pool:
        Pool.objects.create(campaign=campaign, index=0, capacity_cents=campaign.matching_budget_cents)
    else:
        sync_pools(campaign)
    establishments = list(Establishment.objects.filter(collectivite=collectivite).order_by("pk")[:200])
    now = timezone.now()
    registrations = [
        Registration.objects.create(
            campaign=campaign,
            establishment=e,
            legal_identifier=e.legal_identifier,
            status="approved",
            terms_accepted_at=now,
            submitted_at=now,
            approved_at=now,
        )
        for e in establishments
    ]
    checkout_ids = []
    for i in range(count):
        gift, _token = actions.create_gift(
            registration=registrations[i % len(registrations)], amount_cents=500, email=f"bench{label}-{i}@example.org"
        )
        actions.open_checkout(
            gift,
            success_url="http://bench.localhost/",
            cancel_url="http://bench.localhost/",
            notify_url="http://bench.localhost/paiements/notifications/sandbox/",
        )
        checkout_ids.append(gift.checkout_id)
    return checkout_ids


def run(args) -> None:
    import os

    import django

    django.setup()
    from django.db import connection, connections

    from solidaire.ledger.checks import check_all

    with connection.cursor() as cursor:
        cursor.execute(NAIVE_SETUP)
        cursor.execute(POOLED_SETUP)
    workers_list = [int(w) for w in args.workers.split(",")]
    print(
        f"\n== Matching: {args.confirmations} confirmations per run, PostgreSQL, "
        f"{os.cpu_count()} CPU cores shared by PostgreSQL and the workers =="
    )
    print("Whole path = the confirmation as production runs it (inbox, journal, match posted, counters,")
    print("voucher), with the campaign's budget in pools (Solidaire) or in one pool row (the naive design in")
    print("the same code). Raw SQL = the budget step alone: pools (Solidaire's design) or one budget row with")
    print("SELECT … FOR UPDATE (the naive baseline). Figures: confirmations/s, p50 and p99 latency in ms.")
    print(
        f"{'':>7}  {'whole path, pools':>26}  {'whole path, 1 row':>26}  {'raw SQL, pools':>26}  "
        f"{'raw SQL, naive row':>26}   {'ratios to the naive':>28}"
    )
    print(
        f"{'workers':>7}  "
        + "  ".join([f"{'/s':>10} {'p50':>7} {'p99':>7}"] * 4)
        + f"   {'whole':>8} {'raw SQL':>8} {'whole/raw':>10}"
    )
    stamp = int(time.time())
    for workers in workers_list:
        pooled_ids = _start_gifts(args.confirmations, f"{workers}-{stamp}")
        single_ids = _start_gifts(args.confirmations, f"{workers}-{stamp}-one", one_pool=True)
        connections.close_all()
        ours = _run(workers, _ours_worker, lambda counter, ids=pooled_ids: (ids, counter))
        single = _run(workers, _ours_worker, lambda counter, ids=single_ids: (ids, counter))
        pooled = _run(workers, _pooled_worker, lambda counter: (args.database, counter, args.confirmations))
        naive = _run(workers, _naive_worker, lambda counter: (args.database, counter, args.confirmations))
        rates = [len(latencies) / seconds for latencies, seconds in (ours, single, pooled, naive)]
        columns = "  ".join(
            f"{rate:>10.1f} {percentile(latencies, 50):>7.1f} {percentile(latencies, 99):>7.1f}"
            for rate, (latencies, _s) in zip(rates, (ours, single, pooled, naive), strict=True)
        )
        print(
            f"{workers:>7}  {columns}   {rates[0] / rates[1]:>8.2f} {rates[2] / rates[3]:>8.2f} "
            f"{rates[0] / rates[3]:>10.3f}"
        )
    _purge_queue()
    started = time.perf_counter()
    violations = check_all()
    print(
        f"ledger-check after the runs: {'ok' if not violations else violations[0]} "
        f"({time.perf_counter() - started:.1f} s)"
    )


def _purge_queue() -> None:
    """Drops the receipts the runs queued (nobody is there to send them)."""
    from solidaire.celery import app

    if app.conf.broker_url.startswith("redis://"):
        app.control.purge()
