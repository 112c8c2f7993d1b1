from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("gestion/exports/", views.home, name="home"),
    path("gestion/exports/<id:pk>/etat/", views.status, name="status"),
    path("gestion/exports/<id:pk>/fichier/", views.download, name="download"),
    path("mon-espace/inscriptions/<id:pk>/tableau-de-bord/", views.owner_dashboard, name="owner_dashboard"),
    path("mon-espace/inscriptions/<id:pk>/tableau-de-bord/dons-par-jour.svg", views.owner_chart, name="owner_chart"),
    path("mon-espace/inscriptions/<id:pk>/tableau-de-bord/dons.<str:fmt>", views.owner_export, name="owner_export"),
]
