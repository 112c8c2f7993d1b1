"""One invitation mechanism, for every kind of invitation (accounts.models.InvitationBase: a
team's, Invitation; a counter's staff, vouchers.StaffInvitation).

- **Sending** (`issue`): a random token is e-mailed, only its hash is stored; the invitation
  expires after SOLIDAIRE_INVITATION_DAYS and replaces a pending one to the same address for the
  same thing. The answer is the same whatever the address: an invitation is sent whether or not
  an account uses it (the sender learns nothing about other people's accounts). The link is
  built from the collectivité’s canonical address, in the recipient's language.
- **Accepting** (`claim`, then `mark_accepted`, inside the caller's action): only while
  pending, only by someone signed in with the verified address it was sent to.
- **The acceptance page** (`acceptance_page`): shown on the collectivité’s own site only; a
  visitor who is not signed in is asked to sign in or create an account with that address and
  comes back to it (`remember`: the confirmation e-mail's link and the next sign-in lead there,
  accounts.adapter), then accepts.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from .models import User, hash_token

SESSION_KEY = "solidaire_invitation"


def reverse_in(language: str, name: str, *args) -> str:
    """A path in the recipient's language (/de/…), whatever language the sender is browsing in."""
    with translation.override(language):
        return reverse(name, args=args)


def issue(model, *, email: str, actor, template: str, context: dict, request=None, terms=None, **scope):
    """Creates an invitation of `model` to `email` for `scope` (what it invites to: the team,
    the establishment…; a pending one to the same address for the same scope is replaced), with
    its `terms` (other fields: the role…), and e-mails its link with `template` (`context` and:
    collectivite, inviter, url, expires_at). Called inside the caller's action, which records the
    audit event."""
    email = email.strip().lower()
    now = timezone.now()
    model.objects.pending().filter(email__iexact=email, **scope).update(cancelled_at=now)
    token = secrets.token_urlsafe(32)
    invitation = model.objects.create(
        email=email,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=now + timedelta(days=settings.SOLIDAIRE_INVITATION_DAYS),
        **scope,
        **(terms or {}),
    )
    existing = User.objects.filter(email__iexact=email).first()
    language = existing.language if existing else settings.LANGUAGE_CODE
    collectivite = invitation.collectivite
    send_templated(
        to=email,
        template=template,
        language=language,
        context={
            **context,
            "collectivite": collectivite,
            "inviter": actor,
            "url": tenant_url(collectivite, reverse_in(language, model.accept_url_name, token), request),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation


def cancel(invitation) -> None:
    if not type(invitation).objects.pending().filter(pk=invitation.pk).update(cancelled_at=timezone.now()):
        raise ActionError(_("This invitation is no longer pending."), code="not_pending")


def find(model, token: str, *related):
    return model.objects.select_related(*related).filter(token_hash=hash_token(token)).first()


def claim(model, token: str, user, *related):
    """The invitation of this token, locked (its row only), when `user` may accept it now: it is
    pending and was sent to one of their verified addresses."""
    invitation = (
        model.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        raise ActionError(_("This invitation is not valid any more. Ask for a new one."), code="invalid_invitation")
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise ActionError(
            _("This invitation was sent to %(email)s. Sign in with that verified address to accept it.")
            % {"email": invitation.email},
            code="wrong_email",
        )
    return invitation


def mark_accepted(invitation, user) -> None:
    type(invitation).objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)


# The acceptance page ------------------------------------------------------------------------------


def remember(request) -> None:
    """Keeps this acceptance page in the session of a visitor who is not signed in yet: the
    e-mail confirming the address they sign up with, and their next sign-in, lead back to it."""
    request.session[SESSION_KEY] = request.path


def remembered(request, *, forget: bool = False) -> str | None:
    """The acceptance page this browser was on before signing in or up, if any."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    return session.pop(SESSION_KEY, None) if forget else session.get(SESSION_KEY)


def acceptance_page(request, invitation, token: str, *, accept, template: str, invalid_template: str):
    """Where an invitation's link leads. `accept(invitation)` accepts it for the signed-in
    person (an action: ActionError when they may not) and returns where to go next."""
    if (
        invitation is None
        or not invitation.is_pending
        or invitation.collectivite.pk != getattr(request.tenant, "pk", None)
    ):
        remembered(request, forget=True)
        return render(request, invalid_template, status=404)
    context = {"invitation": invitation, "token": token}
    if not request.user.is_authenticated:
        remember(request)
        return render(request, template, context)
    if request.method == "POST":
        try:
            response = accept(invitation)
        except ActionError as exc:
            messages.error(request, exc.message)
            return render(request, template, context, status=400)
        remembered(request, forget=True)
        return response
    return render(request, template, context)
