"""The public budget of a campaign, split into pools so that concurrent gifts do not all wait on
one row (docs/adr/0007-matching-pools.md), and what each gift and donor has taken from it."""

from django.db import models
from django.db.models import F, Q


class Pool(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="pools")
    index = models.PositiveIntegerField()
    capacity_cents = models.PositiveBigIntegerField()
    used_cents = models.PositiveBigIntegerField(default=0)
    reserved_cents = models.PositiveBigIntegerField(default=0)
    # A pool gives at most one partial match: the one that empties it.
    partial_taken = models.BooleanField(default=False)

    class Meta:
        ordering = ["campaign", "index"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "index"], name="pool_index_per_campaign"),
            models.CheckConstraint(
                condition=Q(used_cents__lte=F("capacity_cents") - F("reserved_cents")), name="pool_within_capacity"
            ),
        ]

    def __str__(self):
        return f"pool {self.index} of campaign {self.campaign_id}"

    @property
    def left_cents(self) -> int:
        return self.capacity_cents - self.used_cents - self.reserved_cents


class AllocationStatus(models.TextChoices):
    HELD = "held", "held"  # reserved at checkout, waiting for the payment
    POSTED = "posted", "posted"  # the payment is confirmed: public money is committed
    RELEASED = "released", "released"  # payment failed or reservation expired
    REVERSED = "reversed", "reversed"  # all of it taken back by refunds or lost disputes


class Allocation(models.Model):
    """The public money taken from one pool for one gift."""

    gift = models.OneToOneField("donations.Gift", on_delete=models.PROTECT, related_name="allocation")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="allocations")
    amount_cents = models.PositiveIntegerField()
    # Taken back by partial refunds (all of it once the allocation is reversed).
    reversed_cents = models.PositiveIntegerField(default=0)
    partial = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AllocationStatus.choices)
    keys = models.JSONField(default=list)  # the donor counters it counts against
    # Who gave, from which browser, and with which card once the provider says: a card met
    # behind an e-mail address or a browser counts for their next reservations
    # (matching.engine.linked_cards).
    donor_key = models.CharField(max_length=50, blank=True)
    device_key = models.CharField(max_length=50, blank=True)
    card_key = models.CharField(max_length=50, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["campaign", "donor_key"]),
            models.Index(fields=["campaign", "device_key"], condition=~Q(device_key=""), name="allocation_by_device"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reversed_cents__lte=F("amount_cents")), name="allocation_reversed_within_amount"
            )
        ]

    def __str__(self):
        return f"{self.amount_cents} c from {self.pool} ({self.status})"

    @property
    def standing_cents(self) -> int:
        return self.amount_cents - self.reversed_cents


class DonorUsage(models.Model):
    """Public money taken by one donor identity (e-mail or card, optionally towards one
    beneficiary) in one campaign, for the per-donor limit and the anti-farming rule."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=120)
    used_cents = models.PositiveBigIntegerField(default=0)
    reserved_cents = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="donor_usage_per_campaign")]

    def __str__(self):
        return f"{self.key}: {self.used_cents}+{self.reserved_cents}"
