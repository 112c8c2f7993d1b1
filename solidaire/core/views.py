from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from solidaire import __name__ as package_name
from solidaire.campaigns.models import Campaign

from .health import database_status, reports, task_queue_status


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "task_queue": task_queue_status()}
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "service": package_name, **checks, **reports()},
        status=200 if healthy else 503,
    )


def home(request):
    campaigns = Campaign.objects.public().for_tenant(request.tenant).order_by("status", "-starts_at")
    return render(request, "core/home.html", {"campaigns": campaigns})


@cache_control(max_age=300, public=True)
@require_GET
def theme_css(request):
    """The collectivité's colour as CSS variables (the colour is validated as #rrggbb)."""
    colour = request.tenant.main_colour if request.tenant else "#00597a"
    css = f":root{{--brand:{colour};}}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def about_data(request):
    return render(request, "core/about_data.html")
