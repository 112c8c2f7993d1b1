from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from django.views.static import serve

from solidaire.api.views import api
from solidaire.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", core_views.metrics, name="metrics"),  # Prometheus, with a bearer token (ADR 0027)
    path("csp-report", core_views.csp_report, name="csp_report"),  # what browsers report (ADR 0015)
    path("theme.css", core_views.theme_css, name="theme_css"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/langue/<str:code>/", core_views.choose_language, name="choose_language"),
    path("operator/", admin.site.urls),  # on SOLIDAIRE_OPERATOR_HOST only (accounts.operator)
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("comptes/", include("allauth.urls")),
    path("", include("solidaire.core.urls")),
    path("", include("solidaire.tenants.urls")),
    path("", include("solidaire.accounts.urls")),
    path("", include("solidaire.campaigns.urls")),
    path("", include("solidaire.beneficiaries.urls")),
    path("", include("solidaire.donations.urls")),
    path("", include("solidaire.payments.urls")),
    path("", include("solidaire.vouchers.urls")),
    path("", include("solidaire.payouts.urls")),
    path("", include("solidaire.reporting.urls")),
    path("", include("solidaire.exports.urls")),
    path("", include("solidaire.opendata.urls")),
    path("", include("solidaire.privacy.urls")),
    path("", include("solidaire.mutualaid.urls")),
    path("", include("solidaire.audit.urls")),
    prefix_default_language=False,
)

if settings.SOLIDAIRE_SERVE_MEDIA:
    # Uploaded pictures in the embedded mode; a multi-machine install serves them from storage.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
