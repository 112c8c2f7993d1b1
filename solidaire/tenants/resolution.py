"""Which collectivité a request is for: custom domain, then sub-domain of the platform’s base
domain, then the configured default tenant — except on the operator’s host, which is none's.

Addresses given to people (e-mails, links to another collectivité’s site) are each
collectivité’s canonical address, never the host a request happened to name."""

from django.conf import settings

from .models import Collectivite, Domain


def host_of(request) -> str:
    return request.get_host().rsplit(":", 1)[0].strip("[]").lower().rstrip(".")


def is_operator_host(host: str) -> bool:
    """The platform operator’s host (SOLIDAIRE_OPERATOR_HOST): its back office and its sign-in."""
    return bool(host) and host == settings.SOLIDAIRE_OPERATOR_HOST.lower().rstrip(".")


def resolve_tenant(host: str) -> Collectivite | None:
    if is_operator_host(host):
        return None
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
    """Absolute URL of a path on a collectivité’s canonical address: its first custom domain, else
    <slug>.<base domain> — whatever host the request came through (the default tenant answers on
    any host; a Host header is the client's to choose)."""
    domain = tenant.domains.order_by("pk").first()
    host = domain.host if domain is not None else f"{tenant.slug}.{settings.SOLIDAIRE_BASE_DOMAIN}"
    return _absolute(host, path, request)


def operator_url(path: str, request=None) -> str:
    """Absolute URL of a path on the operator’s host."""
    return _absolute(settings.SOLIDAIRE_OPERATOR_HOST.lower().rstrip("."), path, request)


def _absolute(host: str, path: str, request) -> str:
    scheme = "https" if getattr(settings, "SESSION_COOKIE_SECURE", False) else "http"
    port = settings.SOLIDAIRE_PUBLIC_PORT or (request.get_port() if request is not None else "")
    if port and port not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{path}"
