from django.urls import path

from . import views

app_name = "tenants"

urlpatterns = [
    path("mentions-legales/", views.public_page, {"page": "legal"}, name="legal"),
    path("accessibilite/", views.public_page, {"page": "accessibility"}, name="accessibility"),
    path("confidentialite/", views.public_page, {"page": "privacy"}, name="privacy"),
    path("gestion/collectivite/", views.branding, name="branding"),
]
