from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "solidaire.matching"
    verbose_name = _("Matching")

    def ready(self):
        from . import checks  # noqa: F401 - registers its ledger checks
