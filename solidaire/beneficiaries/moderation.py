"""The moderators' queue: registrations to decide and page changes to review."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.campaigns import hooks
from solidaire.campaigns.choices import Category
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.geo.text import fold
from solidaire.vouchers.models import Offer, OfferStatus

from . import actions
from .access import get_establishment_for_moderator, get_registration_for_moderator
from .forms import ChangesDecisionForm, DecisionForm, HoldForm
from .models import PUBLIC_FIELDS, Establishment, Registration, RegistrationStatus
from .registry import get_registry


@team_view(Capability.MODERATE)
def queue(request):
    registrations = Registration.objects.filter(campaign__collectivite=request.tenant).select_related(
        "campaign", "establishment__commune"
    )
    status = request.GET.get("status", RegistrationStatus.PENDING)
    if status in RegistrationStatus.values:
        registrations = registrations.filter(status=status)
    campaigns = Campaign.objects.for_tenant(request.tenant).order_by("-starts_at")
    campaign = request.GET.get("campaign", "")
    if campaign:
        registrations = registrations.filter(campaign__slug=campaign)
    category = request.GET.get("category", "")
    if category in Category.values:
        registrations = registrations.filter(establishment__category=category)
    departement = request.GET.get("departement", "")[:3]
    if departement:
        registrations = registrations.filter(establishment__commune__departement_id=departement)
    for token in fold(request.GET.get("q", "")).split()[:6]:
        registrations = registrations.filter(establishment__search_text__contains=token)
    registrations = registrations.order_by("submitted_at" if status == RegistrationStatus.PENDING else "-submitted_at")
    counts = dict(
        Registration.objects.filter(campaign__collectivite=request.tenant)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    changes_count = (
        Establishment.objects.filter(collectivite=request.tenant)
        .filter(~Q(pending_changes={}) | ~Q(pending_photo=""))
        .count()
    )
    page = Paginator(registrations, 50).get_page(request.GET.get("page"))
    departements = (
        request.tenant.communes.values_list("departement_id", flat=True).distinct().order_by("departement_id")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "beneficiaries/moderation_queue.html",
        {
            "page": page,
            "status": status,
            "statuses": RegistrationStatus.choices,
            "counts": counts,
            "campaigns": campaigns,
            "campaign": campaign,
            "categories": Category.choices,
            "category": category,
            "departements": list(departements),
            "departement": departement,
            "q": request.GET.get("q", ""),
            "changes_count": changes_count,
            "offers_count": Offer.objects.filter(
                registration__campaign__collectivite=request.tenant, status=OfferStatus.PENDING
            ).count(),
            "querystring": params.urlencode(),
        },
    )


@team_view(Capability.MODERATE)
def detail(request, pk: int):
    registration = get_registration_for_moderator(request, pk)
    establishment = registration.establishment
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, message = form.cleaned_data["decision"], form.cleaned_data["message"]
        try:
            if decision == "approve":
                actions.approve(registration=registration, moderator=request.user, message=message)
            elif decision == "reject":
                actions.reject(registration=registration, moderator=request.user, reason=message)
            else:
                actions.request_changes(registration=registration, moderator=request.user, message=message)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Decision recorded; the owner is told by e-mail."))
            return redirect("beneficiaries:moderation_queue")
    record = get_registry().lookup(establishment.siret) if establishment.siret else None
    others = (
        Registration.objects.filter(establishment=establishment).exclude(pk=registration.pk).select_related("campaign")
    )
    return render(
        request,
        "beneficiaries/moderation_detail.html",
        {
            "registration": registration,
            "establishment": establishment,
            "form": form,
            "registry": record,
            "registry_name": get_registry().name,
            "others": others,
            "in_territory": registration.campaign.includes_commune(establishment.commune),
            "category_allowed": establishment.category in registration.campaign.categories,
            "hold_form": HoldForm(),
            # Said before the moderator decides: what approving would be refused for.
            "approval_blockers": (
                hooks.approval_blockers(registration) if registration.status == RegistrationStatus.PENDING else []
            ),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@team_view(Capability.MODERATE)
def payouts_hold(request, pk: int):
    """Holds back (with a reason) or resumes what a beneficiary is paid."""
    registration = get_registration_for_moderator(request, pk)
    try:
        if request.POST.get("resume"):
            actions.resume_payouts(registration=registration, moderator=request.user)
            messages.success(request, _("The payments are resumed: what is owed goes into the next batch."))
        else:
            form = HoldForm(request.POST)
            form.is_valid()
            actions.suspend_payouts(
                registration=registration, moderator=request.user, reason=form.cleaned_data.get("reason", "")
            )
            messages.success(request, _("The payments are held back."))
    except ActionError as exc:
        messages.error(request, exc.message)
    return redirect("beneficiaries:moderation_detail", pk=registration.pk)


@team_view(Capability.MODERATE)
def changes_queue(request):
    establishments = (
        Establishment.objects.filter(collectivite=request.tenant)
        .filter(~Q(pending_changes={}) | ~Q(pending_photo=""))
        .select_related("commune", "owner")
        .order_by("pending_since")
    )
    page = Paginator(establishments, 50).get_page(request.GET.get("page"))
    return render(request, "beneficiaries/changes_queue.html", {"page": page})


@team_view(Capability.MODERATE)
def changes_detail(request, pk: int):
    establishment = get_establishment_for_moderator(request, pk)
    form = ChangesDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                actions.approve_changes(establishment=establishment, moderator=request.user)
            else:
                actions.reject_changes(
                    establishment=establishment, moderator=request.user, reason=form.cleaned_data["message"]
                )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Decision recorded; the owner is told by e-mail."))
            return redirect("beneficiaries:changes_queue")
    rows = []
    labels = {f.name: f.verbose_name for f in Establishment._meta.fields}
    for field, value in establishment.pending_changes.items():
        current = getattr(establishment, field)
        if field == "commune":
            value = Commune.objects.filter(pk=value).first()
        rows.append((labels.get(field, field), current, value, field))
    return render(
        request,
        "beneficiaries/changes_detail.html",
        {
            "establishment": establishment,
            "rows": rows,
            "form": form,
            "public_fields": PUBLIC_FIELDS,
        },
        status=400 if form.errors else 200,
    )
