"""The only way a view reaches a collectivité’s back office: by the request's tenant and the
person's role in it. Anything else is a 403 (or the login page for anonymous visitors)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership
from .roles import Capability, capabilities_of

_UNSET = object()


def membership_for(request) -> Membership | None:
    """The person's membership in the request's collectivité (cached on the request)."""
    cached = getattr(request, "_solidaire_membership", _UNSET)
    if cached is not _UNSET:
        return cached
    membership = None
    tenant = getattr(request, "tenant", None)
    if tenant is not None and request.user.is_authenticated and request.user.is_active:
        membership = Membership.objects.filter(user=request.user, collectivite=tenant).first()
    request._solidaire_membership = membership
    return membership


def capabilities_for(request) -> frozenset[Capability]:
    membership = membership_for(request)
    return capabilities_of(membership.role if membership else None)


def has_capability(request, capability: Capability) -> bool:
    return capability in capabilities_for(request)


def require_capability(request, capability: Capability) -> Membership:
    if getattr(request, "tenant", None) is None:
        raise Http404
    if not has_capability(request, capability):
        raise PermissionDenied
    return membership_for(request)


def team_view(capability: Capability):
    """Decorator for back-office views: anonymous → login page, lacking capability → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_capability(request, capability)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_membership_for_admin(request, pk: int) -> Membership:
    """A team membership of the request's collectivité, for someone allowed to manage the team."""
    require_capability(request, Capability.MANAGE_TEAM)
    try:
        return Membership.objects.select_related("user").get(pk=pk, collectivite=request.tenant)
    except Membership.DoesNotExist as exc:
        raise Http404 from exc


def get_invitation_for_admin(request, pk: int):
    from .models import Invitation

    require_capability(request, Capability.MANAGE_TEAM)
    try:
        return Invitation.objects.get(pk=pk, collectivite=request.tenant)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc
