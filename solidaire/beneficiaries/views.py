"""Public directory, map and establishment pages; the owner's space."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from solidaire.campaigns.access import get_public_campaign
from solidaire.campaigns.choices import Category, Status
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.core.pagecache import public_page
from solidaire.donations.forms import GiftForm
from solidaire.donations.public import recent_public_messages
from solidaire.vouchers.actions import offer_in_force
from solidaire.vouchers.describe import with_offers

from . import actions
from .access import (
    get_establishment_for_owner,
    get_public_registration,
    get_registration_for_owner,
    has_verified_email,
)
from .directory import DirectoryQuery, markers, search, territory_departements
from .forms import EstablishmentForm, RegistrationForm
from .models import ACTIVE_STATUSES, Establishment, RegistrationStatus

PAGE_SIZE = 24


# Public ------------------------------------------------------------------------------------


@public_page
def directory(request, slug: str):
    campaign = get_public_campaign(request, slug)
    query = DirectoryQuery.from_params(request.GET)
    registrations, origin = search(campaign, query)
    page = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_offers(page.object_list)  # what each card says donors receive
    with_page_urls(campaign, page.object_list)
    departements = territory_departements(campaign)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "beneficiaries/directory.html",
        {
            "campaign": campaign,
            "page": page,
            "query": query,
            "origin": origin,
            "categories": [(c, label) for c, label in Category.choices if c in campaign.categories],
            "departements": departements,
            "querystring": params.urlencode(),
        },
    )


def establishment_path(campaign, establishment) -> str:
    return reverse("beneficiaries:establishment", args=[campaign.slug, establishment.pk, canonical_name(establishment)])


def canonical_name(establishment) -> str:
    return slugify(establishment.trade_name) or "etablissement"


def with_page_urls(campaign, registrations) -> None:
    """Each card's link to its establishment's page, the URL reversed once for the whole page
    rather than once per card."""
    model = establishment_path(campaign, Establishment(pk=0, trade_name="x"))
    prefix = model.removesuffix("0-x/")
    for registration in registrations:
        establishment = registration.establishment
        registration.page_url = f"{prefix}{establishment.pk}-{canonical_name(establishment)}/"


def map_page(request, slug: str):
    campaign = get_public_campaign(request, slug)
    return render(
        request,
        "beneficiaries/map.html",
        {
            "campaign": campaign,
            "tiles_url": settings.SOLIDAIRE_MAP_TILES_URL,
            "tiles_attribution": settings.SOLIDAIRE_MAP_ATTRIBUTION,
        },
    )


@public_page
@require_GET
@gzip_page
@cache_control(max_age=60, public=True)
def markers_json(request, slug: str):
    campaign = get_public_campaign(request, slug)
    page_url = reverse("beneficiaries:establishment", args=[campaign.slug, 0, "x"]).replace("/0-x/", "/{id}/")
    return JsonResponse({"url": page_url, "markers": markers(campaign)}, json_dumps_params={"separators": (",", ":")})


@public_page
def establishment_page(request, slug: str, pk: int, name: str = ""):
    campaign = get_public_campaign(request, slug)
    registration = get_public_registration(campaign, pk)
    establishment = registration.establishment
    canonical = canonical_name(establishment)
    if name != canonical:
        return redirect("beneficiaries:establishment", slug=campaign.slug, pk=pk, name=canonical, permanent=True)
    example = campaign.suggested_gifts_cents[0] if campaign.suggested_gifts_cents else campaign.min_gift_cents
    return render(
        request,
        "beneficiaries/establishment.html",
        {
            "campaign": campaign,
            "registration": registration,
            "establishment": establishment,
            "example_gift": example,
            "form": GiftForm(campaign=campaign) if campaign.phase() == "open" else None,
            "messages_from_donors": recent_public_messages(registration),
            "offer": offer_in_force(registration),
        },
    )


# Owner's space -----------------------------------------------------------------------------


def _verified_or_redirect(request):
    if not has_verified_email(request.user):
        messages.error(request, _("Confirm your e-mail address first: we sent you a link."))
        return redirect("account_email")
    return None


@login_required
def owner_home(request):
    establishments = (
        Establishment.objects.filter(owner=request.user, collectivite=request.tenant)
        .select_related("commune")
        .prefetch_related("registrations__campaign")
    )
    open_campaigns = [
        c
        for c in Campaign.objects.for_tenant(request.tenant).filter(status=Status.PUBLISHED)
        if c.registration_is_open()
    ]
    establishments = list(establishments)
    for establishment in establishments:
        establishment.campaigns_to_join = _campaigns_not_joined(establishment, open_campaigns)
    return render(
        request,
        "beneficiaries/owner_home.html",
        {
            "establishments": establishments,
            "open_campaigns": open_campaigns,
            # Counters this person staffs at establishments they do not own.
            "counters": Establishment.objects.filter(staff__user=request.user, collectivite=request.tenant),
        },
    )


def _campaigns_not_joined(establishment, open_campaigns):
    """The open campaigns `establishment` may still join: not those it takes part in (a registration
    pending, to be changed or approved), as the join action would refuse them."""
    joined = {r.campaign_id for r in establishment.registrations.all() if r.status in ACTIVE_STATUSES}
    return [campaign for campaign in open_campaigns if campaign.pk not in joined]


def _registration_campaign(request, slug):
    campaign = get_public_campaign(request, slug)
    if not campaign.registration_is_open():
        messages.error(request, _("Registration for this campaign is closed."))
        return campaign, redirect("campaigns:public_detail", slug=campaign.slug)
    return campaign, None


@login_required
def register(request, slug: str):
    refused = _verified_or_redirect(request)
    if refused:
        return refused
    campaign, closed = _registration_campaign(request, slug)
    if closed:
        return closed
    form = EstablishmentForm(
        request.POST or None,
        request.FILES or None,
        territory=campaign.territory_communes(),
        categories=campaign.categories,
    )
    registration_form = RegistrationForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid() and registration_form.is_valid():
        try:
            registration = actions.register_establishment(
                owner=request.user, campaign=campaign, form=form, registration_form=registration_form
            )
        except ActionError as exc:
            target = form if exc.field in form.fields else registration_form
            target.add_error(exc.field if exc.field in target.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you! Your registration is submitted: a moderator will review it."))
            return redirect("beneficiaries:owner_registration", pk=registration.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "beneficiaries/register.html",
        {
            "campaign": campaign,
            "form": form,
            "registration_form": registration_form,
        },
        status=status,
    )


@login_required
def join(request, pk: int, slug: str):
    establishment = get_establishment_for_owner(request, pk)
    refused = _verified_or_redirect(request)
    if refused:
        return refused
    campaign, closed = _registration_campaign(request, slug)
    if closed:
        return closed
    registration_form = RegistrationForm(request.POST if request.method == "POST" else None, campaign=campaign)
    if request.method == "POST" and registration_form.is_valid():
        try:
            registration = actions.join_campaign(
                owner=request.user, establishment=establishment, campaign=campaign, registration_form=registration_form
            )
        except ActionError as exc:
            registration_form.add_error(exc.field if exc.field in registration_form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you! Your registration is submitted: a moderator will review it."))
            return redirect("beneficiaries:owner_registration", pk=registration.pk)
    return render(
        request,
        "beneficiaries/join.html",
        {
            "campaign": campaign,
            "establishment": establishment,
            "registration_form": registration_form,
        },
        status=400 if registration_form.errors else 200,
    )


@login_required
def edit_establishment(request, pk: int):
    establishment = get_establishment_for_owner(request, pk)
    active = establishment.registrations.filter(status__in=ACTIVE_STATUSES).select_related("campaign").first()
    territory = active.campaign.territory_communes() if active else request.tenant.communes.all()
    categories = active.campaign.categories if active else None
    form = EstablishmentForm(
        request.POST or None, request.FILES or None, instance=establishment, territory=territory, categories=categories
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.update_establishment(establishment=establishment, form=form, actor=request.user)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if result["pending"]:
                messages.success(
                    request,
                    _(
                        "Your changes are saved. Changes to your public page will appear once a moderator "
                        "has checked them."
                    ),
                )
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect("beneficiaries:owner_home")
    return render(
        request,
        "beneficiaries/edit.html",
        {"form": form, "establishment": establishment},
        status=400 if form.errors else 200,
    )


@login_required
def owner_registration(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    registration_form = None
    if registration.status == RegistrationStatus.CHANGES_REQUESTED:
        registration_form = RegistrationForm(
            request.POST if request.method == "POST" else None, campaign=registration.campaign
        )
        if request.method == "POST" and registration_form.is_valid():
            try:
                actions.resubmit(registration=registration, owner=request.user)
            except ActionError as exc:
                registration_form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your registration is submitted again."))
                return redirect("beneficiaries:owner_registration", pk=registration.pk)
    return render(
        request,
        "beneficiaries/owner_registration.html",
        {
            "registration": registration,
            "establishment": registration.establishment,
            "registration_form": registration_form,
        },
        status=400 if registration_form is not None and registration_form.errors else 200,
    )


@require_POST
@login_required
def withdraw(request, pk: int):
    registration = get_registration_for_owner(request, pk)
    try:
        actions.withdraw(registration=registration, owner=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your registration is withdrawn."))
    return redirect("beneficiaries:owner_home")


# Commune autocomplete (progressive enhancement of the commune field) ------------------------


@require_GET
def commune_suggestions(request):
    from solidaire.geo.lookup import find_communes, label

    territory = request.tenant.communes.all()
    slug = request.GET.get("campaign")
    if slug:
        campaign = Campaign.objects.public().filter(collectivite=request.tenant, slug=slug).first()
        if campaign is not None:
            territory = campaign.territory_communes()
    results = find_communes(request.GET.get("q", "")[:60], territory, limit=10)
    return JsonResponse(
        {
            "results": [
                {"code": c.insee_code, "label": label(c), "postal_codes": c.postal_codes.split()} for c in results
            ]
        }
    )
