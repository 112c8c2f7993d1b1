from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from solidaire.core.emails import enqueue, message_dict, reply_to_for, sender, sign
from solidaire.core.redirects import is_safe
from solidaire.tenants.resolution import tenant_url


def site_of(request) -> SimpleNamespace:
    """What allauth's templates call `current_site`: the collectivité of the request (its name,
    its site's host), or the platform on a host without one."""
    collectivite = getattr(request, "tenant", None) if request is not None else None
    if collectivite is None:
        host = request.get_host() if request is not None else ""
        return SimpleNamespace(name=settings.SOLIDAIRE_PLATFORM_NAME, domain=host)
    return SimpleNamespace(name=collectivite.name, domain=urlsplit(tenant_url(collectivite, "/", request)).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails (verification, password reset) go through the task queue like ours, on
    behalf of the collectivité of the site they were asked from; its `next` addresses stay on
    the site (solidaire.core.redirects)."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        collectivite = getattr(request, "tenant", None)
        context = {
            "request": request,
            "email": email,
            "current_site": site_of(request),
            "collectivite": collectivite,
            "platform_name": settings.SOLIDAIRE_PLATFORM_NAME,
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        message.from_email = sender(collectivite)
        message.reply_to = reply_to_for(collectivite)
        message.body = sign(message.body, collectivite)
        enqueue(message_dict(message))

    def is_safe_url(self, url):
        return is_safe(allauth_context.request, url)

    def save_user(self, request, user, form, commit=True):
        user.language = (translation.get_language() or "fr")[:2]
        return super().save_user(request, user, form, commit=commit)
