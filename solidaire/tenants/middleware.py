from django.shortcuts import render

from .resolution import host_of, resolve_tenant

# Paths that work without a collectivité: probes, assets, the operator's back office and
# the account pages shared by every collectivité.
TENANTLESS_PREFIXES = ("/healthz", "/static/", "/media/", "/operator/", "/i18n/")


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = resolve_tenant(host_of(request))
        if request.tenant is None and not request.path_info.startswith(TENANTLESS_PREFIXES):
            if not _is_account_path(request.path_info):
                return render(request, "core/no_tenant.html", status=404)
        return self.get_response(request)


def _is_account_path(path: str) -> bool:
    parts = path.strip("/").split("/")
    if parts and parts[0] in ("en", "de"):
        parts = parts[1:]
    return bool(parts) and parts[0] == "comptes"
