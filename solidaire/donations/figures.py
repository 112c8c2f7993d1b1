"""Live figures of a campaign: cheap to serve under load (a few aggregate queries over small
tables, cached for a few seconds), fresh within seconds of a confirmation."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Sum

from solidaire.beneficiaries.models import Registration
from solidaire.matching.models import Pool

from .models import STANDING_STATUSES, Gift

CACHE_SECONDS = 3


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
    donors = Gift.objects.filter(campaign=campaign, status__in=STANDING_STATUSES).aggregate(
        n=Count("donor_key", distinct=True)
    )["n"]
    return Figures(
        matching_budget_cents=campaign.matching_budget_cents,
        matching_used_cents=pools["used"] or 0,
        matching_reserved_cents=pools["reserved"] or 0,
        gifts_total_cents=gifts["total"] or 0,
        gifts_count=gifts["count"] or 0,
        donors_count=donors or 0,
    )


def campaign_figures(campaign) -> Figures:
    key = f"campaign-figures:{campaign.pk}:{campaign.matching_budget_cents}"
    figures = cache.get(key)
    if figures is None:
        figures = compute(campaign)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
