"""What rate limits key on: a client's address and a mailbox.

The counts live in the default cache, shared by every web process (the database's cache table
by default, Redis when SOLIDAIRE_CACHE_URL names one: docs/adr/0016-shared-rate-limits.md), so
that two processes do not double a limit. django-ratelimit (gifts, vouchers, notifications) and
allauth (sign-in, password reset) both read the client's address through `client_address` and
fold e-mail addresses through `folded_email`."""

import ipaddress

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings


def client_address(request) -> str:
    """The client's address: the socket's, or the header a load balancer sets
    (SOLIDAIRE_CLIENT_IP_HEADER, read as RATELIMIT_IP_META_KEY)."""
    return request.META.get(settings.RATELIMIT_IP_META_KEY, "") or ""


def client_network(request) -> str:
    """The client's address as limits count it: an IPv6 address by its /64 network (one
    subscriber's line holds a whole /64), as django-ratelimit and allauth do."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return address


def folded_email(email: str) -> str:
    """One mailbox, however it is written: case, "+tags" and dots of the local part do not
    matter, and googlemail.com is gmail.com. (Dots do matter for some providers; merging two such
    addresses only ever makes them share a limit, never widens one.)"""
    local, _sep, domain = (email or "").strip().lower().partition("@")
    if domain == "googlemail.com":
        domain = "gmail.com"
    local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def mailbox_key(email: str):
    """A django-ratelimit `key` callable for one mailbox."""
    folded = folded_email(email)
    return lambda _group, _request: folded


def mailbox_allows(request, action: str, email: str) -> bool:
    """Counts one hit of allauth's limit `action` (settings.ACCOUNT_RATE_LIMITS, "…/key" rates)
    against the mailbox of `email`, however it is written; False when its budget is spent.
    allauth keys its own e-mail limits on the address in lower case only. Off, like
    django-ratelimit's, when settings.RATELIMIT_ENABLE is False; GET requests count too (allauth
    may send a verification e-mail on one)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return True
    usage = allauth_ratelimit.consume(
        request, app="allauth.account", action=action, key=folded_email(email), limit_get=True
    )
    return usage is not None
