from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualAidConfig(AppConfig):
    name = "solidaire.mutualaid"
    label = "mutualaid"
    verbose_name = _("Mutual aid")
