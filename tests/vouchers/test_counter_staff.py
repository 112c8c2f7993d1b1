"""The owner chooses who may redeem at the counter (GET/POST
/mon-espace/etablissements/<pk>/equipe/): by the e-mail address of their account. Staff may
redeem and nothing else; only the owner manages the list; each change is in the audit log."""

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.vouchers.models import Staff

from .helpers import counter_path, flat, main, messages_of, shown

pytestmark = pytest.mark.django_db


def staff_path(registration) -> str:
    return reverse("vouchers:staff", args=[registration.establishment_id])


def add(client, registration, email):
    return client.post(staff_path(registration), {"email": email})


def email_errors(response) -> list[str]:
    return [flat(str(e)) for e in response.context["form"].errors.get("email", [])]


def test_the_owner_adds_someone_by_the_email_of_their_account(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    response = add(owner, cafe, "  DORA@example.org ")
    assert response.status_code == 302 and response["Location"] == staff_path(cafe)
    row = Staff.objects.get()
    assert (row.establishment, row.user, row.added_by) == (cafe.establishment, personas.a.donor, personas.a.owner)
    event = AuditEvent.objects.get(action="counter.staff_added")
    assert (event.actor, event.collectivite, event.object_label) == (
        personas.a.owner,
        personas.a.tenant,
        "dora@example.org @ Café de la Gare",
    )
    # The new staff member now reaches the counter, and finds it from their space.
    dora = client_for(personas.a, personas.a.donor)
    assert dora.get(counter_path(cafe)).status_code == 200
    home = dora.get(reverse("beneficiaries:owner_home"))
    assert list(home.context["counters"]) == [cafe.establishment]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No account uses this e-mail address: ask the person to create one first."),
        ("oscar@example.org", "The owner can always use the counter."),
    ],
)
def test_who_cannot_be_added(personas, client_for, cafe, email, message):
    response = add(client_for(personas.a, personas.a.owner), cafe, email)
    assert response.status_code == 400
    assert email_errors(response) == [shown("fr", message)]
    assert not Staff.objects.exists()
    assert not AuditEvent.objects.filter(action="counter.staff_added").exists()


def test_someone_is_added_once(personas, client_for, cafe):
    owner = client_for(personas.a, personas.a.owner)
    add(owner, cafe, "dora@example.org")
    response = add(owner, cafe, "dora@example.org")
    assert email_errors(response) == [shown("fr", "This person can already use the counter.")]
    assert Staff.objects.count() == 1


def test_an_invalid_address_is_refused_by_the_form(personas, client_for, cafe):
    response = add(client_for(personas.a, personas.a.owner), cafe, "not an address")
    assert response.status_code == 400
    assert not Staff.objects.exists()


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
    assert add(dora, cafe, "otto@example.org").status_code == 403
    assert Staff.objects.count() == 1


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
        assert add(client_for(personas.a, user), cafe, "otto@example.org").status_code == 404
    assert client_for(personas.b, personas.a.owner).get(path).status_code == 404
    assert not Staff.objects.exists()
