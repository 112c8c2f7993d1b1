"""The look-ups the public pages of transparency and open data use: the request's collectivité’s
published and closed campaigns only (drafts and other collectivités' campaigns: 404)."""

from solidaire.campaigns.access import get_public_campaign
from solidaire.campaigns.models import Campaign

__all__ = ["get_public_campaign", "public_campaigns"]


def public_campaigns(request):
    """The collectivité’s published and closed campaigns, newest first."""
    return (
        Campaign.objects.for_tenant(request.tenant)
        .public()
        .select_related("collectivite")
        .order_by("-starts_at", "title")
    )
