"""Two-factor authentication (allauth's MFA: an authenticator app’s codes, with recovery codes):
what approving or exporting payments requires of admins and finance officers."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from .roles import Role

# The roles that handle money and must switch it on.
ROLES = (Role.ADMIN, Role.FINANCE)


def has_two_factor(user) -> bool:
    return (
        bool(user and user.is_authenticated)
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def asks_for_two_factor(membership) -> bool:
    """Whether the back office should ask this person to switch it on (a banner)."""
    return membership is not None and membership.role in ROLES and not has_two_factor(membership.user)


def verify_code(user, code: str) -> bool:
    """A current code of the person's authenticator app (each code once), for what they approve
    outside a browser session (the command line)."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return authenticator is not None and TOTP(authenticator).validate_code((code or "").strip())
