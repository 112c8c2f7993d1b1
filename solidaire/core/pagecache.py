"""Public pages from a shared cache for anonymous visitors (issue 13, docs/adr/0025).

`@public_page` keeps a page's answer for SOLIDAIRE_PUBLIC_PAGE_SECONDS (a few seconds: the budget
bar and totals are never older than that) in the default cache — Redis in production, so every
web process shares it — under the host, the language, the URL (with its query) and whether the
client takes gzip. A request that has a session or a message waiting, or that is no GET or HEAD,
never reads nor fills it; an answer is kept only when it is a 200 that sets no cookie but the CSRF
one and changed no session.

Pages with a form carry a CSRF token, which is each visitor's: the kept copy holds a placeholder
where the token was, and each visitor gets their own token put back (and the CSRF cookie with it).
Those answers say `Cache-Control: private`; the others, with neither form nor cookie, say
`public, max-age` with an ETag and a Last-Modified date, so that a reverse proxy or a CDN may keep
them too (deploy/ shows one)."""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from solidaire.core.middleware import is_private_path

TOKEN_PLACEHOLDER = b"__SOLIDAIRE_CSRF_TOKEN__"
# How templates write the token: {% csrf_token %}'s hidden input, and a data attribute.
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
# Headers of the view's answer worth keeping (the middleware adds the rest to every answer).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Encoding", "Vary", "Content-Disposition")
# Cookies that mean a page may be the visitor's own.
PERSONAL_COOKIES = ("messages",)


def seconds() -> int:
    return settings.SOLIDAIRE_PUBLIC_PAGE_SECONDS


def is_anonymous_read(request) -> bool:
    """A GET or HEAD with neither session nor pending message: a page anyone could be shown."""
    if request.method not in ("GET", "HEAD") or seconds() <= 0:
        return False
    if getattr(request, "tenant", None) is None or is_private_path(request.path_info):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in PERSONAL_COOKIES)


def key_for(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    gzip = "gz" if "gzip" in request.headers.get("Accept-Encoding", "") else "id"
    host = request.get_host().lower()
    return f"solidaire:page:{request.tenant.pk}:{host}:{get_language()}:{gzip}:{path}"


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    cache_control = response.get("Cache-Control", "")
    return "no-store" not in cache_control and "private" not in cache_control


def _entry(request, response) -> dict:
    content = response.content
    with_token = False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies:
        content, replaced = _TOKEN.subn(rb"\1" + TOKEN_PLACEHOLDER + rb"\3", content)
        with_token = True
        if not replaced:  # the page set the CSRF cookie without showing a token: nothing to put back
            with_token = False
    return {
        "status": response.status_code,
        "content": content,
        "headers": {name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
        "with_token": with_token,
        "etag": quote_etag(hashlib.sha256(content).hexdigest()[:32]),
        "stored_at": http_date(),
    }


def _public_headers(response, entry) -> None:
    if entry["with_token"]:
        patch_cache_control(response, private=True, max_age=0)
        return
    patch_cache_control(response, public=True, max_age=seconds())
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["stored_at"]


def _served(request, entry):
    if not entry["with_token"] and entry["etag"] in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        _public_headers(response, entry)
        return response
    content = entry["content"]
    if entry["with_token"]:
        content = content.replace(TOKEN_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"].items():
        response[name] = value
    _public_headers(response, entry)
    patch_vary_headers(response, ("Cookie", "Accept-Language", "Accept-Encoding"))
    return response


def public_page(view):
    """Serves the view's answer from the shared cache to anonymous visitors (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_anonymous_read(request):
            return view(request, *args, **kwargs)
        key = key_for(request)
        entry = cache.get(key)
        if entry is not None:
            return _served(request, entry)
        response = view(request, *args, **kwargs)
        if _storable(request, response):
            entry = _entry(request, response)
            cache.set(key, entry, timeout=seconds())
            _public_headers(response, entry)
            patch_vary_headers(response, ("Cookie", "Accept-Language", "Accept-Encoding"))
        return response

    wrapped.public_page = True
    return wrapped
