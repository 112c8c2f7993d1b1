"""An administrator removes someone from the team (POST /gestion/equipe/<pk>/retirer/)."""

import pytest
from django.db import connection

from solidaire.accounts import actions
from solidaire.accounts.models import Membership
from solidaire.audit.models import AuditEvent

from .helpers import page_text, translated
from .test_change_role import _race, membership_of


def url(membership):
    return f"/gestion/equipe/{membership.pk}/retirer/"


def test_admin_removes_a_member(personas, client_for):
    fiona = membership_of(personas.a.finance, personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(fiona))
    assert response.status_code == 302
    assert response["Location"] == "/gestion/equipe/"
    assert not Membership.objects.filter(pk=fiona.pk).exists()
    # The person's account stays; only the team membership goes.
    personas.a.finance.refresh_from_db()
    assert personas.a.finance.is_active


def test_removed_member_loses_access_at_once(personas, client_for):
    mona_client = client_for(personas.a, personas.a.moderator)
    assert mona_client.get("/gestion/").status_code == 200
    client_for(personas.a, personas.a.admin).post(url(membership_of(personas.a.moderator, personas.a)))
    assert mona_client.get("/gestion/").status_code == 403


def test_removal_is_recorded_in_the_audit_log(personas, client_for):
    fiona = membership_of(personas.a.finance, personas.a)
    client_for(personas.a, personas.a.admin).post(url(fiona))
    event = AuditEvent.objects.get(action="team.revoked")
    assert event.collectivite == personas.a.tenant
    assert event.actor == personas.a.admin
    assert event.object_id == str(fiona.pk)
    assert event.object_label == personas.a.finance.email
    assert event.data == {"role": "finance"}


def test_last_admin_cannot_be_removed(personas, client_for):
    alice = membership_of(personas.a.admin, personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(alice), follow=True)
    assert translated("A collectivité keeps at least one administrator.") in page_text(response)
    assert Membership.objects.filter(pk=alice.pk, role="admin").exists()
    assert not AuditEvent.objects.filter(action="team.revoked").exists()


def test_an_admin_can_leave_when_another_admin_remains(personas, client_for):
    Membership.objects.filter(user=personas.a.moderator, collectivite=personas.a.tenant).update(role="admin")
    alice = membership_of(personas.a.admin, personas.a)
    client = client_for(personas.a, personas.a.admin)
    assert client.post(url(alice)).status_code == 302
    assert not Membership.objects.filter(pk=alice.pk).exists()
    assert client.get("/gestion/equipe/").status_code == 403


def test_removing_someone_from_one_team_keeps_their_other_team(personas, client_for):
    Membership.objects.create(user=personas.a.admin, collectivite=personas.b.tenant, role="viewer")
    in_metz = membership_of(personas.a.admin, personas.b)
    client_for(personas.b, personas.b.admin).post(url(in_metz))
    assert not Membership.objects.filter(pk=in_metz.pk).exists()
    assert membership_of(personas.a.admin, personas.a).role == "admin"


def test_admin_of_another_collectivite_cannot_reach_this_teams_memberships(personas, client_for):
    fiona = membership_of(personas.a.finance, personas.a)
    assert client_for(personas.b, personas.b.admin).post(url(fiona)).status_code == 404
    assert client_for(personas.a, personas.b.admin).post(url(fiona)).status_code == 403
    assert Membership.objects.filter(pk=fiona.pk).exists()
    assert not AuditEvent.objects.filter(action="team.revoked").exists()


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer", "donor"])
def test_non_admins_get_403(personas, client_for, person):
    victor = membership_of(personas.a.viewer, personas.a)
    assert client_for(personas.a, getattr(personas.a, person)).post(url(victor)).status_code == 403
    assert Membership.objects.filter(pk=victor.pk).exists()


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for):
    victor = membership_of(personas.a.viewer, personas.a)
    response = client_for(personas.a).post(url(victor))
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert Membership.objects.filter(pk=victor.pk).exists()


def test_get_is_not_allowed(personas, client_for):
    victor = membership_of(personas.a.viewer, personas.a)
    assert client_for(personas.a, personas.a.admin).get(url(victor)).status_code == 405
    assert Membership.objects.filter(pk=victor.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(personas):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    _race(
        personas,
        first=lambda a, b: actions.revoke_membership(membership=b, actor=a.user),
        second=lambda a, b: actions.revoke_membership(membership=a, actor=b.user),
    )
