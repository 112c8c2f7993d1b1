from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "solidaire.ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .journal import forget_accounts

        post_migrate.connect(forget_accounts, sender=self)
