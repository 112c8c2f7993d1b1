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


# What each capability lets a person do, as the team page tells it: one line per page of the
# product, named by its URL. A role's description is the lines of its capabilities, so it says
# only what the product does and what the role may open; tests/accounts/test_roles_page.py opens
# each page as each role. A capability that arrives (dashboards, exports, mutual aid) adds its
# lines here with its pages.
CAPABILITY_PAGES: dict[Capability, tuple[tuple[str, str], ...]] = {
    Capability.VIEW_DASHBOARD: (
        ("campaigns:manage_home", _("See the campaigns, their rules and the public budget they have used.")),
        ("vouchers:outstanding", _("See what establishments still owe donors in vouchers.")),
        (
            "reporting:summary",
            _(
                "Open the dashboards: gifts, public match used and left, figures per territory and the forecast "
                "of when the budget runs out; download them."
            ),
        ),
        (
            "exports:home",
            _(
                "Export the gifts, the totals per beneficiary, the figures per day and the vouchers outstanding "
                "as CSV or Excel."
            ),
        ),
    ),
    Capability.MANAGE_CAMPAIGNS: (
        ("campaigns:manage_create", _("Create, change, publish, close and reopen campaigns.")),
    ),
    Capability.MODERATE: (
        (
            "beneficiaries:moderation_queue",
            _("Approve or reject the registrations of establishments, or ask for changes; hold back their payments."),
        ),
        ("beneficiaries:changes_queue", _("Review the changes owners make to their establishment’s page.")),
        ("vouchers:offers_queue", _("Approve or reject the counterparts establishments offer.")),
        ("mutualaid:moderation", _("Approve or reject the mutual-aid posts waiting for review.")),
        (
            "mutualaid:follow_up",
            _("Follow up the requests for help nobody answered; note what was done, write to their authors."),
        ),
        ("mutualaid:announcements", _("Publish announcements to the mutual-aid network and send them by e-mail.")),
    ),
    Capability.FINANCE: (
        ("donations:finance_gifts", _("Follow the gifts; refund them, in whole or in part; follow disputes.")),
        (
            "payouts:home",
            _(
                "Prepare payout batches, approve a batch someone else prepared, download its SEPA file and "
                "its statement for the public accountant."
            ),
        ),
        ("payouts:statements", _("Import the bank’s statements to mark payments paid.")),
        ("payouts:account", _("Set the bank account the payouts leave from.")),
        ("payments:notifications_log", _("Read the notifications of the payment provider.")),
        (
            "exports:home",
            _("Export the gifts with the donors’ e-mail addresses; each such export is written to the audit log."),
        ),
    ),
    Capability.MANAGE_BRANDING: (
        ("tenants:branding", _("Set the collectivité’s logo, colour, contact, sender of e-mails and public pages.")),
        ("payments:settings", _("Choose the payment provider and its settings.")),
        ("mutualaid:manage", _("Switch the mutual-aid network on or off, set its rules and edit its categories.")),
    ),
    Capability.MANAGE_TEAM: (("accounts:team", _("Invite people to the team and change or remove their roles.")),),
    Capability.VIEW_AUDIT: (("audit:log", _("Read the audit log and export it.")),),
}


def role_pages(role: str) -> list[tuple[str, str]]:
    """(URL name, what it lets one do) of each page of the role's capabilities, in a fixed order."""
    capabilities = capabilities_of(role)
    return [line for capability, lines in CAPABILITY_PAGES.items() if capability in capabilities for line in lines]
