"""Payment configuration per collectivité, the inbox of provider notifications, and the
built-in sandbox provider’s own records."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderName(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (test payments)")
    STRIPE = "stripe", _("Stripe")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


class PaymentAccount(models.Model):
    """Which provider a collectivité uses, and its secrets (write-only in the back office)."""

    collectivite = models.OneToOneField(
        "tenants.Collectivite", on_delete=models.CASCADE, related_name="payment_account"
    )
    provider = models.CharField(
        _("payment provider"), max_length=20, choices=ProviderName.choices, default=ProviderName.SANDBOX
    )
    sandbox_secret = models.CharField(max_length=100, default=new_secret)
    sandbox_duplicate = models.BooleanField(_("send each notification twice"), default=False)
    sandbox_reorder = models.BooleanField(_("send notifications out of order"), default=False)
    sandbox_delay = models.BooleanField(_("delay notifications by a few seconds"), default=False)
    stripe_secret_key = models.CharField(max_length=200, blank=True)
    stripe_webhook_secret = models.CharField(max_length=200, blank=True)
    stripe_connect = models.BooleanField(_("pay beneficiaries through Stripe Connect"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")

    def __str__(self):
        return f"{self.collectivite} — {self.get_provider_display()}"


class NotificationStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not applied yet")
    APPLIED = "applied", _("Applied")
    IGNORED = "ignored", _("Nothing to change")
    DEFERRED = "deferred", _("Waiting for an earlier event")
    REJECTED = "rejected", _("Rejected")


FINAL_STATUSES = (NotificationStatus.APPLIED, NotificationStatus.IGNORED, NotificationStatus.REJECTED)


class Notification(models.Model):
    """Every notification a provider sends, stored (and committed) before anything else happens,
    so that it stays as evidence whatever happens next; a (collectivité, provider, event id) is
    applied at most once, in the same transaction that records it applied."""

    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+", null=True)
    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120, null=True, blank=True)
    event_type = models.CharField(max_length=60, blank=True)
    # The raw body: whole for a verified notification; its first few KB for a rejected delivery
    # (body_truncated), with its size and SHA-256 (unknown for one too large to be read).
    body = models.TextField(blank=True)
    body_size = models.PositiveBigIntegerField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64, blank=True)
    body_truncated = models.BooleanField(default=False)
    headers = models.JSONField(default=dict)
    # The verified event, normalised: what a retry applies after a crash, without the body.
    event = models.JSONField(default=dict, blank=True)
    signature_valid = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    gift = models.ForeignKey("donations.Gift", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deliveries = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "provider", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="one_notification_per_event_and_collectivite",
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return f"{self.provider} {self.event_id or '?'} {self.status}"


class SandboxCheckout(models.Model):
    """A checkout session of the built-in sandbox provider: what its hosted page shows."""

    id = models.CharField(primary_key=True, max_length=40)
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.CASCADE, related_name="+")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    customer_email = models.EmailField()
    success_url = models.URLField(max_length=1000)
    cancel_url = models.URLField(max_length=1000)
    notify_url = models.URLField(max_length=1000)
    # open, then paid, failed or expired — settled when the payer acts, whatever the notifications.
    status = models.CharField(max_length=20, default="open")
    payment_id = models.CharField(max_length=40, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    # One dispute at most, as the card holder’s bank opens and decides it.
    dispute_id = models.CharField(max_length=40, blank=True)
    dispute_status = models.CharField(max_length=10, blank=True)  # open, won, lost
    disputed_cents = models.PositiveIntegerField(default=0)
    dispute_evidence = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.id


class SandboxRefund(models.Model):
    """A refund the sandbox made: asked once per idempotency key, as real providers do."""

    id = models.CharField(primary_key=True, max_length=40)
    checkout = models.ForeignKey(SandboxCheckout, on_delete=models.CASCADE, related_name="refunds")
    key = models.CharField(max_length=100)
    amount_cents = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkout", "key"], name="one_sandbox_refund_per_key")]

    def __str__(self):
        return self.id


class SandboxTransfer(models.Model):
    """A transfer the sandbox made to a beneficiary’s account (payouts): once per idempotency key,
    as real providers do; made at once, reversed on demand (a test, the demo)."""

    id = models.CharField(primary_key=True, max_length=40)
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    destination = models.CharField(max_length=60)
    reference = models.CharField(max_length=40)
    group = models.CharField(max_length=40, blank=True)
    notify_url = models.URLField(max_length=1000)
    status = models.CharField(max_length=10, default="paid")  # paid, then reversed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["collectivite", "key"], name="one_sandbox_transfer_per_key")]

    def __str__(self):
        return self.id


class SandboxEvent(models.Model):
    """A notification the sandbox sends, and sends again until it is acknowledged: the row is
    the outbox, so a crash of the worker or of the broker loses nothing (a beat task sends what
    is due)."""

    id = models.CharField(primary_key=True, max_length=40)
    # What the event is about: a payment (its checkout) or a payout transfer.
    checkout = models.ForeignKey(
        SandboxCheckout, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    transfer = models.ForeignKey(
        SandboxTransfer, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    type = models.CharField(max_length=40)
    body = models.TextField()
    attempts = models.PositiveIntegerField(default=0)
    # When to send it (again); empty once delivered or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.id} {self.type}"

    @property
    def origin(self):
        """The checkout or the transfer: whose collectivité signs it, and where it is sent."""
        return self.checkout or self.transfer
