from django.urls import path

from . import owner, views

app_name = "payouts"

urlpatterns = [
    path("gestion/versements/", views.home, name="home"),
    path("gestion/versements/lots/<int:pk>/", views.batch_page, name="batch"),
    path("gestion/versements/lots/<int:pk>/approuver/", views.approve, name="approve"),
    path("gestion/versements/lots/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("gestion/versements/lots/<int:pk>/envoye/", views.mark_sent, name="mark_sent"),
    path("gestion/versements/lots/<int:pk>/paye/", views.mark_paid, name="mark_paid"),
    path("gestion/versements/lots/<int:pk>/lignes/<int:line_pk>/echec/", views.mark_failed, name="mark_failed"),
    path("gestion/versements/lots/<int:pk>/fichiers/<slug:kind>/", views.document, name="document"),
    path("gestion/versements/releves/", views.statements, name="statements"),
    path("gestion/versements/releves/<int:pk>/", views.statement, name="statement"),
    path("gestion/versements/compte/", views.account_page, name="account"),
    path("mon-espace/inscriptions/<int:pk>/versements/", owner.payouts_page, name="owner_payouts"),
    path("mon-espace/inscriptions/<int:pk>/versements/releve.pdf", owner.statement_pdf, name="owner_statement"),
]
