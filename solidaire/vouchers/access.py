from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from solidaire.beneficiaries.models import Establishment, Registration

from .models import Voucher


def get_establishment_for_counter(request, pk: int) -> Establishment:
    """An establishment of the request's collectivité whose counter the person may use: its
    owner or its staff. Others get a 404 (they learn nothing about it)."""
    establishment = (
        Establishment.objects.select_related("commune", "owner").filter(pk=pk, collectivite=request.tenant).first()
    )
    if establishment is None or not request.user.is_authenticated:
        raise Http404
    if establishment.owner_id != request.user.pk and not establishment.staff.filter(user=request.user).exists():
        raise Http404
    return establishment


def get_registration_for_owner_offer(request, pk: int) -> Registration:
    try:
        return Registration.objects.select_related("campaign", "establishment").get(
            pk=pk, establishment__owner=request.user, campaign__collectivite=request.tenant
        )
    except Registration.DoesNotExist as exc:
        raise Http404 from exc


def get_voucher_at_counter(establishment, voucher_id) -> Voucher:
    voucher = Voucher.objects.select_related("registration__establishment").filter(pk=voucher_id).first()
    if voucher is None:
        raise Http404
    return voucher


def get_voucher_for_donor(request, voucher_id) -> Voucher:
    voucher = (
        Voucher.objects.select_related("registration__establishment__commune", "registration__campaign", "gift")
        .filter(pk=voucher_id, collectivite=request.tenant)
        .first()
    )
    if voucher is None or not voucher.check_token(request.GET.get("t", "")):
        raise Http404
    return voucher


def require_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def forbid():
    raise PermissionDenied
