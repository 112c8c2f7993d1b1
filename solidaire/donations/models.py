"""A gift: a donor’s payment to one beneficiary of one campaign, and what the collectivité adds."""

import hashlib
import uuid

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils.translation import gettext_lazy as _


class GiftStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PROCESSING = "processing", _("Payment being processed")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    DISPUTED = "disputed", _("Disputed by the card holder")
    REFUNDED = "refunded", _("Refunded")
    CHARGED_BACK = "charged_back", _("Dispute lost")
    FAILED = "failed", _("Payment failed")
    EXPIRED = "expired", _("Payment abandoned")


# The states a gift's money can be in (docs/ledger.md; the transitions are in donations.states).
OPEN_STATUSES = (GiftStatus.PENDING, GiftStatus.PROCESSING)
PAID_STATUSES = (
    GiftStatus.CONFIRMED,
    GiftStatus.REFUND_REQUESTED,
    GiftStatus.PARTLY_REFUNDED,
    GiftStatus.DISPUTED,
    GiftStatus.REFUNDED,
    GiftStatus.CHARGED_BACK,
)
# Paid and still standing (some of it at least): what the beneficiary’s page and totals count.
STANDING_STATUSES = (
    GiftStatus.CONFIRMED,
    GiftStatus.REFUND_REQUESTED,
    GiftStatus.PARTLY_REFUNDED,
    GiftStatus.DISPUTED,
)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Gift(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="gifts")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="gifts")
    registration = models.ForeignKey("beneficiaries.Registration", on_delete=models.PROTECT, related_name="gifts")
    amount_cents = models.PositiveIntegerField(_("amount"))
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(
        _("status"), max_length=20, choices=GiftStatus.choices, default=GiftStatus.PENDING, db_index=True
    )
    # The donor. The e-mail is only for the receipt (and the beneficiary, with consent).
    email = models.EmailField(_("e-mail address"))
    donor_key = models.CharField(max_length=50, db_index=True)
    card_key = models.CharField(max_length=50, blank=True, db_index=True)
    donor_name = models.CharField(_("name"), max_length=120, blank=True)
    public_message = models.CharField(_("public message"), max_length=280, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact_consent = models.BooleanField(_("the beneficiary may contact me"), default=False)
    voucher_reminder = models.BooleanField(_("remind me before my voucher expires"), default=False)
    language = models.CharField(max_length=8, default="fr")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="gifts"
    )
    # Matching: promised (reserved) when checkout starts, then posted on confirmation.
    match_promised_cents = models.PositiveIntegerField(default=0)
    match_cents = models.PositiveIntegerField(default=0)
    match_reversed_cents = models.PositiveIntegerField(default=0)
    match_note = models.CharField(max_length=40, blank=True)
    reservation_expires_at = models.DateTimeField(null=True, blank=True)
    # Where it was started from, hashed: how many unpaid reservations one address, one e-mail and
    # one browser may hold at once (matching.holds).
    origin_key = models.CharField(max_length=50, blank=True)
    device_key = models.CharField(max_length=50, blank=True)
    # The payment provider’s side, as the provider reported it (docs/ledger.md).
    provider = models.CharField(max_length=20)
    checkout_id = models.CharField(max_length=120, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    payment_id = models.CharField(max_length=120, blank=True, db_index=True)
    fee_cents = models.PositiveIntegerField(default=0)
    # Stripe Connect: what the provider moved to the establishment’s own account, and kept of it.
    transferred_cents = models.PositiveIntegerField(default=0)
    application_fee_cents = models.PositiveIntegerField(default=0)
    # The fee, the card and the Connect transfer are only known once the provider is asked (a
    # task, after the confirmation): until then refunds and disputes wait.
    details_pending = models.BooleanField(default=False)
    refunded_cents = models.PositiveIntegerField(default=0)
    charged_back_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Reconciliation asks the provider about a gift whose state it still waits for, less and less
    # often, so that gifts that can never settle do not hold up the others.
    reconcile_after = models.DateTimeField(null=True, blank=True)
    reconcile_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "checkout_id"], condition=~models.Q(checkout_id=""), name="one_gift_per_checkout"
            ),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="gift_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(refunded_cents__lte=models.F("amount_cents") - models.F("charged_back_cents")),
                name="gift_reversed_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(match_reversed_cents__lte=models.F("match_cents")),
                name="gift_match_reversed_within_match",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["registration", "status", "-confirmed_at"]),
            models.Index(
                fields=["reconcile_after"], condition=models.Q(reconcile_after__isnull=False), name="gift_to_reconcile"
            ),
            models.Index(fields=["origin_key", "status"], condition=~models.Q(origin_key=""), name="gift_by_origin"),
            models.Index(fields=["device_key", "status"], condition=~models.Q(device_key=""), name="gift_by_device"),
        ]

    def __str__(self):
        return f"{self.amount_cents} c → {self.registration_id} ({self.status})"

    @property
    def token(self) -> str:
        """The donor’s key to this gift's page and API resource, derived from the site’s secret
        (so e-mails can carry it without storing it): the signature of its id, in base64url."""
        return signing.Signer(salt="solidaire.gift-token").signature(str(self.pk))

    def check_token(self, token: str) -> bool:
        """Also true for a token signed with a key kept in SECRET_KEY_FALLBACKS: links in the
        e-mails sent before the secret was rotated keep working."""
        if not token:
            return False
        try:
            return signing.Signer(salt="solidaire.gift-token").unsign(f"{self.pk}:{token}") == str(self.pk)
        except signing.BadSignature:
            return False

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.match_cents

    @property
    def reversed_cents(self) -> int:
        """What refunds and lost disputes took back."""
        return self.refunded_cents + self.charged_back_cents

    @property
    def standing_cents(self) -> int:
        """What is left of the gift."""
        return self.amount_cents - self.reversed_cents

    @property
    def refundable_cents(self) -> int:
        return self.standing_cents if self.status in (GiftStatus.CONFIRMED, GiftStatus.PARTLY_REFUNDED) else 0

    @property
    def match_standing_cents(self) -> int:
        return self.match_cents - self.match_reversed_cents

    @property
    def match_full_cents(self) -> int:
        """What the campaign’s ratio alone adds to this gift."""
        return self.campaign.match_for(self.amount_cents)

    @property
    def match_shown_cents(self) -> int:
        """The match the donor is told about: promised before the payment, posted after it."""
        return self.match_cents if self.confirmed_at else self.match_promised_cents

    @property
    def match_shortfall_cents(self) -> int:
        """How much less than the ratio gives the gift was promised (or got, once paid)."""
        return max(self.match_full_cents - self.match_shown_cents, 0)


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked of the payment provider")
    SUCCEEDED = "succeeded", _("Made")
    FAILED = "failed", _("Refused by the payment provider")


class Refund(models.Model):
    """A refund a finance officer asked for (or one made at the provider directly, then recorded
    when its notification arrives). `key` is the idempotency key given to the provider."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    key = models.CharField(max_length=100, unique=True)
    provider_refund_id = models.CharField(max_length=120, blank=True)
    failure = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="refund_amount_positive"),
            # One refund waiting for the provider per gift: a second waits for the first.
            models.UniqueConstraint(fields=["gift"], condition=models.Q(status="requested"), name="one_open_refund"),
        ]

    def __str__(self):
        return f"{self.amount_cents} c of {self.gift_id} ({self.status})"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Dispute(models.Model):
    """A card holder’s dispute of a gift's payment, as the provider reports it."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="disputes")
    provider_dispute_id = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    amount_cents = models.PositiveIntegerField()  # withdrawn by the provider
    fee_cents = models.PositiveIntegerField(default=0)
    # Booked to the collectivité (the voucher was used: the establishment gave its counterpart)
    # rather than taken back from the establishment.
    borne_by_collectivite = models.BooleanField(default=False)
    evidence = models.JSONField(default=dict, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        constraints = [
            models.UniqueConstraint(fields=["gift", "provider_dispute_id"], name="one_dispute_row_per_dispute"),
            models.UniqueConstraint(fields=["gift"], condition=models.Q(status="open"), name="one_open_dispute"),
        ]

    def __str__(self):
        return f"{self.provider_dispute_id} ({self.status})"
