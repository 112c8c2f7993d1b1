from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "solidaire.opendata"
    verbose_name = _("Transparency and open data")
