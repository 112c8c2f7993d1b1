from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BeneficiariesConfig(AppConfig):
    name = "solidaire.beneficiaries"
    verbose_name = _("Beneficiaries")

    def ready(self):
        from solidaire.geo.loader import positions_changed

        from .positions import reposition_after_reload

        positions_changed.connect(reposition_after_reload, dispatch_uid="beneficiaries.reposition")
