"""An administrator cancels a pending invitation (POST /gestion/equipe/invitations/<pk>/annuler/)."""

import pytest

from solidaire.audit.models import AuditEvent

from .helpers import page_text, translated
from .test_accept_invitation import TOKEN, make_invitation


def url(invitation):
    return f"/gestion/equipe/invitations/{invitation.pk}/annuler/"


def test_admin_cancels_a_pending_invitation_and_its_link_stops_working(personas, client_for):
    invitation = make_invitation(personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert client_for(personas.a, personas.outsider).get(f"/invitation/{TOKEN}/").status_code == 404


def test_cancellation_is_recorded_in_the_audit_log(personas, client_for):
    invitation = make_invitation(personas.a)
    client_for(personas.a, personas.a.admin).post(url(invitation))
    event = AuditEvent.objects.get(action="team.invitation_cancelled")
    assert (event.collectivite, event.actor, event.object_label) == (
        personas.a.tenant,
        personas.a.admin,
        "claire@example.org",
    )


def test_cancelled_invitation_disappears_from_the_team_page(personas, client_for):
    invitation = make_invitation(personas.a)
    client = client_for(personas.a, personas.a.admin)
    assert "claire@example.org" in client.get("/gestion/equipe/").content.decode()
    client.post(url(invitation))
    assert "claire@example.org" not in client.get("/gestion/equipe/").content.decode()


def test_invitation_that_is_no_longer_pending_cannot_be_cancelled(personas, client_for):
    from django.utils import timezone

    invitation = make_invitation(personas.a, accepted_at=timezone.now())
    response = client_for(personas.a, personas.a.admin).post(url(invitation), follow=True)
    assert translated("This invitation is no longer pending.") in page_text(response)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    assert not AuditEvent.objects.filter(action="team.invitation_cancelled").exists()


def test_admin_of_another_collectivite_cannot_cancel_this_teams_invitations(personas, client_for):
    invitation = make_invitation(personas.a)
    assert client_for(personas.b, personas.b.admin).post(url(invitation)).status_code == 404
    assert client_for(personas.a, personas.b.admin).post(url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer"])
def test_non_admins_get_403(personas, client_for, person):
    invitation = make_invitation(personas.a)
    assert client_for(personas.a, getattr(personas.a, person)).post(url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for):
    invitation = make_invitation(personas.a)
    response = client_for(personas.a).post(url(invitation))
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    invitation.refresh_from_db()
    assert invitation.is_pending
