from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("sandbox/paiement/<str:checkout_id>/", views.sandbox_checkout, name="sandbox_checkout"),
    path("gestion/paiements/notifications/", views.notifications_log, name="notifications_log"),
    path("gestion/paiements/", views.settings_page, name="settings"),
    path("gestion/paiements/etablissements/", views.connect_accounts, name="connect_accounts"),
    path("gestion/paiements/etablissements/<int:pk>/", views.connect_account, name="connect_account"),
    # Providers post here (always reversed without a language prefix).
    path("paiements/notifications/<str:provider>/", views.notifications, name="notifications"),
]
