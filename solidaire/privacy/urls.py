from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("dons/mon-espace/", views.ask, name="ask"),
    path("dons/mon-espace/lien/<str:token>/", views.open_link, name="open"),
    path("dons/mon-espace/mes-dons/", views.space, name="space"),
    path("dons/mon-espace/mes-donnees.zip", views.download, name="download"),
    path("dons/mon-espace/effacer/", views.erase, name="erase"),
    path("dons/mon-espace/sortir/", views.leave, name="leave"),
]
