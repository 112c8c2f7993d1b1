from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "solidaire.vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from . import checks  # noqa: F401 - registers its ledger checks
