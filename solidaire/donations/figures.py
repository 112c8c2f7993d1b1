"""Live figures of a campaign: cheap to serve under load (two aggregate queries over small
tables, cached for a few seconds), fresh within seconds of a confirmation — but for the number
of donors, which counts distinct donors over every gift (2 s at 2,000,000 gifts): it is kept a
minute, and recomputed by a task while the previous count is shown."""

import time
from dataclasses import dataclass

from celery import shared_task
from django.core.cache import cache
from django.db.models import Count, Sum

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.models import Campaign
from solidaire.matching.models import Pool

from .models import STANDING_STATUSES, Gift

CACHE_SECONDS = 3
# How old the number of donors may be before a task counts them again (the page shows the
# previous count meanwhile), and how long a count is kept at all.
DONORS_SECONDS = 60
DONORS_KEPT_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Figures:
    matching_budget_cents: int
    matching_used_cents: int
    matching_reserved_cents: int
    gifts_total_cents: int
    gifts_count: int
    donors_count: int

    @property
    def matching_left_cents(self) -> int:
        return max(self.matching_budget_cents - self.matching_used_cents - self.matching_reserved_cents, 0)

    @property
    def matching_used_percent(self) -> int:
        if not self.matching_budget_cents:
            return 0
        return self.matching_used_cents * 100 // self.matching_budget_cents


def compute(campaign) -> Figures:
    pools = Pool.objects.filter(campaign=campaign).aggregate(used=Sum("used_cents"), reserved=Sum("reserved_cents"))
    gifts = Registration.objects.filter(campaign=campaign).aggregate(
        total=Sum("gifts_total_cents"), count=Sum("gifts_count")
    )
    return Figures(
        matching_budget_cents=campaign.matching_budget_cents,
        matching_used_cents=pools["used"] or 0,
        matching_reserved_cents=pools["reserved"] or 0,
        gifts_total_cents=gifts["total"] or 0,
        gifts_count=gifts["count"] or 0,
        donors_count=donors_count(campaign),
    )


def count_donors(campaign) -> int:
    """Distinct donors (by e-mail) of the campaign's standing gifts: one query over its gifts."""
    return (
        Gift.objects.filter(campaign=campaign, status__in=STANDING_STATUSES).aggregate(
            n=Count("donor_key", distinct=True)
        )["n"]
        or 0
    )


def clock() -> float:
    """Seconds since the epoch, the same in every process (the count's age is read by all)."""
    return time.time()


def _donors_key(campaign_id) -> str:
    return f"campaign-donors:{campaign_id}"


def remember_donors(campaign) -> int:
    """Counts the campaign's donors now and keeps the count (the refresh task, a cold cache)."""
    count = count_donors(campaign)
    cache.set(_donors_key(campaign.pk), (count, clock()), DONORS_KEPT_SECONDS)
    return count


def donors_count(campaign) -> int:
    """The campaign's donors as last counted: counted here the first time; once the count is
    more than DONORS_SECONDS old, a task is asked — once for all processes — to count them
    again, and the previous count is returned meanwhile."""
    kept = cache.get(_donors_key(campaign.pk))
    if kept is None:
        return remember_donors(campaign)
    count, counted_at = kept
    if clock() - counted_at > DONORS_SECONDS and cache.add(f"{_donors_key(campaign.pk)}:asked", 1, 30):
        count_donors_task.delay(campaign.pk)
    return count


@shared_task(ignore_result=True, name="solidaire.donations.figures.count_donors")
def count_donors_task(campaign_id) -> None:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        remember_donors(campaign)


def campaign_figures(campaign) -> Figures:
    key = f"campaign-figures:{campaign.pk}:{campaign.matching_budget_cents}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(campaign)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
