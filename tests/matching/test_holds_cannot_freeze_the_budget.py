"""Holds cannot freeze the budget: unpaid checkouts hold public money only so long and so many.
One client address, one e-mail address (tags and dots folded) and one browser may each hold only
a few at once (form and API alike); holds are shorter once the budget is nearly used; a hold is
released as soon as the checkout is abandoned; reserved money is shown apart from used money."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import TestCase
from django.utils import timezone

from solidaire.core.errors import ActionError
from solidaire.donations.actions import abandon_checkout
from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation

from ..campaigns.helpers import text
from ..gifts import approved_registration, pay, start
from .helpers import campaign_for, pools_of, split_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return campaign_for(personas.a, slug="cafe-solidaire")


@pytest.fixture
def cafe(campaign):
    return approved_registration(campaign)


def start_url(cafe) -> str:
    return f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/don/"


def form_gift(client, cafe, email, ip="203.0.113.7"):
    return client.post(start_url(cafe), {"amount_choice": "500", "email": email}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("again", ["ana@example.org", "ANA+2@example.org", "a.n.a@example.org"])
def test_one_email_holds_two_reservations_at_most(cafe, again):
    start(cafe, 500, email="ana@example.org")
    start(cafe, 500, email="ana+1@example.org")
    used, reserved = pools_of(cafe.campaign)["used"], pools_of(cafe.campaign)["reserved"]

    with pytest.raises(ActionError) as refused:
        start(cafe, 500, email=again)

    assert refused.value.code == "too_many_open_gifts"
    assert Gift.objects.count() == 2
    assert (pools_of(cafe.campaign)["used"], pools_of(cafe.campaign)["reserved"]) == (used, reserved)


@pytest.fixture
def cafes(campaign):
    """Several cafés: ana's gifts to one café are capped by the anti-farming rule, not here."""
    return [approved_registration(campaign) for _ in range(4)]


def test_a_paid_or_abandoned_reservation_makes_room_again(cafes):
    first = start(cafes[0], 500, email="ana@example.org")
    second = start(cafes[1], 500, email="ana@example.org")
    pay(first)
    third = start(cafes[2], 500, email="ana@example.org")
    with TestCase.captureOnCommitCallbacks(execute=True):
        abandon_checkout(second)
    assert start(cafes[3], 500, email="ana@example.org").match_promised_cents == 500
    assert third.match_promised_cents == 500


def test_an_expired_reservation_no_longer_counts(cafes):
    an_hour_ago = timezone.now() - timedelta(hours=1)
    start(cafes[0], 500, email="ana@example.org", now=an_hour_ago)
    start(cafes[1], 500, email="ana@example.org", now=an_hour_ago)
    assert start(cafes[2], 500, email="ana@example.org").match_promised_cents == 500


def test_one_client_address_holds_five_reservations_at_most_through_the_form(personas, client_for, cafe):
    statuses = [
        form_gift(client_for(personas.a), cafe, f"donor{n}@example.org").status_code
        for n in range(settings.SOLIDAIRE_HOLDS_PER_ADDRESS + 1)
    ]
    assert statuses == [302] * settings.SOLIDAIRE_HOLDS_PER_ADDRESS + [429]
    refused = form_gift(client_for(personas.a), cafe, "late@example.org")
    assert "waiting for payment" in text(refused) or "attente" in text(refused)
    assert form_gift(client_for(personas.a), cafe, "elsewhere@example.org", ip="198.51.100.9").status_code == 302


def test_one_browser_holds_three_reservations_at_most(personas, client_for, cafe):
    """The same browser (its signed cookie), from changing addresses."""
    browser = client_for(personas.a)
    statuses = [
        form_gift(browser, cafe, f"donor{n}@example.org", ip=f"203.0.113.{n}").status_code
        for n in range(settings.SOLIDAIRE_HOLDS_PER_DEVICE + 1)
    ]
    assert statuses == [302] * settings.SOLIDAIRE_HOLDS_PER_DEVICE + [429]
    assert form_gift(client_for(personas.a), cafe, "fresh@example.org", ip="203.0.113.99").status_code == 302


def test_the_api_refuses_the_same_way(personas, client_for, cafe):
    api = client_for(personas.a)
    url = f"/api/v1/campaigns/{cafe.campaign.slug}/beneficiaries/{cafe.establishment_id}/gifts"
    body = json.dumps({"amount_cents": 500, "email": "ana@example.org"})
    assert [api.post(url, body, content_type="application/json").status_code for _ in range(2)] == [201, 201]
    refused = api.post(url, body, content_type="application/json")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_open_gifts"


def test_holds_are_shorter_once_less_than_a_tenth_of_the_budget_is_left(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=10_000)
    split_budget(campaign, [10_000])
    cafes = [approved_registration(campaign) for _ in range(10)]
    for n, cafe in enumerate(cafes[:9]):
        pay(start(cafe, 1000, email=f"donor{n}@example.org"))  # 90 € of 100 € used
    now = timezone.now()
    plenty = campaign_for(personas.a, slug="plenty")
    normal = start(approved_registration(plenty), 500, email="x@example.org", now=now)
    scarce = start(cafes[9], 500, email="y@example.org", now=now)

    assert normal.reservation_expires_at == now + timedelta(minutes=settings.SOLIDAIRE_RESERVATION_MINUTES)
    assert scarce.reservation_expires_at == now + timedelta(minutes=settings.SOLIDAIRE_RESERVATION_MINUTES_SCARCE)
    assert settings.SOLIDAIRE_RESERVATION_MINUTES_SCARCE < settings.SOLIDAIRE_RESERVATION_MINUTES


def test_leaving_the_hosted_page_releases_the_hold_at_once(personas, client_for, cafe):
    gift = start(cafe, 500)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(personas.a).post(f"/sandbox/paiement/{gift.checkout_id}/", {"outcome": "abandon"})
    assert response["Location"] == gift.checkout_url.split("/sandbox/")[0] + f"/dons/{gift.pk}/?t={gift.token}"
    gift.refresh_from_db()
    assert gift.status == "expired"
    assert Allocation.objects.get(gift=gift).status == "released"
    assert pools_of(cafe.campaign)["reserved"] == 0


def test_the_donor_cancelling_on_the_gift_page_releases_the_hold(personas, client_for, cafe):
    gift = start(cafe, 500)
    donor = client_for(personas.a)
    assert 'action="/dons/' in text(donor.get(f"/dons/{gift.pk}/?t={gift.token}"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = donor.post(f"/dons/{gift.pk}/annuler/", {"t": gift.token})
    assert response.status_code == 302
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("expired", 0)
    assert pools_of(cafe.campaign)["reserved"] == 0
    assert donor.post(f"/dons/{gift.pk}/annuler/", {"t": "0" * 43}).status_code == 404


def test_reserved_money_is_shown_apart_from_used_money(personas, client_for, campaign, cafe):
    pay(start(cafe, 1000, email="ana@example.org"))
    start(cafe, 500, email="bob@example.org")
    from django.core.cache import cache

    cache.clear()  # the live figures are cached for a few seconds
    public = text(client_for(personas.a).get(f"/en/campagnes/{campaign.slug}/"))
    assert "Public money used: €10" in public and "€5 reserved for payments in progress" in public
    back_office = text(client_for(personas.a, personas.a.admin).get("/en/gestion/"))
    assert "(+ €5 reserved)" in back_office
    api = client_for(personas.a).get(f"/api/v1/campaigns/{campaign.slug}").json()
    assert (api["matching_used_cents"], api["matching_reserved_cents"]) == (1000, 500)
