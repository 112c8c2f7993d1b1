"""An export: a file of the collectivité’s figures, built in the background for one person of its
team, offered to them alone while it lasts (docs/adr/0020-exports.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    GIFTS = "gifts", _("Gifts")
    BENEFICIARIES = "beneficiaries", _("Totals per beneficiary")
    DAYS = "days", _("Figures per day")
    VOUCHERS = "vouchers", _("Vouchers outstanding")
    AUDIT = "audit", _("Audit log")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (UTF-8)")
    XLSX = "xlsx", _("Excel (XLSX)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


# The export's states and where each may go (exports.actions moves it, nothing else does).
TRANSITIONS: dict[str, frozenset[str]] = {
    ExportStatus.QUEUED: frozenset({ExportStatus.RUNNING, ExportStatus.FAILED}),
    ExportStatus.RUNNING: frozenset({ExportStatus.DONE, ExportStatus.FAILED}),
    ExportStatus.DONE: frozenset(),
    ExportStatus.FAILED: frozenset(),
}
WORKING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class Export(models.Model):
    collectivite = models.ForeignKey("tenants.Collectivite", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("what"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=5, choices=ExportFormat.choices, default=ExportFormat.CSV)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Decided when asked (the requester's role then): the donors' e-mail addresses are in it.
    with_emails = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="fr")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=200)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["collectivite", "requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.kind}.{self.format} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(self.rows_done * 100 // self.rows_total, 99) if self.rows_total else 0

    @property
    def ready(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file)
