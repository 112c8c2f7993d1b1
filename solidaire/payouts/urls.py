from django.urls import path

from . import owner, views

app_name = "payouts"

urlpatterns = [
    path("gestion/versements/", views.home, name="home"),
    path("gestion/versements/lots/<id:pk>/", views.batch_page, name="batch"),
    path("gestion/versements/lots/<id:pk>/approuver/", views.approve, name="approve"),
    path("gestion/versements/lots/<id:pk>/annuler/", views.cancel, name="cancel"),
    path("gestion/versements/lots/<id:pk>/envoye/", views.mark_sent, name="mark_sent"),
    path("gestion/versements/lots/<id:pk>/paye/", views.mark_paid, name="mark_paid"),
    path("gestion/versements/lots/<id:pk>/lignes/<id:line_pk>/echec/", views.mark_failed, name="mark_failed"),
    path("gestion/versements/lots/<id:pk>/fichiers/<slug:kind>/", views.document, name="document"),
    path("gestion/versements/releves/", views.statements, name="statements"),
    path("gestion/versements/releves/<id:pk>/", views.statement, name="statement"),
    path("gestion/versements/compte/", views.account_page, name="account"),
    path("mon-espace/inscriptions/<id:pk>/versements/", owner.payouts_page, name="owner_payouts"),
    path("mon-espace/inscriptions/<id:pk>/versements/releve.pdf", owner.statement_pdf, name="owner_statement"),
]
