"""Payouts: what a collectivité pays each beneficiary of a campaign, in batches a second finance
officer approves, sent to the bank as a SEPA credit-transfer file with a statement for the public
accountant, then marked paid (by hand or from the bank’s statement). The money itself moves in
the journal (docs/ledger.md): a batch only ever pays what the journal says is owed."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    MATCHING = "matching", _("Public match")
    GIFTS = "gifts", _("Gifts")


class Route(models.TextChoices):
    """Who makes the transfers: the collectivité’s public accountant from the SEPA file, or the
    payment provider from the platform’s balance to the beneficiaries' own accounts (gifts only)."""

    BANK = "bank", _("Bank transfers by the collectivité’s accountant (SEPA file)")
    PROVIDER = "provider", _("Transfers by the payment provider to the beneficiaries' accounts")


class PainVersion(models.TextChoices):
    V09 = "pain.001.001.09", _("pain.001.001.09 (current)")
    V03 = "pain.001.001.03", _("pain.001.001.03 (for banks that still ask for it)")


class PayoutSettings(models.Model):
    """The collectivité’s account the transfers leave from, as its bank knows it."""

    collectivite = models.OneToOneField(
        "tenants.Collectivite", on_delete=models.CASCADE, related_name="payout_settings"
    )
    debtor_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    pain_version = models.CharField(
        _("SEPA file format"), max_length=20, choices=PainVersion.choices, default=PainVersion.V09
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payout settings")
        verbose_name_plural = _("payout settings")

    def __str__(self):
        return f"{self.debtor_name} {self.iban}"


class BatchStatus(models.TextChoices):
    PREPARED = "prepared", _("Waiting for approval")
    APPROVED = "approved", pgettext_lazy("payout batch", "Approved")
    SENT = "sent", _("Sent to the bank")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


class Batch(models.Model):
    """Lines frozen when the batch is prepared; approved by another finance officer; its files
    made once, at approval, and kept with their SHA-256."""

    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="payout_batches")
    channel = models.CharField(_("what is paid"), max_length=10, choices=Channel.choices)
    route = models.CharField(_("how it is paid"), max_length=10, choices=Route.choices, default=Route.BANK)
    provider = models.CharField(max_length=20, blank=True)  # the payment provider of a provider batch
    reference = models.CharField(_("reference"), max_length=30)
    cutoff = models.DateTimeField(_("up to"))
    decision_reference = models.CharField(_("decision reference"), max_length=100, blank=True)
    execution_date = models.DateField(_("requested execution date"))
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.PREPARED)
    total_cents = models.PositiveBigIntegerField(default=0)
    lines_count = models.PositiveIntegerField(default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-pk"]
        verbose_name = _("payout batch")
        verbose_name_plural = _("payout batches")
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "reference"], name="one_batch_reference_per_collectivite"),
            # Four eyes: whoever approves did not prepare.
            models.CheckConstraint(condition=~Q(approved_by=F("prepared_by")), name="batch_approved_by_another"),
        ]

    def __str__(self):
        return self.reference


class LineStatus(models.TextChoices):
    PENDING = "pending", _("To be paid")
    PAID = "paid", pgettext_lazy("payout line", "Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled with its batch")


class Line(models.Model):
    """What one beneficiary is paid in one batch, with who it is as the batch froze it."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lines")
    registration = models.ForeignKey(
        "beneficiaries.Registration", on_delete=models.PROTECT, related_name="payout_lines"
    )
    legal_name = models.CharField(max_length=200)
    identifier = models.CharField(max_length=14)  # SIRET or RNA
    account_holder = models.CharField(max_length=140)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)
    # What the journal owed (gross), what the beneficiary had to give back and is set off
    # (offset), and what is transferred (amount = gross − offset).
    gross_cents = models.PositiveIntegerField()
    offset_cents = models.PositiveIntegerField(default=0)
    amount_cents = models.PositiveIntegerField()
    gifts_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    # A provider batch: the beneficiary’s account at the provider, and the transfer made to it.
    destination = models.CharField(max_length=60, blank=True)
    transfer_id = models.CharField(max_length=60, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_name", "pk"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="line_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_cents=F("gross_cents") - F("offset_cents")), name="line_amount_is_gross_less_offset"
            ),
            models.UniqueConstraint(fields=["batch", "registration"], name="one_line_per_beneficiary_and_batch"),
        ]

    def __str__(self):
        return f"{self.end_to_end_id} {self.amount_cents} c ({self.status})"


class DocumentKind(models.TextChoices):
    SEPA = "sepa", _("SEPA credit-transfer file")
    CSV = "csv", _("Statement (CSV)")
    XLSX = "xlsx", _("Statement (XLSX)")
    PDF = "pdf", _("Statement (PDF)")


class Document(models.Model):
    """A file of an approved batch, as it was approved: what the accountant receives can be
    checked against its SHA-256."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    name = models.CharField(max_length=120)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "kind"]
        constraints = [models.UniqueConstraint(fields=["batch", "kind"], name="one_document_per_kind")]

    def __str__(self):
        return self.name


class StatementImport(models.Model):
    """A bank statement (camt.053) imported to mark lines paid: kept once per file."""

    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    matched = models.JSONField(default=list)  # end-to-end ids of the lines it marked paid
    already_paid = models.JSONField(default=list)  # lines it names that were paid before
    failed = models.JSONField(default=list)  # end-to-end ids of the lines it marked failed (returned transfers)
    unmatched = models.JSONField(
        default=list
    )  # entries it could not match: {"reference", "amount_cents", "direction", "why"}

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "sha256"], name="one_import_per_statement")]

    def __str__(self):
        return self.file_name
