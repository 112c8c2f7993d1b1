from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "solidaire.core"
    verbose_name = _("Platform")

    def ready(self):
        # <id:…> registered before any URLconf is read; the checks; the signals of the task metrics
        # and of the request id carried into tasks.
        from . import checks, converters, metrics, observability  # noqa: F401
