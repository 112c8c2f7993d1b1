"""Public pages from a shared cache for anonymous visitors (issue 13, docs/adr/0025).

`@public_page` marks the answers of the public pages; `PublicPageCache`, the first middleware,
keeps a marked answer whole (headers included, as the other middleware wrote them) for
SOLIDAIRE_PUBLIC_PAGE_SECONDS in the default cache — Redis in production, so every web process
shares it — under the host, the language, the URL (with its query) and whether the client takes
gzip, and answers the next anonymous visitors with it before anything else runs. A request that
has a session or a message waiting, or that is no GET or HEAD, never reads nor fills it; an
answer is kept only when it is a 200 that sets no cookie but the CSRF one and changed no session.

A page with a form carries a CSRF token, which is each visitor's: the kept copy holds a
placeholder where the token was, and each visitor gets a token of their own put back, with the
CSRF cookie, as Django's CsrfViewMiddleware would have given them. Those answers say
`Cache-Control: private`; the others, `public, max-age` with an ETag and a Last-Modified date, so
that a reverse proxy or a CDN may keep them too (deploy/nginx.conf).

An answer served from the copy gets a request id of its own (the copy keeps none) and is counted
under the view that made the page (core.observability.observe, docs/adr/0027).

Each process also keeps the answers it read last in memory until the moment they expire in the
shared cache (never longer): a page read a thousand times a second costs one trip to Redis per
process and lifetime, not a thousand."""

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware import csrf
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

from solidaire.core.middleware import RedirectToPreferredLanguage, is_private_path
from solidaire.core.observability import HEADER as REQUEST_ID_HEADER
from solidaire.core.observability import observe, route_name

TOKEN_PLACEHOLDER = b"__SOLIDAIRE_CSRF_TOKEN__"
# How templates write the token: {% csrf_token %}'s hidden input.
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
# Cookies that mean a page may be the visitor's own.
PERSONAL_COOKIES = ("messages",)
VARY = ("Cookie", "Accept-Language", "Accept-Encoding")
# Answers each process keeps in memory (the most read pages); beyond, it starts again.
LOCAL_ENTRIES = 512
_local: dict[str, dict] = {}


def seconds() -> int:
    return settings.SOLIDAIRE_PUBLIC_PAGE_SECONDS


def is_anonymous_read(request) -> bool:
    """A GET or HEAD with neither session nor pending message: a page anyone could be shown."""
    if request.method not in ("GET", "HEAD") or seconds() <= 0:
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in PERSONAL_COOKIES)


def language_of(request) -> str:
    """The language the page will be in, known before LocaleMiddleware runs: the URL's prefix,
    else the visitor's cookie or wish (RedirectToPreferredLanguage sends those elsewhere first
    on a page, and the API answers in it)."""
    return translation.get_language_from_path(request.path_info) or RedirectToPreferredLanguage.wished_language(request)


def key_for(request, language: str) -> str:
    """Host, scheme, language, compression, and whether the request is a cross-origin one (the
    API's answer to those carries Access-Control-Allow-Origin, added only when Origin is sent)."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    gzip = "gz" if "gzip" in request.headers.get("Accept-Encoding", "") else "id"
    origin = "o" if "Origin" in request.headers else "-"
    return f"solidaire:page:{request.scheme}:{request.get_host().lower()}:{language}:{gzip}{origin}:{path}"


# The view's side -----------------------------------------------------------------------------


def _storable(request, response) -> bool:
    if getattr(request, "tenant", None) is None or is_private_path(request.path_info):
        return False
    if response.status_code != 200 or response.streaming:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    cache_control = response.get("Cache-Control", "")
    return "no-store" not in cache_control and "private" not in cache_control


def public_page(view):
    """Marks the view's answers to anonymous visitors for PublicPageCache (see the module)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        key = getattr(request, "_solidaire_page_key", None)
        if key is None or not _storable(request, response) or key != key_for(request, translation.get_language()):
            return response
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and _TOKEN.search(response.content):
            patch_cache_control(response, private=True, max_age=0)
            response.solidaire_page_token = True
        else:
            patch_cache_control(response, public=True, max_age=seconds())
            response["ETag"] = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
            response["Last-Modified"] = http_date()
            response.solidaire_page_token = False
        patch_vary_headers(response, VARY)
        response.solidaire_page_key = key
        return response

    wrapped.public_page = True
    return wrapped


# The middleware's side ------------------------------------------------------------------------


class PublicPageCache:
    """The first middleware: answers an anonymous GET or HEAD with the whole answer kept for it,
    before anything else runs; keeps the answers `public_page` marked, as they leave."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_anonymous_read(request):
            return self.get_response(request)
        key = key_for(request, language_of(request))
        kept = _read(key)
        if kept is not None:
            # Its own request id, counted under the view that made the page (core.observability).
            return observe(request, lambda request: _served(request, kept), view=kept.get("view"))
        request._solidaire_page_key = key
        response = self.get_response(request)
        if (
            request.method == "GET"
            and getattr(response, "solidaire_page_key", None) == key
            and all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)
        ):
            _keep(key, response, view=route_name(request))
        return response


def _read(key: str) -> dict | None:
    now = time.time()
    kept = _local.get(key)
    if kept is not None and kept["expires"] > now:
        return kept
    kept = cache.get(key)
    if kept is not None and kept["expires"] > now:
        if len(_local) >= LOCAL_ENTRIES:
            _local.clear()
        _local[key] = kept
        return kept
    return None


def _keep(key: str, response, view: str) -> None:
    content = response.content
    if response.solidaire_page_token:
        content = _TOKEN.sub(rb"\1" + TOKEN_PLACEHOLDER + rb"\3", content)
    kept = {
        "status": response.status_code,
        "content": content,
        # Not the request id: each visitor's answer gets its own.
        "headers": [(name, value) for name, value in response.items() if name != REQUEST_ID_HEADER],
        "token": response.solidaire_page_token,
        "view": view,
        "expires": time.time() + seconds(),
    }
    cache.set(key, kept, timeout=seconds())


def _served(request, kept: dict):
    headers = dict(kept["headers"])
    etag = headers.get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary", "Last-Modified"):
            if name in headers:
                response[name] = headers[name]
        return response
    content = kept["content"]
    response = HttpResponse(status=kept["status"])
    if kept["token"]:
        content = content.replace(TOKEN_PLACEHOLDER, _csrf_token(request, response).encode())
    response.content = content
    for name, value in kept["headers"]:
        response[name] = value
    return response


def _csrf_token(request, response) -> str:
    """A token for this visitor, as CsrfViewMiddleware gives one: masked from the secret of their
    CSRF cookie (a new secret when they have none or a malformed one), the cookie set again.
    django.middleware.csrf's own helpers, so that the middleware accepts the token later."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) != csrf.CSRF_SECRET_LENGTH or not secret.isalnum():
        secret = csrf._get_new_csrf_string()
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    return csrf._mask_cipher_secret(secret)
