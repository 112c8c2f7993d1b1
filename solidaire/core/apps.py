from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "solidaire.core"
    verbose_name = _("Platform")

    def ready(self):
        from . import checks, converters  # noqa: F401 - registers <id:…> before any URLconf is read, and the checks
