"""An administrator invites someone to the team by e-mail (POST /gestion/equipe/)."""

import re

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

from solidaire.accounts.models import Invitation, Membership, hash_token
from solidaire.audit.models import AuditEvent
from solidaire.core.typography import long_date

from ..factories import UserFactory
from .helpers import links_in, only_mail_to, page_text, translated

TEAM = "/gestion/equipe/"


@pytest.fixture
def invite(personas, client_for, django_capture_on_commit_callbacks):
    """Alice, admin of Grand Est, invites someone through the team page."""

    def go(email, role="moderator", path=TEAM, side=None, user=None):
        side = side or personas.a
        client = client_for(side, user or side.admin)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, {"email": email, "role": role})

    return go


def token_from(message) -> str:
    link = next(link for link in links_in(message) if "/invitation/" in link)
    return re.search(r"/invitation/([^/]+)/", link).group(1)


def test_invitation_is_created_and_emailed_with_an_acceptance_link(personas, invite):
    response = invite("Claire@Example.org", role="finance")
    assert response.status_code == 302
    assert response["Location"] == TEAM

    invitation = Invitation.objects.get()
    assert invitation.collectivite == personas.a.tenant
    assert invitation.email == "claire@example.org"
    assert invitation.role == "finance"
    assert invitation.invited_by == personas.a.admin
    assert invitation.is_pending

    message = only_mail_to("claire@example.org")
    assert "Région Grand Est" in message.subject
    assert "alice@grand-est.example" in message.body
    [link] = [link for link in links_in(message) if "/invitation/" in link]
    assert link.startswith("http://grand-est.localhost/invitation/")
    # Only the token's hash is stored; the e-mailed token matches it.
    token = token_from(message)
    assert token not in (invitation.token_hash, "")
    assert hash_token(token) == invitation.token_hash


def test_invitation_is_recorded_in_the_audit_log(personas, invite):
    invite("claire@example.org", role="viewer")
    event = AuditEvent.objects.get(action="team.invited")
    assert event.collectivite == personas.a.tenant
    assert event.actor == personas.a.admin
    assert event.object_label == "claire@example.org"
    assert event.data == {"role": "viewer"}


def test_pending_invitation_is_listed_on_the_team_page(personas, invite, client_for):
    invite("claire@example.org")
    content = client_for(personas.a, personas.a.admin).get(TEAM).content.decode()
    assert "claire@example.org" in content
    assert "claire@example.org" not in client_for(personas.b, personas.b.admin).get(TEAM).content.decode()


def test_invitation_link_uses_the_collectivites_custom_domain(personas, invite):
    personas.a.tenant.domains.create(host="solidaire.grandest.fr")
    invite("claire@example.org")
    [link] = [link for link in links_in(only_mail_to("claire@example.org")) if "/invitation/" in link]
    assert link.startswith("http://solidaire.grandest.fr/invitation/")


def test_invitation_email_is_in_the_language_of_an_existing_invitee(personas, invite):
    UserFactory(email="klaus@example.de", language="de")
    invite("klaus@example.de")
    message = only_mail_to("klaus@example.de")
    subject = translated("Join the team of %(name)s", "de", name="Région Grand Est")
    assert " ".join(subject.split()) in message.subject  # subjects are on one line, spaces folded
    [link] = [link for link in links_in(message) if "/invitation/" in link]
    assert link.startswith("http://grand-est.localhost/de/invitation/")
    expires = timezone.localtime(Invitation.objects.get().expires_at)
    with translation.override("de"):
        assert formats.date_format(expires, "DATE_FORMAT") in message.body


def test_invitation_email_follows_the_invitee_not_the_inviters_language(personas, invite):
    """Alice browses in English; Klaus reads German; a newcomer gets the default language (French)."""
    UserFactory(email="klaus@example.de", language="de")
    invite("klaus@example.de", path="/en" + TEAM)
    invite("newcomer@example.org", path="/en" + TEAM)
    [klaus_link] = [link for link in links_in(only_mail_to("klaus@example.de")) if "/invitation/" in link]
    assert klaus_link.startswith("http://grand-est.localhost/de/invitation/")
    newcomer = only_mail_to("newcomer@example.org")
    [newcomer_link] = [link for link in links_in(newcomer) if "/invitation/" in link]
    assert newcomer_link.startswith("http://grand-est.localhost/invitation/")
    expires = timezone.localtime(Invitation.objects.get(email="newcomer@example.org").expires_at)
    assert long_date(expires, "fr") in newcomer.body


def test_reinviting_cancels_the_previous_pending_invitation(personas, invite, client_for):
    invite("claire@example.org", role="viewer")
    first_token = token_from(mail.outbox[0])
    invite("claire@example.org", role="finance")
    assert len(mail.outbox) == 2
    first, second = Invitation.objects.order_by("pk")
    assert first.cancelled_at is not None and not first.is_pending
    assert second.is_pending and second.role == "finance"
    assert Invitation.objects.pending().count() == 1
    # The first link no longer works; the second does.
    client = client_for(personas.a)
    assert client.get(f"/invitation/{first_token}/").status_code == 404
    assert client.get(f"/invitation/{token_from(mail.outbox[1])}/").status_code == 200


def test_reinviting_in_another_collectivite_keeps_the_first_invitation(personas, invite):
    invite("claire@example.org")
    invite("claire@example.org", side=personas.b)
    assert Invitation.objects.pending().count() == 2


def test_current_member_cannot_be_invited_again(personas, invite):
    response = invite(personas.a.moderator.email.upper(), role="viewer")
    assert response.status_code == 400
    assert translated("This person is already in the team.") in page_text(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="team.invited").exists()


def test_member_of_another_collectivite_can_be_invited(personas, invite):
    response = invite(personas.b.admin.email)
    assert response.status_code == 302
    assert Invitation.objects.get().email == personas.b.admin.email


@pytest.mark.parametrize(
    ("email", "role"),
    [("not-an-address", "viewer"), ("claire@example.org", "superuser"), ("", "viewer")],
)
def test_invalid_invitation_form_creates_nothing(invite, email, role):
    response = invite(email, role=role)
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["moderator", "finance", "viewer"])
def test_non_admin_team_members_cannot_invite(personas, invite, role):
    response = invite("claire@example.org", user=getattr(personas.a, role))
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_admin_of_another_collectivite_cannot_invite_here(personas, invite):
    response = invite("claire@example.org", user=personas.b.admin)
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_anonymous_visitor_cannot_invite(personas, client_for):
    response = client_for(personas.a).post(TEAM, {"email": "claire@example.org", "role": "admin"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user__email="claire@example.org").exists()
