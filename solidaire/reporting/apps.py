from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "solidaire.reporting"
    verbose_name = _("Dashboards and forecast")

    def ready(self):
        from solidaire.core import metrics as core_metrics

        from .metrics import CampaignBudgets

        core_metrics.register("campaign_budgets", CampaignBudgets())
