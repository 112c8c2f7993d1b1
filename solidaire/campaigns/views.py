from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError
from solidaire.core.pagecache import public_page

from . import actions, states
from .access import get_campaign_for_team, get_public_campaign
from .forms import CampaignForm
from .models import Campaign


@public_page
def campaign_page(request, slug: str):
    campaign = get_public_campaign(request, slug)
    return render(request, "campaigns/public_detail.html", {"campaign": campaign, **_rules_context(campaign)})


def _rules_context(campaign: Campaign) -> dict:
    return {
        "departements": campaign.departements.all(),
        "communes": campaign.communes.all(),
        "example_gift": campaign.suggested_gifts_cents[0]
        if campaign.suggested_gifts_cents
        else campaign.min_gift_cents,
    }


# Back office -------------------------------------------------------------------------------


@team_view(Capability.VIEW_DASHBOARD)
def manage_home(request):
    campaigns = Campaign.objects.for_tenant(request.tenant).order_by("-created_at")
    return render(request, "campaigns/manage_list.html", {"campaigns": campaigns})


def _save_form(request, form, campaign=None):
    try:
        return actions.save_campaign(campaign=form.save(commit=False), territory=form.territory(), actor=request.user)
    except ActionError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@team_view(Capability.MANAGE_CAMPAIGNS)
def manage_create(request):
    form = CampaignForm(request.POST or None, request.FILES or None, collectivite=request.tenant, initial=_defaults())
    if request.method == "POST" and form.is_valid():
        campaign = _save_form(request, form)
        if campaign is not None:
            messages.success(request, _("The campaign is saved as a draft. Check it, then publish it."))
            return redirect("campaigns:manage_detail", slug=campaign.slug)
    return render(
        request, "campaigns/manage_form.html", {"form": form, "creating": True}, status=400 if form.errors else 200
    )


def _defaults() -> dict:
    """The Café Solidaire rules, a sensible start for a new campaign."""
    return {
        "kind": "businesses",
        "territory_scope": "all",
        "min_gift_cents": 300,
        "max_gift_cents": 1000,
        "suggested_gifts_cents": [500, 1000],
        "matching_ratio_percent": 100,
        "counterpart_policy": "optional",
    }


@team_view(Capability.VIEW_DASHBOARD)
def manage_detail(request, slug: str):
    campaign = get_campaign_for_team(request, slug, Capability.VIEW_DASHBOARD)
    return render(
        request,
        "campaigns/manage_detail.html",
        {"campaign": campaign, "can_reopen": _possible(campaign, states.REOPEN), **_rules_context(campaign)},
    )


@team_view(Capability.MANAGE_CAMPAIGNS)
def manage_edit(request, slug: str):
    campaign = get_campaign_for_team(request, slug, Capability.MANAGE_CAMPAIGNS)
    if campaign.status == "closed":
        messages.error(request, _("A closed campaign cannot be changed."))
        return redirect("campaigns:manage_detail", slug=campaign.slug)
    form = CampaignForm(request.POST or None, request.FILES or None, instance=campaign, collectivite=request.tenant)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, campaign)
        if saved is not None:
            messages.success(request, _("Your changes are saved."))
            return redirect("campaigns:manage_detail", slug=saved.slug)
    return render(
        request,
        "campaigns/manage_form.html",
        {"form": form, "campaign": campaign, "creating": False},
        status=400 if form.errors else 200,
    )


@require_POST
@team_view(Capability.MANAGE_CAMPAIGNS)
def manage_publish(request, slug: str):
    campaign = get_campaign_for_team(request, slug, Capability.MANAGE_CAMPAIGNS)
    try:
        actions.publish_campaign(campaign=campaign, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The campaign is published."))
    return redirect("campaigns:manage_detail", slug=campaign.slug)


# Closing and reopening, as the payouts' actions: the button asks first (a page that says what the
# move does), the confirmation makes the move.

MOVES = {
    states.CLOSE: (actions.close_campaign, lambda: _("The campaign is closed.")),
    states.REOPEN: (actions.reopen_campaign, lambda: _("The campaign is open again.")),
}


def _possible(campaign: Campaign, action: str) -> bool:
    """Whether the table allows the move now (reopening: only before the closing date)."""
    if states.target(campaign.status, action) is None:
        return False
    return action != states.REOPEN or campaign.ends_at > timezone.now()


def _confirm_and_move(request, slug: str, action: str):
    campaign = get_campaign_for_team(request, slug, Capability.MANAGE_CAMPAIGNS)
    move, done = MOVES[action]
    if request.POST.get("confirmed"):
        try:
            move(campaign=campaign, actor=request.user)
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done())
        return redirect("campaigns:manage_detail", slug=campaign.slug)
    if not _possible(campaign, action):
        refusal = {
            states.CLOSE: _("Only a published campaign can be closed."),
            states.REOPEN: _("Only a closed campaign can be reopened, until its closing date."),
        }[action]
        messages.error(request, refusal)
        return redirect("campaigns:manage_detail", slug=campaign.slug)
    return render(
        request,
        f"campaigns/manage_{action}.html",
        {"campaign": campaign, "hold_minutes": settings.SOLIDAIRE_RESERVATION_MINUTES},
    )


@require_POST
@team_view(Capability.MANAGE_CAMPAIGNS)
def manage_close(request, slug: str):
    """The campaign page's button: what closing does, and the button that confirms; confirmed,
    it closes."""
    return _confirm_and_move(request, slug, states.CLOSE)


@require_POST
@team_view(Capability.MANAGE_CAMPAIGNS)
def manage_reopen(request, slug: str):
    """The campaign page's button: what reopening does, and the button that confirms;
    confirmed, it reopens."""
    return _confirm_and_move(request, slug, states.REOPEN)
