from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "solidaire.tenants"
    verbose_name = _("Collectivités")

    def ready(self):
        # Models are importable once the registry is ready (Django's place for signal receivers).
        from .resolution import forget_on_change

        post_save.connect(forget_on_change, dispatch_uid="solidaire.tenants.forget_on_save")
        post_delete.connect(forget_on_change, dispatch_uid="solidaire.tenants.forget_on_delete")
