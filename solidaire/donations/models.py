"""A gift: a donor's payment to one beneficiary of one campaign, and what the collectivité adds."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _


class GiftStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for payment")
    PROCESSING = "processing", _("Payment being processed")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Payment failed")
    EXPIRED = "expired", _("Payment abandoned")
    REFUNDED = "refunded", _("Refunded")
    CHARGED_BACK = "charged_back", _("Disputed by the card holder")


OPEN_STATUSES = (GiftStatus.PENDING, GiftStatus.PROCESSING)
PAID_STATUSES = (GiftStatus.CONFIRMED, GiftStatus.REFUNDED, GiftStatus.CHARGED_BACK)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def donor_key(email: str) -> str:
    """Who a donor is, for limits: the normalised e-mail, hashed (limits need no plain address)."""
    local, _sep, domain = email.strip().lower().partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        # One Google mailbox: dots and "+tags" are ignored and googlemail.com is gmail.com.
        domain = "gmail.com"
        local = local.split("+", 1)[0].replace(".", "")
    else:
        local = local.split("+", 1)[0]
    return "email:" + hash_secret(f"{local}@{domain}")[:40]


def card_key(fingerprint: str) -> str:
    return "card:" + hash_secret(fingerprint)[:40]


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
    match_note = models.CharField(max_length=40, blank=True)
    reservation_expires_at = models.DateTimeField(null=True, blank=True)
    # The payment provider's side.
    provider = models.CharField(max_length=20)
    checkout_id = models.CharField(max_length=120, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    payment_id = models.CharField(max_length=120, blank=True, db_index=True)
    fee_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "checkout_id"], condition=~models.Q(checkout_id=""), name="one_gift_per_checkout"
            ),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="gift_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["registration", "status", "-confirmed_at"]),
        ]

    def __str__(self):
        return f"{self.amount_cents} c → {self.registration_id} ({self.status})"

    @property
    def token(self) -> str:
        """The donor's key to this gift's page and API resource, derived from the site's secret
        (so e-mails can carry it without storing it)."""
        return salted_hmac("solidaire.gift-token", str(self.pk)).hexdigest()[:32]

    def check_token(self, token: str) -> bool:
        return bool(token) and constant_time_compare(self.token, token)

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.match_cents
