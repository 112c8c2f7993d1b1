"""Two-factor authentication (allauth's MFA: an authenticator app's codes, with recovery codes):
what approving or exporting payments requires of admins and finance officers."""

from allauth.mfa.models import Authenticator

from .roles import Role

# The roles that handle money and must switch it on.
ROLES = (Role.ADMIN, Role.FINANCE)


def has_two_factor(user) -> bool:
    return bool(user and user.is_authenticated) and Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


def asks_for_two_factor(membership) -> bool:
    """Whether the back office should ask this person to switch it on (a banner)."""
    return membership is not None and membership.role in ROLES and not has_two_factor(membership.user)
