from django.conf import settings

from solidaire.accounts.access import capabilities_for, membership_for


def platform(request):
    membership = membership_for(request) if hasattr(request, "user") else None
    return {
        "platform_name": settings.SOLIDAIRE_PLATFORM_NAME,
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "capabilities": {c.value for c in capabilities_for(request)} if hasattr(request, "user") else set(),
    }
