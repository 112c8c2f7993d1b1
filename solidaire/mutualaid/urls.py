from django.urls import path

from . import conversation_views, manage, views

app_name = "mutualaid"

urlpatterns = [
    path("entraide/", views.network, name="network"),
    path("entraide/carte/", views.map_page, name="map"),
    path("entraide/carte.json", views.markers_json, name="markers"),
    path("entraide/<id:pk>/", views.post_page, name="post"),
    path("entraide/publier/", views.new_post, name="new_post"),
    path("entraide/mes-annonces/", views.my_posts, name="my_posts"),
    path("entraide/mes-annonces/<id:pk>/etat/", views.move, name="move"),
    path("gestion/entraide/", manage.settings_page, name="manage"),
    path("gestion/entraide/categories/nouvelle/", manage.category_create, name="category_create"),
    path("gestion/entraide/categories/<id:pk>/", manage.category_edit, name="category_edit"),
    path("gestion/entraide/moderation/", manage.moderation_queue, name="moderation"),
    path("gestion/entraide/moderation/<id:pk>/", manage.moderate_post, name="moderate_post"),
    path("gestion/entraide/benevoles/", manage.volunteers, name="volunteers"),
    path("entraide/conversations/", conversation_views.conversation_list, name="conversations"),
    path("entraide/conversations/repondre/<id:pk>/", conversation_views.start, name="conversation_start"),
    path("entraide/conversations/<id:pk>/", conversation_views.conversation, name="conversation"),
    path("entraide/conversations/<id:pk>/coordonnees/", conversation_views.share, name="conversation_share"),
    path("entraide/conversations/<id:pk>/fermer/", conversation_views.close, name="conversation_close"),
]
