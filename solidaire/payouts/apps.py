from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "solidaire.payouts"
    verbose_name = _("Payouts")

    def ready(self):
        from . import checks  # noqa: F401 - registers its ledger checks
