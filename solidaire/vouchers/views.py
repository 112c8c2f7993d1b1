"""The counter (owner and staff), the owner's offer, the donor’s private voucher page, the
moderators' queue of offers and the collectivité’s view of what shops still owe in goods."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from solidaire.accounts import invitations
from solidaire.accounts.access import require_capability, team_view
from solidaire.accounts.roles import Capability
from solidaire.beneficiaries.models import Registration
from solidaire.core.converters import parse_id
from solidaire.core.errors import ActionError

from . import actions, codes, documents
from .access import get_establishment_for_counter, get_registration_for_owner_offer, get_voucher_for_donor
from .forms import LookupForm, OfferDecisionForm, OfferForm, RedeemForm, StaffForm
from .models import Offer, OfferStatus, Redemption, Staff, StaffInvitation, Voucher, VoucherStatus

LOOKUPS_PER_MINUTE = "30/m"


# The counter -------------------------------------------------------------------------------------


def _recent(establishment):
    return Redemption.objects.filter(voucher__registration__establishment=establishment).select_related(
        "voucher", "by", "undone_by"
    )[:20]


@never_cache
@login_required
def counter(request, pk: int):
    establishment = get_establishment_for_counter(request, pk)
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_ratelimited(
            request, group="voucher-lookup", key="user", rate=LOOKUPS_PER_MINUTE, method="POST", increment=True
        ):
            form.add_error("code", _("Too many attempts: wait a minute."))
        else:
            try:
                code = codes.normalise(form.cleaned_data["code"])
            except codes.InvalidCode:
                form.add_error("code", _("This code is not valid: check each character."))
            else:
                voucher = Voucher.objects.filter(code=code, registration__establishment=establishment).first()
                if voucher is None:
                    form.add_error("code", _("No voucher of this establishment has this code."))
                else:
                    return redirect("vouchers:counter_voucher", pk=establishment.pk, voucher_id=voucher.pk)
    return render(
        request,
        "vouchers/counter.html",
        {
            "establishment": establishment,
            "form": form,
            "recent": _recent(establishment),
            "undo_minutes": actions.UNDO_MINUTES,
            "now": timezone.now(),
        },
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def counter_voucher(request, pk: int, voucher_id):
    establishment = get_establishment_for_counter(request, pk)
    voucher = Voucher.objects.filter(pk=voucher_id, registration__establishment=establishment).first()
    if voucher is None:
        raise Http404
    form = RedeemForm(request.POST or None, initial={"key": secrets.token_hex(16)})
    if request.method == "POST" and form.is_valid():
        try:
            redemption = actions.redeem(
                voucher=voucher,
                establishment=establishment,
                amount_cents=form.cleaned_data["amount"],
                actor=request.user,
                key=form.cleaned_data["key"],
            )
        except ActionError as exc:
            form.add_error("amount" if exc.field == "amount" else None, exc.message)
        else:
            messages.success(request, _("Voucher redeemed: %(what)s.") % {"what": _describe(redemption)})
            return redirect("vouchers:counter", pk=establishment.pk)
    voucher.refresh_from_db()
    return render(
        request,
        "vouchers/counter_voucher.html",
        {
            "establishment": establishment,
            "voucher": voucher,
            "state": voucher.state(),
            "form": form,
            "display_code": codes.display(voucher.code),
        },
        status=400 if form.errors else 200,
    )


def _describe(redemption) -> str:
    from solidaire.core.money import format_cents

    if redemption.voucher.kind == "item":
        return redemption.voucher.item_label
    return format_cents(redemption.amount_cents)


@require_POST
@login_required
def undo(request, pk: int, redemption_id: int):
    establishment = get_establishment_for_counter(request, pk)
    redemption = Redemption.objects.filter(pk=redemption_id, voucher__registration__establishment=establishment).first()
    if redemption is None:
        raise Http404
    try:
        actions.undo(redemption=redemption, establishment=establishment, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The redemption is undone; the voucher is valid again."))
    return redirect("vouchers:counter", pk=establishment.pk)


@never_cache
def scan(request, payload: str):
    """What the QR code opens. A forged or altered payload is refused before any look-up."""
    try:
        code = codes.verify(payload)
    except codes.InvalidCode:
        return render(request, "vouchers/scan_invalid.html", status=404)
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    voucher = (
        Voucher.objects.select_related("registration__establishment")
        .filter(code=code, collectivite=request.tenant)
        .first()
    )
    if voucher is None:
        return render(request, "vouchers/scan_invalid.html", status=404)
    establishment = voucher.registration.establishment
    if not actions.can_redeem_at(request.user, establishment):
        return render(request, "vouchers/scan_elsewhere.html", status=403)
    return redirect("vouchers:counter_voucher", pk=establishment.pk, voucher_id=voucher.pk)


# Staff -----------------------------------------------------------------------------------------


INVITATIONS_PER_HOUR = "20/h"


def _staff_page(request, establishment, form, status=200):
    return render(
        request,
        "vouchers/staff.html",
        {
            "establishment": establishment,
            "form": form,
            "staff": establishment.staff.select_related("user"),
            "invitations": StaffInvitation.objects.pending().filter(establishment=establishment),
            "may_invite": actions.may_invite_staff(establishment),
        },
        status=status,
    )


@never_cache
@login_required
def staff(request, pk: int):
    """The owner's list of counter staff: remove someone, invite someone by e-mail (they join
    when they accept), cancel an invitation. Whatever the address, an invitation gets the same
    answer: the page tells nothing about who has an account."""
    establishment = get_establishment_for_counter(request, pk)
    if establishment.owner_id != request.user.pk:
        raise PermissionDenied
    form = StaffForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        row = (
            Staff.objects.filter(pk=parse_id(request.POST.get("remove")), establishment=establishment)
            .select_related("user")
            .first()
        )
        if row is not None:
            actions.remove_staff(staff=row, actor=request.user)
            messages.success(request, _("%(email)s can no longer use the counter.") % {"email": row.user.email})
        return redirect("vouchers:staff", pk=establishment.pk)
    if request.method == "POST" and "cancel" in request.POST:
        invitation = StaffInvitation.objects.filter(
            pk=parse_id(request.POST.get("cancel")), establishment=establishment
        ).first()
        if invitation is not None:
            try:
                actions.cancel_staff_invitation(invitation=invitation, actor=request.user)
            except ActionError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Invitation cancelled."))
        return redirect("vouchers:staff", pk=establishment.pk)
    if request.method == "POST" and form.is_valid():
        if is_ratelimited(
            request, group="counter-staff-invite", key="user", rate=INVITATIONS_PER_HOUR, method="POST", increment=True
        ):
            form.add_error("email", _("Too many invitations: wait an hour."))
            return _staff_page(request, establishment, form, status=429)
        try:
            actions.invite_staff(
                establishment=establishment, email=form.cleaned_data["email"], actor=request.user, request=request
            )
        except ActionError as exc:
            if exc.field is None:
                raise PermissionDenied(exc.message) from exc
            form.add_error("email", exc.message)
        else:
            messages.success(
                request,
                _("If %(email)s is the right address, an invitation was sent to it.")
                % {"email": form.cleaned_data["email"].strip().lower()},
            )
            return redirect("vouchers:staff", pk=establishment.pk)
    return _staff_page(request, establishment, form, status=400 if form.errors else 200)


def accept_staff_invitation(request, token: str):
    """Where the invitation's link leads (accounts.invitations.acceptance_page): the invited
    person signs in (or signs up) with the address it was sent to, and accepts. Only on the
    establishment’s own collectivité’s site."""

    def accept(invitation):
        staff = actions.accept_staff_invitation(token=token, user=request.user)
        messages.success(
            request, _("You can now redeem vouchers at %(name)s.") % {"name": staff.establishment.trade_name}
        )
        return redirect("vouchers:counter", pk=staff.establishment_id)

    return invitations.acceptance_page(
        request,
        actions.find_staff_invitation(token),
        token,
        accept=accept,
        template="vouchers/staff_invitation.html",
        invalid_template="vouchers/staff_invitation_invalid.html",
    )


# The owner's offer ------------------------------------------------------------------------------


@login_required
def offer(request, pk: int):
    registration = get_registration_for_owner_offer(request, pk)
    in_force = actions.offer_in_force(registration)
    pending = Offer.objects.filter(registration=registration, status=OfferStatus.PENDING).first()
    form = OfferForm(request.POST or None, instance=_draft(registration, pending or in_force))
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_offer(offer=form.save(commit=False), actor=request.user)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your offer is submitted: it applies once a moderator approves it."))
            return redirect("vouchers:offer", pk=registration.pk)
    return render(
        request,
        "vouchers/offer.html",
        {
            "registration": registration,
            "in_force": in_force,
            "pending": pending,
            "form": form,
            "outstanding": _outstanding(Voucher.objects.filter(registration=registration)),
        },
        status=400 if form.errors else 200,
    )


def _draft(registration, current) -> Offer:
    """A new, unsaved offer starting from the current one (a change is always a new offer)."""
    draft = Offer(registration=registration)
    if current is not None:
        for name in OfferForm.Meta.fields:
            setattr(draft, name, getattr(current, name))
    return draft


def _outstanding(vouchers) -> dict:
    today = timezone.localdate()
    live = vouchers.filter(status=VoucherStatus.ACTIVE, valid_until__gte=today)
    return {
        "issued": vouchers.count(),
        "value_issued": vouchers.aggregate(t=Sum("value_cents"))["t"] or 0,
        "outstanding": live.aggregate(t=Sum("remaining_cents"))["t"] or 0,
        "live": live.count(),
    }


# The donor’s voucher -------------------------------------------------------------------------------


@never_cache
def voucher_page(request, voucher_id):
    voucher = get_voucher_for_donor(request, voucher_id)
    return render(
        request,
        "vouchers/voucher.html",
        {
            "voucher": voucher,
            "state": voucher.state(),
            "display_code": codes.display(voucher.code),
            "qr": documents.qr_svg(voucher),
            "establishment": voucher.registration.establishment,
            "campaign": voucher.registration.campaign,
            "what": documents.what(voucher),
        },
    )


@never_cache
def voucher_pdf(request, voucher_id):
    voucher = get_voucher_for_donor(request, voucher_id)
    response = HttpResponse(documents.pdf(voucher, voucher.gift.language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bon-{codes.display(voucher.code)}.pdf"'
    return response


# Moderation of offers ---------------------------------------------------------------------------------


@team_view(Capability.MODERATE)
def offers_queue(request):
    offers = (
        Offer.objects.filter(registration__campaign__collectivite=request.tenant, status=OfferStatus.PENDING)
        .select_related("registration__establishment", "registration__campaign")
        .order_by("submitted_at")
    )
    return render(
        request, "vouchers/offers_queue.html", {"page": Paginator(offers, 50).get_page(request.GET.get("page"))}
    )


@team_view(Capability.MODERATE)
def offer_decision(request, pk: int):
    require_capability(request, Capability.MODERATE)
    offer_row = (
        Offer.objects.select_related("registration__establishment", "registration__campaign")
        .filter(pk=pk, registration__campaign__collectivite=request.tenant)
        .first()
    )
    if offer_row is None:
        raise Http404
    form = OfferDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_offer(
                offer=offer_row,
                moderator=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                message=form.cleaned_data["message"],
            )
        except ActionError as exc:
            form.add_error("message" if exc.field == "message" else None, exc.message)
        else:
            messages.success(request, _("Decision recorded; the owner is told by e-mail."))
            return redirect("vouchers:offers_queue")
    return render(
        request,
        "vouchers/offer_decision.html",
        {
            "offer": offer_row,
            "form": form,
            "in_force": actions.offer_in_force(offer_row.registration),
        },
        status=400 if form.errors else 200,
    )


# What shops still owe in goods ------------------------------------------------------------------------


@team_view(Capability.VIEW_DASHBOARD)
def outstanding(request):
    today = timezone.localdate()
    live = Q(vouchers__status=VoucherStatus.ACTIVE, vouchers__valid_until__gte=today)
    rows = (
        Registration.objects.filter(campaign__collectivite=request.tenant, vouchers__isnull=False)
        .select_related("establishment__commune", "campaign")
        .annotate(
            issued=Count("vouchers"),
            value_issued=Sum("vouchers__value_cents"),
            outstanding=Sum("vouchers__remaining_cents", filter=live),
        )
        .order_by("-outstanding", "establishment__trade_name")
    )
    totals = _outstanding(Voucher.objects.filter(collectivite=request.tenant))
    return render(
        request,
        "vouchers/outstanding.html",
        {"page": Paginator(rows, 50).get_page(request.GET.get("page")), "totals": totals},
    )
