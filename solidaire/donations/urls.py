from django.urls import path

from . import finance, owner, views

app_name = "donations"

urlpatterns = [
    path("campagnes/<slug:slug>/etablissements/<id:pk>/don/", views.start, name="start"),
    path("dons/<uuid:gift_id>/", views.gift_page, name="gift"),
    path("dons/<uuid:gift_id>/annuler/", views.cancel, name="cancel"),
    path("mon-espace/inscriptions/<id:pk>/donateurs/", owner.donors_page, name="owner_donors"),
    path("mon-espace/inscriptions/<id:pk>/donateurs.csv", owner.donors_csv, name="owner_donors_csv"),
    path("gestion/dons/", finance.gift_list, name="finance_gifts"),
    path("gestion/dons/<uuid:gift_id>/", finance.gift_detail, name="finance_gift"),
]
