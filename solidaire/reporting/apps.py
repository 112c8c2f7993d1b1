from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "solidaire.reporting"
    verbose_name = _("Dashboards and forecast")

    def ready(self):
        from django.db.models.signals import post_save

        from solidaire.core import metrics as core_metrics
        from solidaire.donations.models import Gift

        from .metrics import CampaignBudgets, count_confirmation

        core_metrics.register("campaign_budgets", CampaignBudgets())
        post_save.connect(count_confirmation, sender=Gift, dispatch_uid="solidaire.metrics.confirmations")
