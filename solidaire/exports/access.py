"""How views reach exports: the request's collectivité, its requester only, and the capability
its kind needs (someone who lost the role no longer downloads). Anything else is a 404."""

from django.http import Http404

from solidaire.accounts.access import capabilities_for, require_capability
from solidaire.accounts.roles import Capability

from .actions import KIND_CAPABILITY
from .models import Export


def my_exports(request):
    """The person's exports in the request's collectivité, newest first."""
    require_capability(request, Capability.VIEW_DASHBOARD)
    return Export.objects.filter(collectivite=request.tenant, requested_by=request.user).select_related("campaign")


def get_export_for_requester(request, pk: int) -> Export:
    export = my_exports(request).filter(pk=pk).first()
    if export is None or KIND_CAPABILITY[export.kind] not in capabilities_for(request):
        raise Http404
    return export
