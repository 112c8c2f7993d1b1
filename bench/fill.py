"""Fills the benchmark database: Région Grand Est, one published campaign, N approved
establishments and M confirmed gifts with their matches, allocations and journal entries —
bulk-inserted (writing 200,000 gifts one by one would take hours), yet consistent enough for
`solidaire ledger-check` to pass on it."""

import itertools
import math
import random
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

TENANT = "bench"
SPREAD_DAYS = 29  # the gifts come over the last 29 days of the campaign's 30


def _campaign_form_data(now):
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "title": "Café Solidaire",
        "slug": "cafe-solidaire",
        "kind": "businesses",
        "summary": "Bench",
        "description": "Bench",
        "territory_scope": "all",
        "categories": ["bar", "cafe", "bar_tabac"],
        "starts_at": (now - timedelta(days=30)).strftime(fmt),
        "ends_at": (now + timedelta(days=60)).strftime(fmt),
        "registration_opens_at": (now - timedelta(days=40)).strftime(fmt),
        "registration_closes_at": (now + timedelta(days=50)).strftime(fmt),
        "min_gift_cents": "3",
        "max_gift_cents": "10",
        "suggested_gifts_cents": "5 ; 10",
        "matching_ratio_percent": 100,
        "matching_budget_cents": "2000000",
        "beneficiary_cap_cents": "",
        "donor_limit_cents": "",
        "counterpart_policy": "optional",
    }


def tenant_and_campaign():
    from solidaire.accounts.actions import ensure_verified_user
    from solidaire.campaigns import actions as campaign_actions
    from solidaire.campaigns.forms import CampaignForm
    from solidaire.campaigns.models import Campaign
    from solidaire.tenants.actions import create_collectivite
    from solidaire.tenants.forms import CollectiviteCreationForm
    from solidaire.tenants.models import Collectivite

    collectivite = Collectivite.objects.filter(slug=TENANT).first()
    if collectivite is None:
        form = CollectiviteCreationForm(
            data={
                "slug": TENANT,
                "kind": "region",
                "name": "Région Grand Est",
                "siren": "200052264",
                "insee_code": "44",
                "main_colour": "#00597a",
                "admin_email": "admin@bench.example",
            }
        )
        assert form.is_valid(), form.errors
        collectivite = create_collectivite(form=form)
    campaign = Campaign.objects.filter(collectivite=collectivite, slug="cafe-solidaire").first()
    if campaign is None:
        form = CampaignForm(collectivite=collectivite, data=_campaign_form_data(timezone.localtime()))
        assert form.is_valid(), form.errors
        campaign = campaign_actions.save_campaign(
            campaign=form.save(commit=False), territory=form.territory(), actor=None
        )
        campaign = campaign_actions.publish_campaign(campaign=campaign, actor=None)
    moderator, _created = ensure_verified_user(email="moderation@bench.example")
    return collectivite, campaign, moderator


def fill(establishments: int, gifts: int) -> dict:
    from solidaire.beneficiaries.models import Registration
    from solidaire.demo.cafes import seed_cafes

    started = time.monotonic()
    collectivite, campaign, moderator = tenant_and_campaign()
    if not Registration.objects.filter(campaign=campaign).exists():
        seed_cafes(collectivite, campaign, moderator, count=establishments)
    from solidaire.donations.models import Gift

    if not Gift.objects.filter(campaign=campaign).exists():
        with _without_the_balance_trigger():
            _gifts(collectivite, campaign, gifts)
    # Fresh planner statistics, as autovacuum would gather shortly after a bulk load: without
    # them PostgreSQL plans the directory for an empty table (a full join, then a sort).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"seconds": time.monotonic() - started, "campaign": campaign}


@contextmanager
def _without_the_balance_trigger():
    """The guard of beneficiary balances (ledger migrations 0005 and 0007) keeps a running balance
    per account as postings are inserted and checks it at commit: right for a confirmation, a
    needless million upserts for a bulk load. The fill switches both triggers off while it inserts,
    then computes the running balances from the postings in one statement; `solidaire
    ledger-check` checks the rule and the balances on the result."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    triggers = ("ledger_beneficiary_balance", "ledger_beneficiary_running_balance")
    with connection.cursor() as cursor:
        for trigger in triggers:
            cursor.execute(f"ALTER TABLE ledger_posting DISABLE TRIGGER {trigger}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(RUNNING_BALANCES)
            for trigger in triggers:
                cursor.execute(f"ALTER TABLE ledger_posting ENABLE TRIGGER {trigger}")


RUNNING_BALANCES = """
INSERT INTO ledger_guarded_balance (account_id, balance_cents)
    SELECT p.account_id, SUM(p.amount_cents) FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id
     WHERE a.kind LIKE 'beneficiary%' OR a.kind LIKE 'frozen%' OR a.kind LIKE 'in_batch%'
     GROUP BY p.account_id
ON CONFLICT (account_id) DO UPDATE SET balance_cents = EXCLUDED.balance_cents
"""


@transaction.atomic
def _gifts(collectivite, campaign, count: int) -> None:
    from solidaire.beneficiaries.models import Registration
    from solidaire.donations.models import Gift
    from solidaire.ledger.journal import account
    from solidaire.ledger.models import AccountKind, Entry, Posting
    from solidaire.matching.identity import donor_key
    from solidaire.matching.models import Allocation, DonorUsage, Pool
    from solidaire.payments.providers.sandbox import fee_for

    rng = random.Random(200_000)  # noqa: S311 - benchmark data
    registrations = list(Registration.objects.approved().filter(campaign=campaign))
    weights = [rng.paretovariate(1.2) for _ in registrations]
    # Cumulative once: `choices(weights=…)` sums them again at every call (50,000 × 2,000,000).
    cumulative = list(itertools.accumulate(weights))
    pools = list(Pool.objects.filter(campaign=campaign).order_by("index"))
    left = {p.pk: p.capacity_cents for p in pools}
    cash = account(AccountKind.PROVIDER_CASH, collectivite=collectivite, provider="sandbox")
    matching = account(AccountKind.CAMPAIGN_MATCHING, collectivite=collectivite, campaign=campaign)
    gift_accounts = {
        r.pk: account(AccountKind.BENEFICIARY_GIFTS, collectivite=collectivite, registration=r) for r in registrations
    }
    match_accounts = {
        r.pk: account(AccountKind.BENEFICIARY_MATCHING, collectivite=collectivite, registration=r)
        for r in registrations
    }
    now = timezone.now()
    usage: dict[str, int] = {}
    batch = 5000
    for start in range(0, count, batch):
        gifts, allocations, entries, lines = [], [], [], []
        for i in range(start, min(start + batch, count)):
            registration = rng.choices(registrations, cum_weights=cumulative)[0]
            amount = rng.choice([300, 500, 500, 500, 700, 1000, 1000])
            email = f"donor{rng.randrange(count // 3)}@bench.example"
            key = f"{donor_key(email)}|reg:{registration.pk}"
            want = min(amount, max(1000 - usage.get(key, 0), 0))
            pool = pools[i % len(pools)]
            match = min(want, left[pool.pk])
            left[pool.pk] -= match
            usage[key] = usage.get(key, 0) + match
            gift = Gift(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                collectivite=collectivite,
                campaign=campaign,
                registration=registration,
                amount_cents=amount,
                status="confirmed",
                email=email,
                donor_key=donor_key(email),
                donor_name=rng.choice(["", "Camille", "Louis", "Léa"]),
                public_message=rng.choice(["", "", "Courage !"]),
                language="fr",
                match_promised_cents=match,
                match_cents=match,
                provider="sandbox",
                checkout_id=f"cs_bench_{i}",
                payment_id=f"pay_bench_{i}",
                fee_cents=fee_for(amount),
                # Over the campaign's 30 days, more each day (the dashboard's curve and forecast).
                confirmed_at=now - timedelta(days=SPREAD_DAYS * (1 - math.sqrt(i / count))),
            )
            gifts.append(gift)
            if match:
                allocations.append(
                    Allocation(
                        gift=gift,
                        campaign=campaign,
                        pool=pool,
                        amount_cents=match,
                        partial=match < want,
                        status="posted",
                        keys=[key],
                        donor_key=donor_key(email),
                    )
                )
            fee = gift.fee_cents
            received = Entry(kind="gift.received", key=f"gift:{gift.pk}:received", collectivite=collectivite, gift=gift)
            fee_entry = Entry(kind="gift.fee", key=f"gift:{gift.pk}:fee", collectivite=collectivite, gift=gift)
            entries += [received, fee_entry]
            lines += [
                (received, cash, amount),
                (received, gift_accounts[registration.pk], -amount),
                (fee_entry, gift_accounts[registration.pk], fee),
                (fee_entry, cash, -fee),
            ]
            if match:
                matched = Entry(kind="match.posted", key=f"gift:{gift.pk}:match", collectivite=collectivite, gift=gift)
                entries.append(matched)
                lines += [(matched, matching, match), (matched, match_accounts[registration.pk], -match)]
        Gift.objects.bulk_create(gifts)
        Allocation.objects.bulk_create(allocations)
        Entry.objects.bulk_create(entries)
        Posting.objects.bulk_create([Posting(entry=e, account=a, amount_cents=x) for e, a, x in lines])
    for pool in pools:
        Pool.objects.filter(pk=pool.pk).update(
            used_cents=pool.capacity_cents - left[pool.pk], partial_taken=left[pool.pk] == 0
        )
    DonorUsage.objects.bulk_create(
        [DonorUsage(campaign=campaign, key=k, used_cents=v) for k, v in usage.items()], batch_size=5000
    )
    totals = (
        Gift.objects.filter(campaign=campaign)
        .values("registration_id")
        .annotate(n=Count("pk"), total=Sum("amount_cents"), matched=Sum("match_cents"))
    )
    for row in totals:
        Registration.objects.filter(pk=row["registration_id"]).update(
            gifts_count=row["n"], gifts_total_cents=row["total"], matching_total_cents=row["matched"] or 0
        )
