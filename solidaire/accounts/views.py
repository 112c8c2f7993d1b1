from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import actions, invitations
from .access import get_invitation_for_admin, get_membership_for_admin, team_view
from .forms import InvitationForm, ProfileForm, RoleForm
from .models import Invitation, Membership
from .roles import CAPABILITY_PAGES, Capability, Role, role_pages


@team_view(Capability.MANAGE_TEAM)
def team(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.invite_member(
                collectivite=request.tenant,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
                request=request,
            )
        except ActionError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:team")
    members = Membership.objects.filter(collectivite=request.tenant).select_related("user")
    invitations = Invitation.objects.pending().filter(collectivite=request.tenant)
    return render(
        request,
        "accounts/team.html",
        {
            "form": form,
            "members": members,
            "invitations": invitations,
            "role_form": RoleForm(),
            "roles": [role.label for role in Role],
            "duties": _duties(),
        },
        status=400 if form.errors else 200,
    )


def _duties() -> list[tuple[str, str, list[bool]]]:
    """What each role may do, as the team page shows it: (page, what it lets one do, whether
    each role of Role may), from the capabilities the roles really have."""
    granted = {role: {name for name, _text in role_pages(role)} for role in Role}
    return [
        (reverse(name), text, [name in granted[role] for role in Role])
        for lines in CAPABILITY_PAGES.values()
        for name, text in lines
    ]


@require_POST
@team_view(Capability.MANAGE_TEAM)
def change_role(request, pk: int):
    membership = get_membership_for_admin(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            actions.change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Role of %(email)s changed.") % {"email": membership.user.email})
    else:
        messages.error(request, _("Choose a role."))
    return redirect("accounts:team")


@require_POST
@team_view(Capability.MANAGE_TEAM)
def revoke(request, pk: int):
    membership = get_membership_for_admin(request, pk)
    try:
        actions.revoke_membership(membership=membership, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(email)s no longer belongs to the team.") % {"email": membership.user.email})
    return redirect("accounts:team")


@require_POST
@team_view(Capability.MANAGE_TEAM)
def cancel_invitation(request, pk: int):
    invitation = get_invitation_for_admin(request, pk)
    try:
        actions.cancel_invitation(invitation=invitation, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation cancelled."))
    return redirect("accounts:team")


def accept_invitation(request, token: str):
    def accept(invitation):
        actions.accept_invitation(token=token, user=request.user)
        messages.success(request, _("Welcome to the team of %(name)s.") % {"name": invitation.collectivite.name})
        return redirect("campaigns:manage_home")

    return invitations.acceptance_page(
        request,
        actions.find_invitation(token),
        token,
        accept=accept,
        template="accounts/invitation.html",
        invalid_template="accounts/invitation_invalid.html",
    )


@login_required
def my_account(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "commune_text": user.commune.name if user.commune_id else "",
            "phone": user.phone,
            "language": user.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        user.first_name = form.cleaned_data["first_name"]
        user.last_name = form.cleaned_data["last_name"]
        user.commune = form.commune
        user.phone = form.cleaned_data["phone"]
        user.language = form.cleaned_data["language"]
        user.save(update_fields=["first_name", "last_name", "commune", "phone", "language"])
        messages.success(request, _("Your changes are saved."))
        return redirect("accounts:my_account")
    memberships = [
        (m, tenant_url(m.collectivite, reverse("campaigns:manage_home"), request))
        for m in Membership.objects.filter(user=user).select_related("collectivite")
    ]
    return render(
        request,
        "accounts/my_account.html",
        {"form": form, "memberships": memberships},
        status=400 if form.errors else 200,
    )
