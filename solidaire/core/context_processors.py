from django.conf import settings

from solidaire.accounts.access import capabilities_for, membership_for
from solidaire.accounts.mfa import asks_for_two_factor


def platform(request):
    membership = membership_for(request) if hasattr(request, "user") else None
    return {
        "platform_name": settings.SOLIDAIRE_PLATFORM_NAME,
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        # A callable: the template asks (one query) only on the back-office pages that show it.
        "asks_for_two_factor": lambda: asks_for_two_factor(membership),
        "capabilities": {c.value for c in capabilities_for(request)} if hasattr(request, "user") else set(),
    }
