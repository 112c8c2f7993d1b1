"""An administrator changes a team member's role (POST /gestion/equipe/<pk>/role/)."""

import threading

import pytest
from django.db import connection, transaction

from solidaire.accounts import actions
from solidaire.accounts.models import Membership
from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError

from ..factories import MembershipFactory
from .helpers import page_text, translated


def membership_of(user, side):
    return Membership.objects.get(user=user, collectivite=side.tenant)


def url(membership):
    return f"/gestion/equipe/{membership.pk}/role/"


def test_admin_changes_a_members_role(personas, client_for):
    mona = membership_of(personas.a.moderator, personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(mona), {"role": "finance"})
    assert response.status_code == 302
    assert response["Location"] == "/gestion/equipe/"
    mona.refresh_from_db()
    assert mona.role == "finance"


def test_role_change_is_recorded_in_the_audit_log(personas, client_for):
    mona = membership_of(personas.a.moderator, personas.a)
    client_for(personas.a, personas.a.admin).post(url(mona), {"role": "admin"})
    event = AuditEvent.objects.get(action="team.role_changed")
    assert event.collectivite == personas.a.tenant
    assert event.actor == personas.a.admin
    assert event.object_id == str(mona.pk)
    assert event.object_label == personas.a.moderator.email
    assert event.data == {"from": "moderator", "to": "admin"}


def test_new_role_takes_effect_at_once(personas, client_for):
    victor = membership_of(personas.a.viewer, personas.a)
    client = client_for(personas.a, personas.a.viewer)
    assert client.get("/gestion/equipe/").status_code == 403
    client_for(personas.a, personas.a.admin).post(url(victor), {"role": "admin"})
    assert client.get("/gestion/equipe/").status_code == 200


def test_last_admin_cannot_be_demoted(personas, client_for):
    alice = membership_of(personas.a.admin, personas.a)
    client = client_for(personas.a, personas.a.admin)
    response = client.post(url(alice), {"role": "viewer"}, follow=True)
    assert translated("A collectivité keeps at least one administrator.") in page_text(response)
    alice.refresh_from_db()
    assert alice.role == "admin"
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()
    assert client.get("/gestion/equipe/").status_code == 200


def test_an_admin_can_be_demoted_when_another_admin_remains(personas, client_for):
    second = membership_of(personas.a.finance, personas.a)
    second.role = "admin"
    second.save()
    alice = membership_of(personas.a.admin, personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(alice), {"role": "viewer"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == "viewer"
    assert Membership.objects.filter(collectivite=personas.a.tenant, role="admin").get().user == personas.a.finance


def test_admins_of_other_collectivites_do_not_count_as_the_last_admin(personas):
    """Bob is admin elsewhere: Alice is still Grand Est's only admin."""
    MembershipFactory(user=personas.b.admin, collectivite=personas.a.tenant, role="viewer")
    with pytest.raises(ActionError) as error:
        actions.change_role(
            membership=membership_of(personas.a.admin, personas.a), role="viewer", actor=personas.a.admin
        )
    assert error.value.code == "last_admin"


def test_same_role_changes_nothing_and_records_nothing(personas, client_for):
    mona = membership_of(personas.a.moderator, personas.a)
    client_for(personas.a, personas.a.admin).post(url(mona), {"role": "moderator"})
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


def test_unknown_role_is_refused(personas, client_for):
    mona = membership_of(personas.a.moderator, personas.a)
    response = client_for(personas.a, personas.a.admin).post(url(mona), {"role": "owner"}, follow=True)
    assert translated("Choose a role.") in page_text(response)
    mona.refresh_from_db()
    assert mona.role == "moderator"
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


def test_admin_of_another_collectivite_cannot_reach_this_teams_memberships(personas, client_for):
    mona = membership_of(personas.a.moderator, personas.a)
    # Bob's own host: the membership id of Grand Est does not exist there.
    response = client_for(personas.b, personas.b.admin).post(url(mona), {"role": "admin"})
    assert response.status_code == 404
    # Grand Est's host: Bob is nobody there.
    response = client_for(personas.a, personas.b.admin).post(url(mona), {"role": "admin"})
    assert response.status_code == 403
    mona.refresh_from_db()
    assert mona.role == "moderator"
    assert not AuditEvent.objects.filter(action="team.role_changed").exists()


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer", "owner"])
def test_non_admins_get_403(personas, client_for, person):
    victor = membership_of(personas.a.viewer, personas.a)
    response = client_for(personas.a, getattr(personas.a, person)).post(url(victor), {"role": "admin"})
    assert response.status_code == 403
    victor.refresh_from_db()
    assert victor.role == "viewer"


def test_anonymous_visitor_is_sent_to_the_login_page(personas, client_for):
    victor = membership_of(personas.a.viewer, personas.a)
    response = client_for(personas.a).post(url(victor), {"role": "admin"})
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    victor.refresh_from_db()
    assert victor.role == "viewer"


def test_get_is_not_allowed(personas, client_for):
    victor = membership_of(personas.a.viewer, personas.a)
    assert client_for(personas.a, personas.a.admin).get(url(victor)).status_code == 405


def test_unknown_membership_is_404(personas, client_for):
    assert (
        client_for(personas.a, personas.a.admin).post("/gestion/equipe/999999/role/", {"role": "admin"}).status_code
        == 404
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(personas):
    """PostgreSQL runs both transactions for real in parallel; the rule must still hold."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions (PostgreSQL)")
    _race(
        personas,
        first=lambda a, b: actions.change_role(membership=b, role="viewer", actor=a.user),
        second=lambda a, b: actions.change_role(membership=a, role="viewer", actor=b.user),
    )


def _race(personas, first, second):
    """Runs `first` in a transaction kept open while `second` runs in another thread, then
    commits; `second` either waits for it or works on stale data."""
    tenant = personas.a.tenant
    alice = membership_of(personas.a.admin, personas.a)
    fiona = membership_of(personas.a.finance, personas.a)
    fiona.role = "admin"
    fiona.save()
    outcome = {}
    started = threading.Event()

    def run_second():
        started.set()
        try:
            second(alice, fiona)
            outcome["second"] = "done"
        except ActionError as exc:
            outcome["second"] = exc.code
        except Exception as exc:  # noqa: BLE001 - a deadlock or any other failure is reported below
            outcome["second"] = repr(exc)
        finally:
            connection.close()

    with transaction.atomic():
        first(alice, fiona)
        thread = threading.Thread(target=run_second)
        thread.start()
        started.wait()
        thread.join(timeout=1.0)  # the second transaction blocks here when the rows are locked
    thread.join(timeout=30)
    assert Membership.objects.filter(collectivite=tenant, role="admin").count() == 1
    assert outcome["second"] == "last_admin"
