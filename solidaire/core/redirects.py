"""Where to send a person next when the request (or something a request once gave) says where:
only somewhere on the site they are on. Every `next`-like address of the product goes through
`safe_next`; allauth's (sign-in, sign-up, two-factor) through the account adapter's
`is_safe_url`, which asks `is_safe` too. tests/core/test_safe_redirects.py keeps views from
reading such a parameter any other way."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_FIELD = "next"


def is_safe(request, url: str | None) -> bool:
    """Whether `url` stays on this request's host: a path, or an absolute address of this very
    host (over HTTPS when the request came over HTTPS). Not another collectivité’s host, not
    `//elsewhere`, not `javascript:`."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request, default, *, url: str | None = None, field: str = NEXT_FIELD) -> str:
    """`url` — or, without it, the request's `field` parameter (the form's, then the query
    string's) — when it stays on this site; otherwise `default` (a path or a URL name)."""
    if url is None:
        url = request.POST.get(field) or request.GET.get(field) or ""
    return url if is_safe(request, url) else resolve_url(default)
