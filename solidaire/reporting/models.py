"""What the dashboards keep: the alerts sent about a campaign’s public budget, each at most once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    RUNS_OUT_SOON = "runs_out_7_days", _("The budget runs out within 7 days at the current pace")
    USED_80 = "used_80", _("80 % of the budget used")
    USED_95 = "used_95", _("95 % of the budget used")


class Alert(models.Model):
    """One alert e-mailed to a campaign’s finance officers and administrators. The unique
    constraint makes it once per campaign and kind, whichever task or worker gets there first."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)
    # What the figures said then: percent used, forecast date.
    detail = models.JSONField(default=dict, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("budget alert")
        verbose_name_plural = _("budget alerts")
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="one_alert_per_campaign_and_kind")]

    def __str__(self):
        return f"{self.kind} for campaign {self.campaign_id}"
