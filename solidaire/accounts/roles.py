"""Per-collectivité roles and what each one may do. Views ask for a capability, never a role."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MODERATOR = "moderator", _("Moderator")
    FINANCE = "finance", _("Finance officer")
    VIEWER = "viewer", _("Viewer")


class Capability(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    MANAGE_TEAM = "manage_team"
    MANAGE_BRANDING = "manage_branding"
    VIEW_AUDIT = "view_audit"
    MODERATE = "moderate"
    FINANCE = "finance"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.MODERATOR: frozenset({Capability.VIEW_DASHBOARD, Capability.MODERATE}),
    Role.FINANCE: frozenset({Capability.VIEW_DASHBOARD, Capability.FINANCE}),
    Role.VIEWER: frozenset({Capability.VIEW_DASHBOARD}),
}


def capabilities_of(role: str | None) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get(role, frozenset())
