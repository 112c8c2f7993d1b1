from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "solidaire.vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from solidaire.campaigns import hooks

        from . import checks  # noqa: F401 - registers its ledger checks
        from .actions import missing_counterpart

        # A campaign that requires a counterpart: no registration approved without an offer.
        hooks.check_before_approval(missing_counterpart)
