"""{% retention_periods %}: the periods a collectivité’s privacy page states, from the settings
and the collectivité’s own donor period."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("privacy/periods.html", takes_context=True)
def retention_periods(context):
    tenant = context.get("tenant")
    return {
        "tenant": tenant,
        "donor_years": tenant.donor_retention_years if tenant is not None else 3,
        "notification_days": settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS,
        "audit_years": settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS,
        "link_minutes": settings.SOLIDAIRE_PRIVACY_LINK_MINUTES,
        "session_days": settings.SESSION_COOKIE_AGE // 86400,
        "request": context.get("request"),
    }
