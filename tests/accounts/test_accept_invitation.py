"""Accepting an invitation (GET/POST /invitation/<token>/): only with the invited, verified
address, only while pending, only on the inviting collectivité’s site."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from solidaire.accounts import actions
from solidaire.accounts.models import Invitation, Membership, hash_token
from solidaire.audit.models import AuditEvent

from ..factories import UserFactory
from .helpers import links_in, logged_in_user_id, mails_to, only_mail_to, page_text, translated

TOKEN = "a-secret-token-for-tests"


def make_invitation(side, email="claire@example.org", role="moderator", token=TOKEN, **extra):
    values = {"expires_at": timezone.now() + timedelta(days=14)}
    values.update(extra)
    return Invitation.objects.create(
        collectivite=side.tenant,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=side.admin,
        **values,
    )


@pytest.fixture
def claire(db):
    return UserFactory(email="claire@example.org", first_name="Claire")


def test_invited_person_sees_who_invites_them_and_as_what(personas, client_for, claire):
    make_invitation(personas.a, role="finance")
    response = client_for(personas.a, claire).get(f"/invitation/{TOKEN}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Région Grand Est" in content
    assert translated("Finance officer") in page_text(response)
    assert 'method="post"' in content


def test_invitee_with_the_matching_verified_address_joins_the_team(personas, client_for, claire):
    invitation = make_invitation(personas.a, role="finance")
    client = client_for(personas.a, claire)
    response = client.post(f"/invitation/{TOKEN}/")
    assert response.status_code == 302
    assert response["Location"] == "/gestion/"

    membership = Membership.objects.get(user=claire)
    assert membership.collectivite == personas.a.tenant
    assert membership.role == "finance"
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == claire
    assert not invitation.is_pending
    assert client.get("/gestion/").status_code == 200


def test_acceptance_is_recorded_in_the_audit_log(personas, client_for, claire):
    make_invitation(personas.a, role="viewer")
    client_for(personas.a, claire).post(f"/invitation/{TOKEN}/")
    event = AuditEvent.objects.get(action="team.joined")
    assert event.collectivite == personas.a.tenant
    assert event.actor == claire
    assert event.object_label == "claire@example.org"
    assert event.data == {"role": "viewer"}


def test_address_is_matched_without_regard_to_case(personas, client_for, claire):
    make_invitation(personas.a, email="Claire@Example.ORG")
    response = client_for(personas.a, claire).post(f"/invitation/{TOKEN}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=claire, collectivite=personas.a.tenant).exists()


def test_signed_in_with_another_address_is_refused(personas, client_for):
    invitation = make_invitation(personas.a)
    response = client_for(personas.a, personas.outsider).post(f"/invitation/{TOKEN}/")
    assert response.status_code == 400
    assert "claire@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=personas.outsider).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert not AuditEvent.objects.filter(action="team.joined").exists()


def test_unverified_matching_address_is_refused(personas, client_for):
    claire = UserFactory(email="claire@example.org", verified=False)
    EmailAddress.objects.create(user=claire, email=claire.email, verified=False, primary=True)
    make_invitation(personas.a)
    response = client_for(personas.a, claire).post(f"/invitation/{TOKEN}/")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=claire).exists()


def test_secondary_verified_address_is_enough(personas, client_for):
    """A person whose account has several verified addresses may accept with any of them."""
    otto = personas.outsider
    EmailAddress.objects.create(user=otto, email="claire@example.org", verified=True, primary=False)
    make_invitation(personas.a)
    assert client_for(personas.a, otto).post(f"/invitation/{TOKEN}/").status_code == 302
    assert Membership.objects.filter(user=otto, collectivite=personas.a.tenant).exists()


@pytest.mark.parametrize(
    "state",
    [
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"cancelled_at": timezone.now()},
        {"accepted_at": timezone.now()},
    ],
    ids=["expired", "cancelled", "used"],
)
def test_invitation_that_is_no_longer_pending_is_refused(personas, client_for, claire, state):
    make_invitation(personas.a, **state)
    client = client_for(personas.a, claire)
    response = client.get(f"/invitation/{TOKEN}/")
    assert response.status_code == 404
    assert translated("This invitation is not valid") in page_text(response)
    assert client.post(f"/invitation/{TOKEN}/").status_code == 404
    assert not Membership.objects.filter(user=claire).exists()


def test_accepting_twice_creates_one_membership_and_one_audit_event(personas, client_for, claire):
    make_invitation(personas.a)
    client = client_for(personas.a, claire)
    assert client.post(f"/invitation/{TOKEN}/").status_code == 302
    assert client.post(f"/invitation/{TOKEN}/").status_code == 404
    assert Membership.objects.filter(user=claire).count() == 1
    assert AuditEvent.objects.filter(action="team.joined").count() == 1


def test_unknown_token_is_refused(personas, client_for, claire):
    make_invitation(personas.a)
    response = client_for(personas.a, claire).post("/invitation/not-the-token/")
    assert response.status_code == 404
    assert not Membership.objects.filter(user=claire).exists()


def test_invitation_of_one_collectivite_does_not_work_on_anothers_site(personas, client_for, claire):
    invitation = make_invitation(personas.a)
    client = client_for(personas.b, claire)
    assert client.get(f"/invitation/{TOKEN}/").status_code == 404
    assert client.post(f"/invitation/{TOKEN}/").status_code == 404
    assert not Membership.objects.filter(user=claire).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_anonymous_visitor_is_asked_to_sign_in_or_sign_up_and_nothing_changes(personas, client_for):
    invitation = make_invitation(personas.a)
    client = client_for(personas.a)
    response = client.get(f"/invitation/{TOKEN}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f"/comptes/login/?next=/invitation/{TOKEN}/" in content
    assert f"/comptes/signup/?next=/invitation/{TOKEN}/" in content
    assert client.post(f"/invitation/{TOKEN}/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert not Membership.objects.filter(user__email="claire@example.org").exists()


def test_current_member_cannot_accept_a_second_membership(personas, client_for):
    mona = personas.a.moderator
    invitation = make_invitation(personas.a, email=mona.email, role="admin")
    response = client_for(personas.a, mona).post(f"/invitation/{TOKEN}/")
    assert response.status_code == 400
    assert Membership.objects.get(user=mona, collectivite=personas.a.tenant).role == "moderator"
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_one_person_can_work_in_two_collectivites_teams(personas, client_for):
    alice = personas.a.admin
    make_invitation(personas.b, email=alice.email, role="moderator")
    response = client_for(personas.b, alice).post(f"/invitation/{TOKEN}/")
    assert response.status_code == 302
    roles = dict(Membership.objects.filter(user=alice).values_list("collectivite__slug", "role"))
    assert roles == {"grand-est": "admin", "metz": "moderator"}
    # Her role follows the site she is on.
    assert client_for(personas.a, alice).get("/gestion/equipe/").status_code == 200
    assert client_for(personas.b, alice).get("/gestion/equipe/").status_code == 403
    assert client_for(personas.b, alice).get("/gestion/").status_code == 200
    account = client_for(personas.a, alice).get("/mon-compte/").content.decode()
    assert "Région Grand Est" in account and "Ville de Metz" in account
    assert "http://metz.localhost/gestion/" in account


def test_newcomer_signs_up_from_the_emailed_link_verifies_and_joins(
    personas, client_for, django_capture_on_commit_callbacks
):
    """The whole journey: invited by e-mail, no account yet."""
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_member(
            collectivite=personas.a.tenant, email="newcomer@example.org", role="viewer", actor=personas.a.admin
        )
    [link] = [link for link in links_in(only_mail_to("newcomer@example.org")) if "/invitation/" in link]
    path = link.split("grand-est.localhost", 1)[1]
    client = client_for(personas.a)
    assert client.get(path).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/comptes/signup/?next={path}",
            {"email": "newcomer@example.org", "password1": "Une-phrase-de-passe", "password2": "Une-phrase-de-passe"},
        )
    assert response.status_code == 302
    verification = [m for m in mails_to("newcomer@example.org") if "/confirm-email/" in m.body][0]
    confirm = next(link for link in links_in(verification) if "/confirm-email/" in link)
    response = client.post(confirm.split("grand-est.localhost", 1)[1])
    assert response.status_code == 302
    assert logged_in_user_id(client) is not None

    response = client.post(path)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="newcomer@example.org")
    assert (membership.collectivite, membership.role) == (personas.a.tenant, "viewer")
