import re

from django.urls import path, register_converter

from . import views
from .models import ProviderName

app_name = "payments"


class ProviderNameConverter:
    """`<provider:name>`: only the name of a provider the platform knows. Any other name is not
    found (404) before the inbox, which would otherwise store it in a column too short for it."""

    regex = "|".join(re.escape(name) for name in ProviderName.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProviderNameConverter, "provider")

urlpatterns = [
    path("sandbox/paiement/<slug:checkout_id>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("gestion/paiements/notifications/", views.notifications_log, name="notifications_log"),
    path("gestion/paiements/", views.settings_page, name="settings"),
    path("gestion/paiements/etablissements/", views.connect_accounts, name="connect_accounts"),
    path("gestion/paiements/etablissements/<id:pk>/", views.connect_account, name="connect_account"),
    # Providers post here (always reversed without a language prefix).
    path("paiements/notifications/<provider:provider>/", views.notifications, name="notifications"),
]
