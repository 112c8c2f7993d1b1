"""Against card testing and budget farming, starting gifts is rate limited: 20 an hour from one
address, 10 an hour for one e-mail address. Past the limit the donor is told to wait (429) and
no gift is recorded, nor any public money reserved. (The cache is cleared before each test.)"""

import pytest

from solidaire.donations.models import Gift

from ..campaigns.helpers import text
from .helpers import pools

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _open_holds_unlimited(settings):
    """Each gift here stays unpaid, its match held: the limit on holds open at once
    (test_open_holds_limit.py) would stop them first; these tests are about the hourly limits."""
    settings.SOLIDAIRE_HOLDS_PER_ADDRESS = settings.SOLIDAIRE_HOLDS_PER_EMAIL = settings.SOLIDAIRE_HOLDS_PER_DEVICE = (
        100
    )


def start_url(cafe) -> str:
    return f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/don/"


def give_from(client, cafe, email, ip="203.0.113.7"):
    return client.post(start_url(cafe), {"amount_choice": "500", "email": email}, REMOTE_ADDR=ip)


def test_the_21st_gift_started_from_one_address_within_an_hour_is_refused(personas, client_for, cafe):
    client = client_for(personas.a)
    statuses = [give_from(client, cafe, f"donor{n}@example.org").status_code for n in range(20)]
    assert statuses == [302] * 20
    used, reserved = pools(cafe.campaign)
    refused = give_from(client, cafe, "donor21@example.org")
    assert refused.status_code == 429
    assert "Too many gifts" in text(refused) or "Trop de dons" in text(refused)
    assert Gift.objects.count() == 20
    assert not Gift.objects.filter(email="donor21@example.org").exists()
    assert pools(cafe.campaign) == (used, reserved)


def test_another_address_may_still_give(personas, client_for, cafe):
    client = client_for(personas.a)
    for n in range(21):
        give_from(client, cafe, f"donor{n}@example.org")
    assert give_from(client, cafe, "neighbour@example.org", ip="198.51.100.20").status_code == 302


def test_the_11th_gift_started_with_one_e_mail_address_within_an_hour_is_refused(personas, client_for, cafe):
    client = client_for(personas.a)
    statuses = [give_from(client, cafe, "dora@example.org", ip=f"192.0.2.{n}").status_code for n in range(10)]
    assert statuses == [302] * 10
    assert give_from(client, cafe, "DORA@example.org", ip="192.0.2.99").status_code == 429
    assert Gift.objects.count() == 10


def test_invalid_forms_do_not_use_up_the_allowance(personas, client_for, cafe):
    client = client_for(personas.a)
    for _ in range(25):
        assert client.post(start_url(cafe), {"amount_choice": "500", "email": ""}).status_code == 400
    assert give_from(client, cafe, "dora@example.org", ip="127.0.0.1").status_code == 302


def test_the_api_shares_the_limit_with_the_form(personas, client_for, cafe):
    client = client_for(personas.a)
    for n in range(20):
        give_from(client, cafe, f"donor{n}@example.org")
    response = client.post(
        f"/api/v1/campaigns/{cafe.campaign.slug}/beneficiaries/{cafe.establishment_id}/gifts",
        {"amount_cents": 500, "email": "api@example.org"},
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert Gift.objects.count() == 20
