from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "solidaire.donations"
    verbose_name = _("Gifts")

    def ready(self):
        from solidaire.campaigns import hooks
        from solidaire.payments import inbox

        from . import checks  # noqa: F401 - registers its ledger checks
        from .actions import apply_event
        from .figures import campaign_figures

        # The inbox verifies, stores and deduplicates notifications; what they mean for a gift
        # is this package's business.
        inbox.register(apply_event)
        hooks.provide_figures(campaign_figures)
