from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("gestion/equipe/", views.team, name="team"),
    path("gestion/equipe/<id:pk>/role/", views.change_role, name="change_role"),
    path("gestion/equipe/<id:pk>/retirer/", views.revoke, name="revoke"),
    path("gestion/equipe/invitations/<id:pk>/annuler/", views.cancel_invitation, name="cancel_invitation"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("mon-compte/", views.my_account, name="my_account"),
]
