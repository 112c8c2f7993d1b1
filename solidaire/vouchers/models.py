"""Counterparts: the offer an establishment makes to its donors (moderated), the vouchers issued
on confirmed gifts (value frozen at issue), their redemptions at the counter, and the staff
allowed to redeem."""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import InvitationBase
from solidaire.core.translated import Translated, translations


class OfferKind(models.TextChoices):
    VALUE = "value", _("A voucher worth an amount")
    ITEM = "item", _("A named item, such as “un café offert”")
    NONE = "none", _("No counterpart")


class ValueMode(models.TextChoices):
    PERCENT = "percent", _("A share of the gift")
    FIXED = "fixed", _("A fixed amount")


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a newer offer")


class Offer(Translated, models.Model):
    """What an establishment gives its donors in one campaign. A change is a new offer, moderated;
    the approved one stays in force until its successor is approved. It is the one source of what
    pages and e-mails say the donor receives (vouchers.describe); `note` adds the owner's words."""

    registration = models.ForeignKey("beneficiaries.Registration", on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("counterpart"), max_length=10, choices=OfferKind.choices, default=OfferKind.VALUE)
    value_mode = models.CharField(_("value"), max_length=10, choices=ValueMode.choices, default=ValueMode.PERCENT)
    percent_of_gift = models.PositiveIntegerField(_("share of the gift (%)"), default=100)
    bonus_percent = models.PositiveIntegerField(_("bonus (%)"), default=0)
    fixed_value_cents = models.PositiveIntegerField(_("fixed value"), null=True, blank=True)
    item_label = models.CharField(_("item"), max_length=120, blank=True)
    min_gift_cents = models.PositiveIntegerField(_("minimum gift to get it"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    validity_days = models.PositiveIntegerField(_("valid for (days)"), null=True, blank=True)
    partial_use = models.BooleanField(_("may be used in several times"), default=True)
    terms = models.TextField(_("terms"), blank=True, max_length=1000)
    note = models.TextField(
        _("a word to donors"),
        blank=True,
        max_length=1000,
        help_text=_("Optional, shown under the counterpart: how you welcome donors, what the voucher is good for."),
    )
    note_en, note_de = translations(note)
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True)
    issued_count = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=12, choices=OfferStatus.choices, default=OfferStatus.PENDING, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(blank=True)

    TRANSLATED = ("note",)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("counterpart offer")
        verbose_name_plural = _("counterpart offers")
        constraints = [
            models.UniqueConstraint(
                fields=["registration"], condition=Q(status="approved"), name="one_approved_offer_per_registration"
            ),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(issued_count__lte=F("stock")), name="offer_within_stock"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.registration})"

    def value_for(self, gift_cents: int) -> int:
        """The voucher’s value for a gift (0 for an item or no counterpart)."""
        if self.kind != OfferKind.VALUE:
            return 0
        if self.value_mode == ValueMode.FIXED:
            return self.fixed_value_cents or 0
        return gift_cents * (self.percent_of_gift + self.bonus_percent) // 100

    def validity(self, issued: date) -> tuple[date, date]:
        start = max(self.valid_from or issued, issued)
        if self.valid_until:
            return start, self.valid_until
        return start, issued + timedelta(days=self.validity_days or 180)


class VoucherStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    FROZEN = "frozen", _("On hold: the payment is disputed")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class Voucher(models.Model):
    """Issued once per confirmed gift; its value, validity and terms are frozen at issue."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    gift = models.OneToOneField("donations.Gift", on_delete=models.PROTECT, related_name="voucher")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="vouchers")
    registration = models.ForeignKey("beneficiaries.Registration", on_delete=models.PROTECT, related_name="vouchers")
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=17, unique=True)
    kind = models.CharField(max_length=10, choices=OfferKind.choices)
    value_cents = models.PositiveIntegerField(default=0)
    remaining_cents = models.PositiveIntegerField(default=0)
    # Taken off the value because part of the gift was refunded (vouchers.actions.adjust_for).
    withdrawn_cents = models.PositiveIntegerField(default=0)
    item_label = models.CharField(max_length=120, blank=True)
    partial_use = models.BooleanField(default=False)
    terms = models.TextField(blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ACTIVE, db_index=True)
    reminder = models.BooleanField(default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining_cents__lte=F("value_cents") - F("withdrawn_cents")), name="voucher_within_value"
            ),
        ]
        indexes = [models.Index(fields=["registration", "status"])]

    def __str__(self):
        return self.code

    @property
    def token(self) -> str:
        """The donor’s key to the voucher’s private page (derived, never stored): the signature
        of its id, in base64url, ready for a query string."""
        return signing.Signer(salt="solidaire.voucher-token").signature(str(self.pk))

    def check_token(self, token: str) -> bool:
        """Also true for a token signed with a key kept in SECRET_KEY_FALLBACKS: links in the
        e-mails sent before the secret was rotated keep working."""
        if not token:
            return False
        try:
            return signing.Signer(salt="solidaire.voucher-token").unsign(f"{self.pk}:{token}") == str(self.pk)
        except signing.BadSignature:
            return False

    def state(self, today: date | None = None) -> str:
        """active, not_yet, expired, used or cancelled — the truth on a given day."""
        today = today or timezone.localdate()
        if self.status != VoucherStatus.ACTIVE:
            return self.status
        if today > self.valid_until:
            return VoucherStatus.EXPIRED
        if today < self.valid_from:
            return "not_yet"
        return VoucherStatus.ACTIVE


class Redemption(models.Model):
    """One use of a voucher at the counter; an undo is recorded on it, never deleted."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    amount_cents = models.PositiveIntegerField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # The counter's form carries a key: a retried submission finds the same redemption.
    key = models.CharField(max_length=64, unique=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")

    def __str__(self):
        return f"{self.voucher} −{self.amount_cents}"


class Staff(models.Model):
    """Someone an owner allows to redeem vouchers at their establishment’s counter."""

    establishment = models.ForeignKey("beneficiaries.Establishment", on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counters")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("counter staff")
        verbose_name_plural = _("counter staff")
        constraints = [models.UniqueConstraint(fields=["establishment", "user"], name="one_staff_row_per_person")]

    def __str__(self):
        return f"{self.user} @ {self.establishment}"


class StaffInvitation(InvitationBase):
    """An e-mailed invitation to redeem vouchers at an establishment’s counter: the person joins
    the staff only once they accept it (accounts.invitations, as for team invitations)."""

    accept_url_name = "vouchers:accept_staff_invitation"
    establishment = models.ForeignKey(
        "beneficiaries.Establishment", on_delete=models.CASCADE, related_name="staff_invitations"
    )

    class Meta(InvitationBase.Meta):
        verbose_name = _("counter staff invitation")
        verbose_name_plural = _("counter staff invitations")

    def __str__(self):
        return f"{self.email} → {self.establishment}"

    @property
    def collectivite(self):
        return self.establishment.collectivite
