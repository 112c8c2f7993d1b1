"""The counter (GET/POST /mon-espace/etablissements/<pk>/caisse/): the owner or their staff types
a voucher’s code as the donor reads it. A typo is caught by the check character before any
look-up; a code of another establishment is answered exactly like a code of no voucher; typed
look-ups are rate-limited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.vouchers import codes
from solidaire.vouchers.models import Staff

from .helpers import approved_offer, counter_path, flat, main, shown, voucher_for, voucher_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    return voucher_for(cafe, 1000)


def look_up(client, registration, typed):
    return client.post(counter_path(registration), {"code": typed})


def code_errors(response) -> list[str]:
    return [flat(str(e)) for e in response.context["form"].errors.get("code", [])]


def mistyped(code: str) -> str:
    return code[:5] + ("A" if code[5] != "A" else "B") + code[6:]


def test_the_owner_finds_a_voucher_by_its_code(personas, client_for, cafe, voucher):
    response = look_up(client_for(personas.a, personas.a.owner), cafe, voucher.code)
    assert response.status_code == 302
    assert response["Location"] == voucher_path(voucher)


def test_staff_find_a_voucher_by_its_code(personas, client_for, cafe, voucher):
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    response = look_up(client_for(personas.a, personas.a.donor), cafe, voucher.code)
    assert response["Location"] == voucher_path(voucher)


@pytest.mark.parametrize(
    "as_typed",
    [
        lambda code: code.lower(),
        lambda code: codes.display(code),
        lambda code: codes.display(code).lower().replace("-", " "),
        lambda code: f"  {codes.display(code)}  ",
        lambda code: code.replace("0", "O").replace("1", "l"),
    ],
)
def test_the_code_is_accepted_as_people_type_it(personas, client_for, cafe, voucher, as_typed):
    response = look_up(client_for(personas.a, personas.a.owner), cafe, as_typed(voucher.code))
    assert response["Location"] == voucher_path(voucher)


def test_a_typo_is_caught_before_any_look_up(personas, client_for, cafe, voucher):
    owner = client_for(personas.a, personas.a.owner)
    owner.get(counter_path(cafe))
    with CaptureQueriesContext(connection) as queries:
        response = look_up(owner, cafe, mistyped(voucher.code))
    assert response.status_code == 400
    assert code_errors(response) == [shown("fr", "This code is not valid: check each character.")]
    assert [q["sql"] for q in queries.captured_queries if 'FROM "vouchers_voucher"' in q["sql"]] == []


@pytest.mark.parametrize("typed", ["1234", "", "7K3M-9QXT-2VHD-R8PN-CC"])
def test_something_that_is_no_code_is_refused(personas, client_for, cafe, voucher, typed):
    response = look_up(client_for(personas.a, personas.a.owner), cafe, typed)
    assert response.status_code == 400
    assert code_errors(response)


def test_a_code_of_another_establishment_is_answered_like_a_code_of_no_voucher(
    personas, client_for, cafe, other_cafe, voucher
):
    """The other café's owner learns nothing: not even that such a voucher exists."""
    other_owner = client_for(personas.a, other_cafe.establishment.owner)
    theirs = look_up(other_owner, other_cafe, voucher.code)
    nobodys = look_up(other_owner, other_cafe, codes.generate())
    assert theirs.status_code == nobodys.status_code == 400
    assert (
        code_errors(theirs) == code_errors(nobodys) == [shown("fr", "No voucher of this establishment has this code.")]
    )


def test_the_counter_of_an_establishment_is_only_for_its_owner_and_staff(
    personas, client_for, cafe, other_cafe, voucher
):
    Staff.objects.create(establishment=other_cafe.establishment, user=personas.a.donor)
    path = counter_path(cafe)
    assert client_for(personas.a).get(path)["Location"] == f"{reverse('account_login')}?next={path}"
    strangers = [
        other_cafe.establishment.owner,
        personas.a.donor,
        personas.a.admin,
        personas.a.moderator,
        personas.outsider,
    ]
    for user in strangers:
        assert client_for(personas.a, user).get(path).status_code == 404, user
        assert look_up(client_for(personas.a, user), cafe, voucher.code).status_code == 404, user
    assert client_for(personas.b, personas.a.owner).get(path).status_code == 404  # not on B's site


def test_typed_look_ups_are_rate_limited_per_person(personas, client_for, cafe, voucher):
    owner = client_for(personas.a, personas.a.owner)
    for _ in range(30):
        assert look_up(owner, cafe, codes.generate()).status_code == 400
    response = look_up(owner, cafe, voucher.code)  # even the right code, now
    assert response.status_code == 400
    assert code_errors(response) == [shown("fr", "Too many attempts: wait a minute.")]
    # Someone else at the same counter is not slowed down.
    Staff.objects.create(establishment=cafe.establishment, user=personas.a.donor)
    assert look_up(client_for(personas.a, personas.a.donor), cafe, voucher.code).status_code == 302


def test_the_counter_page_says_how_to_scan_or_type(personas, client_for, cafe):
    response = client_for(personas.a, personas.a.owner).get(counter_path(cafe))
    assert response.status_code == 200
    page = main(response)
    assert 'id="scanner"' in page and "hidden" in page.split('id="scanner"')[1].split(">")[0]
    assert 'name="code"' in page
