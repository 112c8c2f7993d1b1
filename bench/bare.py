"""The smallest Django page, served by the same gunicorn command as the product: the baseline the
public pages are measured against (`gunicorn bench.bare:application`). Its settings are Django's
bare minimum — no database, no middleware, no templates — so it measures gunicorn, WSGI and
Django's request handling, nothing else."""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def page(request):
    return HttpResponse("<!DOCTYPE html><title>ok</title><p>ok</p>", content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-page-only",  # noqa: S106 - serves one static string
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
    )

application = get_wsgi_application()
