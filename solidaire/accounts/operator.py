"""The platform operator’s back office (/operator/, Django's admin site), served on
SOLIDAIRE_OPERATOR_HOST only (solidaire.tenants.middleware).

Nobody signs in through the admin's own form: its login sends to the account pages (allauth),
rate-limited like every sign-in and asking for the second factor of those who have one. A
superuser opens the back office only in a session signed in with two-factor authentication:
without an authenticator app, they are sent to set one up; with one, to enter a code."""

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..core.redirects import safe_next
from .mfa import has_two_factor


def signed_in_with_two_factor(request) -> bool:
    """Whether this session's sign-in used the second factor (allauth records each step)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def lacks_second_factor(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_superuser) and not signed_in_with_two_factor(request)


class OperatorSite(admin.AdminSite):
    site_header = gettext_lazy("Solidaire — platform operator")
    site_title = gettext_lazy("Solidaire operator")

    def has_permission(self, request):
        return super().has_permission(request) and not lacks_second_factor(request)

    def login(self, request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and lacks_second_factor(request):
            after = safe_next(request, reverse("admin:index", current_app=self.name))
            if has_two_factor(user):
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': after})}")
            messages.warning(request, _("Switch on two-factor authentication to open the operator’s back office."))
            return redirect("mfa_activate_totp")
        return secure_admin_login(super().login)(request, extra_context)
