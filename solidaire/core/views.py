from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotFound, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import translate_url
from django.utils import translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from solidaire import __name__ as package_name
from solidaire.campaigns.models import Campaign
from solidaire.core.pagecache import public_page

from . import csp_reports
from . import metrics as prometheus
from .health import database_status, reports, task_queue_status
from .redirects import safe_next


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_status(), "task_queue": task_queue_status()}
    healthy = all(value.startswith("ok") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "service": package_name, **checks, **reports()},
        status=200 if healthy else 503,
    )


@public_page
def home(request):
    campaigns = Campaign.objects.public().for_tenant(request.tenant).order_by("status", "-starts_at")
    return render(request, "core/home.html", {"campaigns": campaigns})


@cache_control(max_age=300, public=True)
@require_GET
def theme_css(request):
    """The collectivité’s colour as CSS variables (the colour is validated as #rrggbb)."""
    colour = request.tenant.main_colour if request.tenant else "#00597a"
    css = f":root{{--brand:{colour};}}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def about_data(request):
    return render(request, "core/about_data.html")


@csrf_exempt
@require_POST
def csp_report(request):
    """Where browsers report what the Content-Security-Policy refused (report-uri and report-to):
    each report is logged on one line by the `solidaire.csp` logger, nothing is stored. Counted
    per address before anything is read (429), refused above 8 KB (413, unread), 415 for another
    content type, 400 for a body that is no report; 204 otherwise (core/csp_reports.py)."""
    if is_ratelimited(request, group="csp-report", key="ip", rate=csp_reports.REPORTS_PER_MINUTE, increment=True):
        return HttpResponse(status=429)
    if request.content_type not in csp_reports.CONTENT_TYPES:
        return HttpResponse(status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > csp_reports.REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    body = request.read(csp_reports.REPORT_MAX_BYTES + 1)
    if len(body) > csp_reports.REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        found = csp_reports.violations(body)
    except csp_reports.Unreadable:
        return HttpResponse(status=400)
    for report in found:
        csp_reports.log(report, host=request.get_host())
    return HttpResponse(status=204)


@never_cache
@require_GET
def choose_language(request, code: str):
    """The language switcher's links (a link, not a form: pages keep no CSRF token for it and can
    be cached; docs/adr/0025): remembers the visitor's choice in the language cookie, as Django's
    set_language does, and goes to `next` — a path of this site, in the default language — in
    the chosen one."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = safe_next(request, "/")
    with translation.override(settings.LANGUAGE_CODE):
        target = translate_url(next_url, code)
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics (core.metrics), for the operator's scraper only: with the bearer token
    SOLIDAIRE_METRICS_TOKEN (401 without it or with another); 404 while none is configured."""
    token = settings.SOLIDAIRE_METRICS_TOKEN
    if not token:
        return HttpResponseNotFound()
    if not prometheus.token_matches(request.headers.get("Authorization", ""), token):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(prometheus.exposition(), content_type=prometheus.CONTENT_TYPE)
