from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("mon-espace/etablissements/<id:pk>/caisse/", views.counter, name="counter"),
    path(
        "mon-espace/etablissements/<id:pk>/caisse/bons/<uuid:voucher_id>/",
        views.counter_voucher,
        name="counter_voucher",
    ),
    path("mon-espace/etablissements/<id:pk>/caisse/annuler/<id:redemption_id>/", views.undo, name="undo"),
    path("mon-espace/etablissements/<id:pk>/equipe/", views.staff, name="staff"),
    path("invitation-caisse/<str:token>/", views.accept_staff_invitation, name="accept_staff_invitation"),
    path("mon-espace/inscriptions/<id:pk>/offre/", views.offer, name="offer"),
    path("bons/scan/<str:payload>/", views.scan, name="scan"),
    path("bons/<uuid:voucher_id>/", views.voucher_page, name="voucher"),
    path("bons/<uuid:voucher_id>/pdf/", views.voucher_pdf, name="voucher_pdf"),
    path("gestion/moderation/offres/", views.offers_queue, name="offers_queue"),
    path("gestion/moderation/offres/<id:pk>/", views.offer_decision, name="offer_decision"),
    path("gestion/bons/", views.outstanding, name="outstanding"),
]
