"""How views reach establishments and registrations: always through the request's collectivité,
and through ownership (owners) or a capability (team)."""

from allauth.account.models import EmailAddress
from django.http import Http404

from solidaire.accounts.access import require_capability
from solidaire.accounts.roles import Capability

from .models import Establishment, Registration, RegistrationStatus


def has_verified_email(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def get_establishment_for_owner(request, pk: int) -> Establishment:
    try:
        return Establishment.objects.select_related("commune", "collectivite").get(
            pk=pk, owner=request.user, collectivite=request.tenant
        )
    except Establishment.DoesNotExist as exc:
        raise Http404 from exc


def get_registration_for_owner(request, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("campaign", "establishment__commune").get(
            pk=pk, establishment__owner=request.user, campaign__collectivite=request.tenant
        )
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def get_registration_for_moderator(request, pk: int) -> Registration:
    require_capability(request, Capability.MODERATE)
    try:
        return Registration.objects.select_related(
            "campaign", "establishment__commune__departement", "establishment__owner", "decided_by"
        ).get(pk=pk, campaign__collectivite=request.tenant)
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def get_establishment_for_team(request, pk: int, capability: Capability) -> Establishment:
    """An establishment of the request's collectivité, for a team member with `capability`
    (moderators review its changes; admins set up how it is paid)."""
    require_capability(request, capability)
    try:
        return Establishment.objects.select_related("commune", "owner").get(pk=pk, collectivite=request.tenant)
    except Establishment.DoesNotExist as exc:
        raise Http404 from exc


def get_establishment_for_moderator(request, pk: int) -> Establishment:
    return get_establishment_for_team(request, pk, Capability.MODERATE)


def get_public_registration(campaign, establishment_pk: int) -> Registration:
    try:
        return Registration.objects.select_related("establishment__commune__departement").get(
            campaign=campaign, establishment_id=establishment_pk, status=RegistrationStatus.APPROVED
        )
    except Registration.DoesNotExist as exc:
        raise Http404 from exc
