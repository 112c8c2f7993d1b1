from django.urls import path

from . import moderation, views

app_name = "beneficiaries"

urlpatterns = [
    path("campagnes/<slug:slug>/etablissements/", views.directory, name="directory"),
    path("campagnes/<slug:slug>/carte/", views.map_page, name="map"),
    path("campagnes/<slug:slug>/carte.json", views.markers_json, name="markers"),
    path("campagnes/<slug:slug>/etablissements/<id:pk>-<slug:name>/", views.establishment_page, name="establishment"),
    path("campagnes/<slug:slug>/etablissements/<id:pk>/", views.establishment_page, name="establishment_short"),
    path("communes.json", views.commune_suggestions, name="commune_suggestions"),
    path("mon-espace/", views.owner_home, name="owner_home"),
    path("mon-espace/inscription/<slug:slug>/", views.register, name="register"),
    path("mon-espace/etablissements/<id:pk>/modifier/", views.edit_establishment, name="edit"),
    path("mon-espace/etablissements/<id:pk>/participer/<slug:slug>/", views.join, name="join"),
    path("mon-espace/inscriptions/<id:pk>/", views.owner_registration, name="owner_registration"),
    path("mon-espace/inscriptions/<id:pk>/retirer/", views.withdraw, name="withdraw"),
    path("gestion/moderation/", moderation.queue, name="moderation_queue"),
    path("gestion/moderation/<id:pk>/", moderation.detail, name="moderation_detail"),
    path("gestion/moderation/<id:pk>/versements/", moderation.payouts_hold, name="payouts_hold"),
    path("gestion/moderation/modifications/", moderation.changes_queue, name="changes_queue"),
    path("gestion/moderation/modifications/<id:pk>/", moderation.changes_detail, name="changes_detail"),
]
