from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "solidaire.matching"
    verbose_name = _("Matching")

    def ready(self):
        from solidaire.campaigns import hooks

        from . import checks  # noqa: F401 - registers its ledger checks
        from .engine import sync_pools

        hooks.on_saved(sync_pools)
