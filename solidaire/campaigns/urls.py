from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campagnes/<slug:slug>/", views.campaign_page, name="public_detail"),
    path("gestion/", views.manage_home, name="manage_home"),
    path("gestion/campagnes/nouvelle/", views.manage_create, name="manage_create"),
    path("gestion/campagnes/<slug:slug>/", views.manage_detail, name="manage_detail"),
    path("gestion/campagnes/<slug:slug>/modifier/", views.manage_edit, name="manage_edit"),
    path("gestion/campagnes/<slug:slug>/publier/", views.manage_publish, name="manage_publish"),
    path("gestion/campagnes/<slug:slug>/cloturer/", views.manage_close, name="manage_close"),
    path("gestion/campagnes/<slug:slug>/rouvrir/", views.manage_reopen, name="manage_reopen"),
]
