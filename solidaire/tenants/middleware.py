from django.http import Http404
from django.shortcuts import redirect, render

from .resolution import host_of, is_operator_host, resolve_tenant

# Paths that work without a collectivité: probes and metrics, assets, the language switch and the
# browsers' reports of what the Content-Security-Policy refused (the operator’s pages have one too).
TENANTLESS_PREFIXES = ("/healthz", "/metrics", "/static/", "/media/", "/i18n/", "/csp-report")
# The platform operator’s back office: on the operator’s host only.
OPERATOR_PREFIX = "/operator/"


class TenantMiddleware:
    """Finds the request's collectivité (request.tenant). A host that is no collectivité’s
    answers 404 — its account pages included, so that no e-mail is ever asked for through an
    unknown host — except the operator’s host, which serves the operator’s back office and the
    account pages it signs in with. The back office answers 404 on every other host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = host_of(request)
        request.on_operator_host = is_operator_host(host)
        request.tenant = resolve_tenant(host)
        path = request.path_info
        if path.startswith(OPERATOR_PREFIX) and not request.on_operator_host:
            raise Http404
        if request.tenant is None and not path.startswith(TENANTLESS_PREFIXES):
            if not request.on_operator_host:
                return render(request, "core/no_tenant.html", status=404)
            if path == "/":
                return redirect(OPERATOR_PREFIX)
            if not (path.startswith(OPERATOR_PREFIX) or is_account_path(path)):
                return render(request, "core/no_tenant.html", status=404)
        return self.get_response(request)


def is_account_path(path: str) -> bool:
    parts = path.strip("/").split("/")
    if parts and parts[0] in ("en", "de"):
        parts = parts[1:]
    return bool(parts) and parts[0] == "comptes"
