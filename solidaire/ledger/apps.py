from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "solidaire.ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from django.db.models.signals import post_migrate

        from solidaire.core import health

        from .journal import forget_accounts
        from .tasks import health_report

        post_migrate.connect(forget_accounts, sender=self)
        health.register("ledger", health_report)
