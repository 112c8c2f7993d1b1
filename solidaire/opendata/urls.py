from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("campagnes/<slug:slug>/transparence/", views.transparency, name="transparency"),
    path("campagnes/<slug:slug>/subventions.csv", views.subventions_csv, name="subventions_csv"),
    path("donnees/", views.datasets, name="datasets"),
    path("donnees/catalogue.json", views.catalogue, name="catalogue"),
]
