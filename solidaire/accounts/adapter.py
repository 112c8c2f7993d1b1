from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_next_redirect_url
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from solidaire.core.emails import enqueue, message_dict, reply_to_for, sender, sign
from solidaire.core.ratelimits import client_address, client_network, folded_email, mailbox_allows
from solidaire.core.redirects import is_safe
from solidaire.tenants.resolution import operator_url, tenant_url

from . import invitations

REDIRECT_FIELD_NAME = "next"


def canonical_origin(request) -> str:
    """Where the links of an e-mail asked for through this request point: the collectivité’s
    canonical address, or the operator’s host (the only other host with account pages)."""
    collectivite = getattr(request, "tenant", None) if request is not None else None
    if collectivite is not None:
        return tenant_url(collectivite, "", request)
    return operator_url("", request)


def site_of(request) -> SimpleNamespace:
    """What allauth's templates call `current_site`: the collectivité of the request (its name,
    its site’s host), or the platform on the operator’s host."""
    collectivite = getattr(request, "tenant", None) if request is not None else None
    name = collectivite.name if collectivite is not None else settings.SOLIDAIRE_PLATFORM_NAME
    return SimpleNamespace(name=name, domain=urlsplit(canonical_origin(request)).netloc)


def canonical_links(context: dict, request) -> dict:
    """allauth builds the links of its e-mails (reset, confirmation, sign-up) from the request's
    host, which the client chooses: each becomes the same path on the canonical address."""
    if request is None:
        return context
    asked, canonical = request.build_absolute_uri("/")[:-1], canonical_origin(request)
    return {
        name: canonical + value[len(asked) :] if isinstance(value, str) and value.startswith(asked + "/") else value
        for name, value in context.items()
    }


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (verification, password reset) go through the task queue like ours, on
    behalf of the collectivité of the site they were asked from, their links on its canonical
    address; its `next` addresses stay on the site (solidaire.core.redirects).

    Failed sign-ins are counted per client address and per (address, account), never per account
    alone (settings.ACCOUNT_RATE_LIMITS["login_failed"]): strangers failing to sign in as
    someone cannot lock them out of their account. Verification e-mails are limited per mailbox
    (send_confirmation_mail), sign-ups and password resets too (accounts.forms)."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        collectivite = getattr(request, "tenant", None)
        context = {
            "request": request,
            "email": email,
            "current_site": site_of(request),
            "collectivite": collectivite,
            "platform_name": settings.SOLIDAIRE_PLATFORM_NAME,
            **canonical_links(context, request),
        }
        message = self.render_mail(template_prefix, email, context)
        message.from_email = sender(collectivite)
        message.reply_to = reply_to_for(collectivite)
        message.body = sign(message.body, collectivite)
        enqueue(message_dict(message))

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        """Verification e-mails (at sign-up, at sign-in with an unverified address, asked again
        from the account's addresses) are limited per mailbox, however its address is written
        (settings.ACCOUNT_RATE_LIMITS["confirm_email_mailbox"]); allauth's own "confirm_email"
        limit counts each spelling apart. Over the limit nothing is sent and nothing is said: the
        links already sent still work (verification is by link, not by code)."""
        email = emailconfirmation.email_address.email
        if mailbox_allows(request or allauth_context.request, "confirm_email_mailbox", email):
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def is_safe_url(self, url):
        return is_safe(allauth_context.request, url)

    # Where people go after signing up, verifying their address and signing in: where they were
    # going — the sign-up's `next`, else the invitation they were looking at (accounts.invitations)
    # — even when they open the verification e-mail in another browser.

    def get_email_confirmation_url(self, request, emailconfirmation):
        url = super().get_email_confirmation_url(request, emailconfirmation)
        going = (get_next_redirect_url(request) or invitations.remembered(request)) if request is not None else None
        return f"{url}?{urlencode({REDIRECT_FIELD_NAME: going}, safe='/')}" if going else url

    def get_email_verification_redirect_url(self, email_address):
        return invitations.remembered(self.request) or super().get_email_verification_redirect_url(email_address)

    def get_login_redirect_url(self, request):
        return invitations.remembered(request, forget=True) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return invitations.remembered(request, forget=True) or super().get_signup_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        user.language = (translation.get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        """The address the other rate limits see (SOLIDAIRE_CLIENT_IP_HEADER)."""
        return client_address(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's "key" of the login_failed limit (its default: the account alone). Here: this
        # address (an IPv6 /64 network) trying this account, however its e-mail address is written.
        login = credentials.get("email", credentials.get("username", ""))
        return f"{client_network(request)}|{folded_email(login)}"
