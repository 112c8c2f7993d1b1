from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("gestion/tableau-de-bord/", views.summary, name="summary"),
    path("gestion/tableau-de-bord/graphiques/<str:chart>.svg", views.summary_chart, name="summary_chart"),
    path("gestion/tableau-de-bord/chiffres.<str:fmt>", views.summary_download, name="summary_download"),
    path("gestion/campagnes/<slug:slug>/tableau-de-bord/", views.dashboard, name="dashboard"),
    path(
        "gestion/campagnes/<slug:slug>/tableau-de-bord/graphiques/<str:chart>.svg",
        views.dashboard_chart,
        name="dashboard_chart",
    ),
    path(
        "gestion/campagnes/<slug:slug>/tableau-de-bord/chiffres.<str:fmt>",
        views.dashboard_download,
        name="dashboard_download",
    ),
]
