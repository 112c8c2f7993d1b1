"""What shops still owe in goods: the value left on vouchers that can still be used (active and
not past their last day). The owner sees it on the offer page of each registration; every team
member of the collectivité sees it per establishment on /gestion/bons/ — never another
collectivité’s."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from solidaire.core.money import format_cents
from solidaire.vouchers.models import Voucher

from ..donations.helpers import refund
from .helpers import approved_offer, flat, main, redeem, voucher_for

pytestmark = pytest.mark.django_db

OUTSTANDING = reverse("vouchers:outstanding")


def euros(cents) -> str:
    return flat(format_cents(cents, "fr"))


@pytest.fixture
def issued(personas, cafe, other_cafe, b_cafe):
    """Café de la Gare: five 12 € vouchers — one unused, one with 7 € left, one used, one refunded,
    one past its date (19 € still to honour). Bar du Marché: one 6 € voucher. Café de Metz (B): one."""
    approved_offer(cafe, personas.a.moderator)
    approved_offer(other_cafe, personas.a.moderator)
    approved_offer(b_cafe, personas.b.moderator)
    unused, partly, used, refunded, past = (voucher_for(cafe, 1000, email=f"d{i}@example.org") for i in range(5))
    redeem(partly, personas.a.owner, 500)
    redeem(used, personas.a.owner)
    refund(refunded.gift, actor=personas.a.finance)
    Voucher.objects.filter(pk=past.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    voucher_for(other_cafe, 500)
    voucher_for(b_cafe, 1000, email="dan@example.org")


def test_the_owner_sees_what_their_establishment_still_owes(personas, client_for, cafe, issued):
    response = client_for(personas.a, personas.a.owner).get(reverse("vouchers:offer", args=[cafe.pk]))
    assert response.context["outstanding"] == {"issued": 5, "value_issued": 6000, "outstanding": 1900, "live": 2}
    page = main(response)
    assert euros(6000) in page and euros(1900) in page


@pytest.mark.parametrize("role", ["admin", "moderator", "finance", "viewer"])
def test_every_team_member_sees_it_per_establishment(personas, client_for, cafe, other_cafe, issued, role):
    response = client_for(personas.a, getattr(personas.a, role)).get(OUTSTANDING)
    assert response.status_code == 200
    rows = {r.establishment.trade_name: (r.issued, r.value_issued, r.outstanding) for r in response.context["page"]}
    assert rows == {"Café de la Gare": (5, 6000, 1900), "Bar du Marché": (1, 600, 600)}
    assert response.context["totals"] == {"issued": 6, "value_issued": 6600, "outstanding": 2500, "live": 3}
    page = main(response)
    assert "Café de Metz" not in page
    assert euros(1900) in page and euros(2500) in page


def test_another_collectivite_sees_only_its_own(personas, client_for, issued):
    response = client_for(personas.b, personas.b.viewer).get(OUTSTANDING)
    assert [r.establishment.trade_name for r in response.context["page"]] == ["Café de Metz"]
    assert response.context["totals"]["outstanding"] == 1200
    page = main(response)
    assert "Café de la Gare" not in page and "Bar du Marché" not in page


def test_no_donor_is_named(personas, client_for, issued):
    page = main(client_for(personas.a, personas.a.admin).get(OUTSTANDING))
    assert "@example.org" not in page


def test_people_outside_the_team_are_refused(personas, client_for, issued):
    assert client_for(personas.a).get(OUTSTANDING)["Location"].startswith(reverse("account_login"))
    for user in (personas.a.owner, personas.a.donor, personas.outsider, personas.b.admin):
        assert client_for(personas.a, user).get(OUTSTANDING).status_code == 403, user


def test_nothing_issued_yet(personas, client_for):
    response = client_for(personas.a, personas.a.viewer).get(OUTSTANDING)
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert response.context["totals"]["outstanding"] == 0
