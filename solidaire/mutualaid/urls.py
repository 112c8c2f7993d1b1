from django.urls import path

from . import announcement_views, conversation_views, followup_views, manage, safety_views, views

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
    path("gestion/entraide/quartiers/", manage.neighbourhood_list, name="neighbourhoods"),
    path("gestion/entraide/quartiers/<id:pk>/", manage.neighbourhood_edit, name="neighbourhood_edit"),
    path("gestion/entraide/moderation/", manage.moderation_queue, name="moderation"),
    path("gestion/entraide/moderation/<id:pk>/", manage.moderate_post, name="moderate_post"),
    path("gestion/entraide/benevoles/", manage.volunteers, name="volunteers"),
    path("entraide/conversations/", conversation_views.conversation_list, name="conversations"),
    path("entraide/conversations/repondre/<id:pk>/", conversation_views.start, name="conversation_start"),
    path("entraide/conversations/<id:pk>/", conversation_views.conversation, name="conversation"),
    path("entraide/conversations/<id:pk>/coordonnees/", conversation_views.share, name="conversation_share"),
    path("entraide/conversations/<id:pk>/fermer/", conversation_views.close, name="conversation_close"),
    path("gestion/entraide/suivi/", followup_views.queue, name="follow_up"),
    path("gestion/entraide/suivi/chiffres/", followup_views.figures, name="follow_up_figures"),
    path("gestion/entraide/suivi/<id:pk>/", followup_views.request_page, name="follow_up_request"),
    path("entraide/signaler/annonce/<id:pk>/", safety_views.report_post, name="report_post"),
    path("entraide/signaler/message/<id:pk>/", safety_views.report_message, name="report_message"),
    path("entraide/signaler/personne/<id:pk>/", safety_views.report_person, name="report_person"),
    path("entraide/bloquer/", safety_views.blocks, name="blocks"),
    path("entraide/bloquer/conversation/<id:pk>/", safety_views.block, name="block"),
    path("entraide/bloquer/<id:pk>/debloquer/", safety_views.unblock, name="unblock"),
    path("gestion/entraide/signalements/", safety_views.reports, name="reports"),
    path("gestion/entraide/signalements/<id:pk>/", safety_views.report_detail, name="report_detail"),
    path("gestion/entraide/suspensions/<id:pk>/lever/", safety_views.lift_suspension, name="lift_suspension"),
    path("gestion/entraide/annonces/", announcement_views.manage, name="announcements"),
    path("gestion/entraide/annonces/<id:pk>/", announcement_views.edit, name="announcement_edit"),
    path("entraide/preferences-annonces/", announcement_views.preferences, name="announcement_preferences"),
    path(
        "entraide/preferences-annonces/arret/<str:token>/",
        announcement_views.unsubscribe,
        name="announcements_unsubscribe",
    ),
]
