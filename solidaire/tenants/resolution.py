"""Which collectivité a request is for: custom domain, then sub-domain of the platform’s base
domain, then the configured default tenant — except on the operator’s host, which is none's.

Addresses given to people (e-mails, links to another collectivité’s site) are each
collectivité’s canonical address, never the host a request happened to name."""

import copy
import time

from django.conf import settings
from django.db import transaction

from .models import Collectivite, Domain


def host_of(request) -> str:
    return request.get_host().rsplit(":", 1)[0].strip("[]").lower().rstrip(".")


def is_operator_host(host: str) -> bool:
    """The platform operator’s host (SOLIDAIRE_OPERATOR_HOST): its back office and its sign-in."""
    return bool(host) and host == settings.SOLIDAIRE_OPERATOR_HOST.lower().rstrip(".")


# host → (until when, the collectivité or None): each process remembers for
# SOLIDAIRE_TENANT_MEMO_SECONDS which collectivité a host is, instead of asking the database on
# every request; forgotten at once in this process when a collectivité or a domain changes
# (tenants.apps), in the others after those few seconds.
_memo: dict[str, tuple[float, Collectivite | None]] = {}
MEMO_ENTRIES = 1000


# What a resolved collectivité carries (its row, its domains, its payment account joined in).
REMEMBERED = {"tenants.Collectivite", "tenants.Domain", "payments.PaymentAccount"}


def forget_on_change(sender, **_kwargs) -> None:
    """post_save and post_delete of any model (tenants.apps): a change to what a resolved
    collectivité carries makes this process forget which host is whose."""
    if sender._meta.label in REMEMBERED:
        _memo.clear()
        # Again once committed: another thread may have read the old row in between.
        transaction.on_commit(_memo.clear)


def resolve_tenant(host: str) -> Collectivite | None:
    """The host's collectivité, a copy of its own for this request (a form may change its fields
    before refusing them: the next request must not see that)."""
    seconds = settings.SOLIDAIRE_TENANT_MEMO_SECONDS
    if seconds <= 0:
        return _resolve(host)
    now = time.monotonic()
    known = _memo.get(host)
    if known is None or known[0] <= now:
        if len(_memo) >= MEMO_ENTRIES:
            _memo.clear()
        known = (now + seconds, _resolve(host))
        _memo[host] = known
    return copy.deepcopy(known[1])


def _resolve(host: str) -> Collectivite | None:
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
