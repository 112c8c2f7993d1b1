from django.http import Http404

from solidaire.accounts.access import require_capability

from .models import Campaign


def get_public_campaign(request, slug: str) -> Campaign:
    """A published or closed campaign of the request's collectivité."""
    try:
        return Campaign.objects.public().select_related("collectivite").get(collectivite=request.tenant, slug=slug)
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc


def get_campaign_for_team(request, slug: str, capability) -> Campaign:
    """Any campaign of the request's collectivité, for a team member with `capability`."""
    require_capability(request, capability)
    try:
        return Campaign.objects.select_related("collectivite").get(collectivite=request.tenant, slug=slug)
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc
