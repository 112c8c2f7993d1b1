"""Team changes. Each function is the one write path for its transition: it checks the rules,
changes the rows and records the audit event in one transaction."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.models import Collectivite
from solidaire.tenants.resolution import tenant_url

from . import invitations
from .models import Invitation, Membership, User
from .roles import Role


def _admin_count(collectivite) -> int:
    return Membership.objects.filter(collectivite=collectivite, role=Role.ADMIN).count()


def _lock_team(collectivite_id: int) -> None:
    """Team changes of one collectivité run one at a time: locking only the changed membership
    would let two admins demote each other at once and leave the team without an admin."""
    Collectivite.objects.select_for_update().only("pk").get(pk=collectivite_id)


@transaction.atomic
def invite_member(*, collectivite, email: str, role: str, actor, request=None) -> Invitation:
    """E-mails `email` an invitation to join the team with `role` (accounts.invitations)."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ActionError(_("Choose a role."), field="role")
    if Membership.objects.filter(collectivite=collectivite, user__email__iexact=email).exists():
        raise ActionError(_("This person is already in the team."), field="email", code="already_member")
    invitation = invitations.issue(
        Invitation,
        email=email,
        actor=actor,
        template="accounts/email/invitation",
        context={"role": Role(role).label},
        request=request,
        collectivite=collectivite,
        terms={"role": role},
    )
    record(
        collectivite=collectivite, actor=actor, action="team.invited", obj=invitation, label=email, data={"role": role}
    )
    return invitation


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, actor) -> None:
    invitations.cancel(invitation)
    record(
        collectivite=invitation.collectivite,
        actor=actor,
        action="team.invitation_cancelled",
        obj=invitation,
        label=invitation.email,
    )


def find_invitation(token: str) -> Invitation | None:
    return invitations.find(Invitation, token, "collectivite")


@transaction.atomic
def accept_invitation(*, token: str, user: User) -> Membership:
    invitation = invitations.claim(Invitation, token, user, "collectivite")  # not the collectivité’s row
    if Membership.objects.filter(user=user, collectivite=invitation.collectivite).exists():
        raise ActionError(_("You are already in this team."), code="already_member")
    membership = Membership.objects.create(user=user, collectivite=invitation.collectivite, role=invitation.role)
    invitations.mark_accepted(invitation, user)
    record(
        collectivite=invitation.collectivite,
        actor=user,
        action="team.joined",
        obj=membership,
        label=user.email,
        data={"role": invitation.role},
    )
    return membership


@transaction.atomic
def change_role(*, membership: Membership, role: str, actor) -> Membership:
    if role not in Role.values:
        raise ActionError(_("Choose a role."), field="role")
    _lock_team(membership.collectivite_id)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and _admin_count(membership.collectivite) <= 1:
        raise ActionError(_("A collectivité keeps at least one administrator."), code="last_admin")
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        collectivite=membership.collectivite,
        actor=actor,
        action="team.role_changed",
        obj=membership,
        label=membership.user.email,
        data={"from": previous, "to": role},
    )
    return membership


@transaction.atomic
def revoke_membership(*, membership: Membership, actor) -> None:
    _lock_team(membership.collectivite_id)
    # The membership's row only: its user is read for the audit label, not locked.
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership.pk)
    if membership.role == Role.ADMIN and _admin_count(membership.collectivite) <= 1:
        raise ActionError(_("A collectivité keeps at least one administrator."), code="last_admin")
    record(
        collectivite=membership.collectivite,
        actor=actor,
        action="team.revoked",
        obj=membership,
        label=membership.user.email,
        data={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def ensure_verified_user(*, email: str, password: str | None = None, language: str = "fr") -> tuple[User, bool]:
    """The user with this e-mail, created with a verified address when missing. Used by the
    operator’s tools, which vouch for the address they type."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password, language=language)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user, created


@transaction.atomic
def add_admin(*, collectivite, email: str, password: str | None = None, actor=None, request=None) -> Membership:
    """The operator gives a collectivité an administrator (its first one, typically). A new
    person without a password gets an e-mail inviting them to choose one."""
    user, created = ensure_verified_user(email=email, password=password)
    membership, _created = Membership.objects.update_or_create(
        user=user, collectivite=collectivite, defaults={"role": Role.ADMIN}
    )
    record(collectivite=collectivite, actor=actor, action="team.admin_created", obj=membership, label=user.email)
    # A new person chooses a password first; someone who already has an account signs in.
    route = "campaigns:manage_home" if user.has_usable_password() else "account_reset_password"
    send_templated(
        to=user.email,
        template="accounts/email/first_admin" if route == "account_reset_password" else "accounts/email/admin_added",
        language=user.language,
        context={
            "collectivite": collectivite,
            "url": tenant_url(collectivite, invitations.reverse_in(user.language, route), request),
        },
    )
    return membership
