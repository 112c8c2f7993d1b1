from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("donnees/sources/", views.about_data, name="about_data"),
]
