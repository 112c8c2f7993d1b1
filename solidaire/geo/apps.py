from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "solidaire.geo"
    verbose_name = _("Geography")

    def ready(self):
        from .loader import load_after_migrate

        post_migrate.connect(load_after_migrate, sender=self)
