from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "solidaire.payouts"
    verbose_name = _("Payouts")

    def ready(self):
        from solidaire.payments import inbox

        from . import checks  # noqa: F401 - registers its ledger checks
        from .transfers import apply_transfer_event

        # The provider’s notifications about payout transfers are this package's to apply.
        inbox.register(apply_transfer_event, prefix="transfer.")
