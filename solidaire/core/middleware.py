"""Requests refused, or sent elsewhere, before any view reads them."""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

API_PREFIX = "/api/"
FORM_TYPE = "application/x-www-form-urlencoded"


class RefuseNullCharacters:
    """A NUL character in a query parameter or a form value is never something a person typed:
    PostgreSQL refuses to store or even compare it (a server error wherever a view passes a
    parameter to a query). Answered 400, whatever the view. JSON bodies are the API's to refuse
    (its Text type); multipart forms' fields go through Django's form fields, which refuse it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):  # the API answers in JSON, naming the field
            return self.get_response(request)
        if request.content_type == FORM_TYPE:
            request.body  # noqa: B018 - read first, so that a view may still read the raw body after
        if _has_nul(request.GET) or (request.content_type == FORM_TYPE and _has_nul(request.POST)):
            return HttpResponseBadRequest("Null characters are not allowed.", content_type="text/plain")
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


# Pages that machines read under a fixed address, whatever their language.
NEVER_REDIRECTED_VIEWS = frozenset({"payments:notifications"})
ROBOT_AGENT = re.compile(r"bot|crawl|spider|slurp", re.IGNORECASE)


class RedirectToPreferredLanguage:
    """A visit to an unprefixed (French) page from a browser that asks for English or German goes
    to the same page under /en/ or /de/: one 302, varying on Accept-Language and Cookie. The
    visitor's own choice, the language cookie that the language switcher sets, wins over the
    browser's wish (French stays French, German goes to /de/). Robots and browsers that send no
    Accept-Language see French. Only pages are concerned (GET or HEAD of a URL under
    i18n_patterns): never a form's POST, the API, the probes, the notification inbox or a file."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.probe = next((code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE), None)

    def __call__(self, request):
        if not self._is_unprefixed_page(request):
            return self.get_response(request)
        language = self.wished_language(request)
        if language == settings.LANGUAGE_CODE:
            response = self.get_response(request)
        else:
            prefix = get_script_prefix()
            response = HttpResponseRedirect(request.get_full_path().replace(prefix, f"{prefix}{language}/", 1))
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def _is_unprefixed_page(self, request) -> bool:
        if request.method not in ("GET", "HEAD") or self.probe is None:
            return False
        if translation.get_language_from_path(request.path_info):
            return False
        # A page under i18n_patterns also answers with a language prefix; the others do not.
        with translation.override(self.probe):
            try:
                match = resolve(f"/{self.probe}{request.path_info}", getattr(request, "urlconf", None))
            except Resolver404:
                return False
        return match.view_name not in NEVER_REDIRECTED_VIEWS

    @staticmethod
    def wished_language(request) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES) and ROBOT_AGENT.search(request.headers.get("User-Agent", "")):
            return settings.LANGUAGE_CODE
        # The cookie first, then Accept-Language, then the site’s language.
        return translation.get_language_from_request(request)


# Where the private pages live, after the language prefix: the back office, the operator’s admin,
# the owner's space, the accounts, an invitation (to a team or a counter), a gift (its page and
# the API's), a voucher, the sandbox's checkout, a mutual-aid member's posts, form, conversations,
# reports, blocks and choice of announcements (with its unsubscribe link).
PRIVATE_PREFIXES = (
    "/gestion/",
    "/operator/",
    "/mon-espace/",
    "/mon-compte/",
    "/comptes/",
    "/invitation/",
    "/invitation-caisse/",
    "/dons/",
    "/api/v1/gifts/",
    "/bons/",
    "/sandbox/",
    "/entraide/publier/",
    "/entraide/mes-annonces/",
    "/entraide/conversations/",
    "/entraide/signaler/",
    "/entraide/bloquer/",
    "/entraide/preferences-annonces/",
    "/entraide/alertes/",
)


class PrivatePagesNotStored:
    """Pages that show one person's or one team's data are not kept by the browser or any cache
    on the way (`Cache-Control: no-store`): the back button on a shared computer, after signing
    out, shows nothing. Decided here by the page's address, for every view under these prefixes,
    whatever it answers, and for the answer to any form sent (what the person typed may be in it);
    public pages keep their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or is_private_path(request.path_info):
            add_never_cache_headers(response)
        return response


def is_private_path(path: str) -> bool:
    language = translation.get_language_from_path(path)
    if language and path.startswith(f"/{language}/"):
        path = path[len(language) + 1 :]
    return path.startswith(PRIVATE_PREFIXES)


class ReportingEndpoints:
    """Names, on every response, the endpoint the Content-Security-Policy's `report-to csp`
    sends its reports to (the Reporting API): SOLIDAIRE_CSP_REPORT_URL, read relative to the
    page, so each host reports to itself (ADR 0015)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Reporting-Endpoints", f'csp="{settings.SOLIDAIRE_CSP_REPORT_URL}"')
        return response
