"""Which collectivité a request is for: custom domain, then sub-domain of the platform's base
domain, then the configured default tenant."""

from django.conf import settings

from .models import Collectivite, Domain


def host_of(request) -> str:
    return request.get_host().rsplit(":", 1)[0].strip("[]").lower().rstrip(".")


def resolve_tenant(host: str) -> Collectivite | None:
    # The payment account comes with the collectivité: the notification endpoint needs it, and it
    # is one join rather than one more query.
    domain = Domain.objects.select_related("collectivite__payment_account").filter(host=host).first()
    if domain is not None:
        return domain.collectivite if domain.collectivite.is_active else None
    base = settings.SOLIDAIRE_BASE_DOMAIN.lower()
    if base and host.endswith("." + base):
        slug = host[: -len(base) - 1]
        if "." not in slug:
            return _active().filter(slug=slug).first()
    default = settings.SOLIDAIRE_DEFAULT_TENANT
    if default:
        return _active().filter(slug=default).first()
    return None


def _active():
    return Collectivite.objects.filter(is_active=True).select_related("payment_account")


def tenant_url(tenant: Collectivite, path: str, request=None) -> str:
    """Absolute URL of a path on a collectivité's own site (for e-mails and cross-tenant links)."""
    scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
    domain = tenant.domains.order_by("pk").first()
    if domain is not None:
        host = domain.host
    elif request is not None and getattr(request, "tenant", None) == tenant:
        return request.build_absolute_uri(path)
    elif settings.SOLIDAIRE_DEFAULT_TENANT == tenant.slug and request is not None:
        return request.build_absolute_uri(path)
    else:
        host = f"{tenant.slug}.{settings.SOLIDAIRE_BASE_DOMAIN}"
    port = request.get_port() if request is not None else settings.SOLIDAIRE_PUBLIC_PORT
    if port and port not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{path}"
