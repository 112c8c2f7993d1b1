from django.core.paginator import Paginator
from django.shortcuts import render

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability

from .events import ACTION_LABELS
from .models import AuditEvent


@team_view(Capability.VIEW_AUDIT)
def audit_log(request):
    events = AuditEvent.objects.filter(collectivite=request.tenant)
    action = request.GET.get("action", "")
    if action in ACTION_LABELS:
        events = events.filter(action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "labels": ACTION_LABELS,
            "action": action,
        },
    )
