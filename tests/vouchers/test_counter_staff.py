"""The owner chooses who may redeem at the counter (GET/POST
/mon-espace/etablissements/<pk>/equipe/) by invitation: the owner of an approved establishment
enters an e-mail address, the same answer comes whatever the address (nothing tells whether it
has an account), the person gets a link built from the collectivité’s own address and joins the
staff only once they accept it, signed in with that verified address
(/invitation-caisse/<token>/). The owner sees the pending invitations and may cancel them. Staff
may redeem and nothing else; only the owner manages the list; each change is in the audit log."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.models import Registration
from solidaire.tenants.models import Domain
from solidaire.vouchers.models import Staff, StaffInvitation

from ..gifts import approved_registration
from .helpers import counter_path, flat, main, messages_of, shown

pytestmark = pytest.mark.django_db

SENT = "If %(email)s is the right address, an invitation was sent to it."


def staff_path(registration) -> str:
    return reverse("vouchers:staff", args=[registration.establishment_id])


_capture = {}


@pytest.fixture(autouse=True)
def _emails_sent(django_capture_on_commit_callbacks):
    """The invitation's e-mail leaves once the transaction commits: run what waits for it."""
    _capture["callbacks"] = django_capture_on_commit_callbacks


def invite(client, registration, email):
    with _capture["callbacks"](execute=True):
        return client.post(staff_path(registration), {"email": email})


def email_errors(response) -> list[str]:
    return [flat(str(e)) for e in response.context["form"].errors.get("email", [])]


def link_to(address: str) -> str:
    [message] = [m for m in mail.outbox if address in m.to]
    [link] = re.findall(r"https?://\S+/invitation-caisse/\S+/", message.body)
    return link


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_the_person_joins_the_staff_only_once_they_accept(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    response = invite(owner, cafe, "  DORA@example.org ")
    assert response.status_code == 302 and response["Location"] == staff_path(cafe)
    assert messages_of(response) == [shown("fr", SENT, email="dora@example.org")]
    assert not Staff.objects.exists()
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(counter_path(cafe)).status_code == 404

    link = link_to("dora@example.org")
    assert link.startswith("http://grand-est.localhost/")
    page = dora.get(path_of(link))
    assert page.status_code == 200 and "Café de la Gare" in main(page)
    accepted = dora.post(path_of(link))
    assert accepted.status_code == 302 and accepted["Location"] == counter_path(cafe)

    row = Staff.objects.get()
    assert (row.establishment, row.user, row.added_by) == (cafe.establishment, personas.a.donor, personas.a.owner)
    assert dora.get(counter_path(cafe)).status_code == 200
    home = dora.get(reverse("beneficiaries:owner_home"))
    assert list(home.context["counters"]) == [cafe.establishment]
    invited, added = (
        AuditEvent.objects.get(action="counter.staff_invited"),
        AuditEvent.objects.get(action="counter.staff_added"),
    )
    assert (invited.actor, invited.collectivite, invited.object_label) == (
        personas.a.owner,
        personas.a.tenant,
        "dora@example.org @ Café de la Gare",
    )
    assert (added.actor, added.collectivite, added.object_label) == (
        personas.a.donor,
        personas.a.tenant,
        "dora@example.org @ Café de la Gare",
    )
    # The link is used up.
    assert dora.post(path_of(link)).status_code == 404


def test_the_answer_is_the_same_whatever_the_email(personas, client_for, cafe):
    """An address without an account, a donor’s, another collectivité’s admin's: the owner cannot
    tell them apart, and nobody is added without accepting."""
    answers = []
    for email in ("nobody@example.org", "dora@example.org", "bob@metz.example"):
        response = invite(client_for(personas.a, personas.a.owner), cafe, email)
        answers.append((response.status_code, messages_of(response)))
        assert link_to(email)
    assert answers == [
        (302, [shown("fr", SENT, email=e)]) for e in ("nobody@example.org", "dora@example.org", "bob@metz.example")
    ]
    assert not Staff.objects.exists()
    assert StaffInvitation.objects.count() == 3


def test_the_link_is_built_from_the_collectivites_own_address(personas, client_for, cafe):
    Domain.objects.create(collectivite=personas.a.tenant, host="solidaire.grandest.fr")
    invite(client_for(personas.a, personas.a.owner), cafe, "dora@example.org")
    assert link_to("dora@example.org").startswith("http://solidaire.grandest.fr/invitation-caisse/")


def test_the_email_names_the_establishment_and_the_collectivite(personas, client_for, cafe):
    invite(client_for(personas.a, personas.a.owner), cafe, "nobody@example.org")
    [message] = mail.outbox
    assert "Café de la Gare" in message.subject
    assert "Café de la Gare" in message.body and "Région Grand Est" in message.body
    assert "oscar@example.org" in message.body


def test_an_owner_of_an_establishment_not_approved_cannot_invite(personas, client_for, campaign):
    pending = approved_registration(campaign, owner=personas.a.owner, name="Le Bar du Port")
    Registration.objects.filter(pk=pending.pk).update(status="pending", approved_at=None)
    owner = client_for(personas.a, personas.a.owner)
    page = owner.get(staff_path(pending))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    assert shown("fr", "You can invite staff once your establishment is approved.") in main(page)
    assert invite(owner, pending, "dora@example.org").status_code == 403
    assert not StaffInvitation.objects.exists() and not mail.outbox


def test_only_the_invited_verified_address_may_accept(personas, client_for, cafe):
    invite(client_for(personas.a, personas.a.owner), cafe, "dora@example.org")
    link = path_of(link_to("dora@example.org"))
    response = client_for(personas.a, personas.outsider).post(link)
    assert response.status_code == 400
    assert messages_of(response) == [
        shown(
            "fr",
            "This invitation was sent to %(email)s. Sign in with that verified address to accept it.",
            email="dora@example.org",
        )
    ]
    assert not Staff.objects.exists()


def test_someone_signed_out_is_asked_to_sign_in_or_create_an_account(personas, client_for, cafe):
    invite(client_for(personas.a, personas.a.owner), cafe, "nobody@example.org")
    link = path_of(link_to("nobody@example.org"))
    page = client_for(personas.a).get(link)
    assert page.status_code == 200
    content = page.content.decode()
    assert f"{reverse('account_login')}?next=" in content and f"{reverse('account_signup')}?next=" in content
    assert client_for(personas.a).post(link).status_code == 200
    assert not Staff.objects.exists()


def test_the_link_works_only_on_its_collectivites_site(personas, client_for, cafe):
    invite(client_for(personas.a, personas.a.owner), cafe, "dan@example.org")
    link = path_of(link_to("dan@example.org"))
    dan = client_for(personas.b, personas.b.donor)
    assert dan.get(link).status_code == 404
    assert dan.post(link).status_code == 404
    assert not Staff.objects.exists()


def test_an_expired_invitation_is_refused(personas, client_for, cafe):
    invite(client_for(personas.a, personas.a.owner), cafe, "dora@example.org")
    StaffInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(personas.a, personas.a.donor).post(path_of(link_to("dora@example.org")))
    assert response.status_code == 404
    assert not Staff.objects.exists()


def test_the_owner_sees_the_pending_invitations_and_cancels_one(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    invite(owner, cafe, "dora@example.org")
    invitation = StaffInvitation.objects.get()
    assert "dora@example.org" in main(owner.get(staff_path(cafe)))
    response = owner.post(staff_path(cafe), {"cancel": invitation.pk})
    assert response.status_code == 302
    assert messages_of(response) == [shown("fr", "Invitation cancelled.")]
    assert "dora@example.org" not in main(owner.get(staff_path(cafe)))
    event = AuditEvent.objects.get(action="counter.staff_invitation_cancelled")
    assert (event.actor, event.object_label) == (personas.a.owner, "dora@example.org @ Café de la Gare")
    assert client_for(personas.a, personas.a.donor).post(path_of(link_to("dora@example.org"))).status_code == 404
    assert not Staff.objects.exists()


def test_a_new_invitation_replaces_the_pending_one(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    invite(owner, cafe, "dora@example.org")
    invite(owner, cafe, "dora@example.org")
    assert StaffInvitation.objects.pending().count() == 1


def test_an_owner_cannot_cancel_the_invitation_of_another_establishment(personas, client_for, cafe, other_cafe):
    invite(client_for(personas.a, other_cafe.establishment.owner), other_cafe, "dora@example.org")
    theirs = StaffInvitation.objects.get()
    response = client_for(personas.a, personas.a.owner).post(staff_path(cafe), {"cancel": theirs.pk})
    assert response.status_code == 302
    assert StaffInvitation.objects.pending().filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("oscar@example.org", "The owner can always use the counter."),
        ("dora@example.org", "This person can already use the counter."),
    ],
)
def test_who_need_not_be_invited(personas, client_for, cafe, email, message):
    """The owner's own address, and the people the list already shows."""
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    response = invite(client_for(personas.a, personas.a.owner), cafe, email)
    assert response.status_code == 400
    assert email_errors(response) == [shown("fr", message)]
    assert not StaffInvitation.objects.exists() and not mail.outbox


def test_an_invalid_address_is_refused_by_the_form(personas, client_for, cafe):
    response = invite(client_for(personas.a, personas.a.owner), cafe, "not an address")
    assert response.status_code == 400
    assert not StaffInvitation.objects.exists()


def test_invitations_are_rate_limited_per_owner(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    answers = [invite(owner, cafe, f"person{n}@example.org").status_code for n in range(21)]
    assert answers == [302] * 20 + [429]
    assert StaffInvitation.objects.count() == 20


def test_the_owner_removes_someone(personas, client_for, cafe):
    row = Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    owner = client_for(personas.a, personas.a.owner)
    response = owner.post(staff_path(cafe), {"remove": row.pk})
    assert response.status_code == 302
    assert messages_of(response) == [shown("fr", "%(email)s can no longer use the counter.", email="dora@example.org")]
    assert not Staff.objects.exists()
    assert AuditEvent.objects.get(action="counter.staff_removed").object_label == "dora@example.org @ Café de la Gare"
    assert client_for(personas.a, personas.a.donor).get(counter_path(cafe)).status_code == 404


def test_the_list_shows_who_may_redeem(personas, client_for, cafe):
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    page = main(client_for(personas.a, personas.a.owner).get(staff_path(cafe)))
    assert "dora@example.org" in page


def test_staff_may_redeem_but_not_manage_the_staff(personas, client_for, cafe):
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(staff_path(cafe)).status_code == 403
    assert invite(dora, cafe, "otto@example.org").status_code == 403
    assert Staff.objects.count() == 1 and not StaffInvitation.objects.exists()


def test_an_owner_cannot_remove_the_staff_of_another_establishment(personas, client_for, cafe, other_cafe):
    theirs = Staff.objects.create(establishment=other_cafe.establishment, user=personas.a.donor)
    response = client_for(personas.a, personas.a.owner).post(staff_path(cafe), {"remove": theirs.pk})
    assert response.status_code == 302
    assert Staff.objects.filter(pk=theirs.pk).exists()


def test_nobody_else_reaches_the_staff_page(personas, client_for, cafe, other_cafe):
    path = staff_path(cafe)
    assert client_for(personas.a).get(path)["Location"].startswith(reverse("account_login"))
    for user in (other_cafe.establishment.owner, personas.a.admin, personas.outsider):
        assert client_for(personas.a, user).get(path).status_code == 404
        assert invite(client_for(personas.a, user), cafe, "otto@example.org").status_code == 404
    assert client_for(personas.b, personas.a.owner).get(path).status_code == 404
    assert not StaffInvitation.objects.exists()
