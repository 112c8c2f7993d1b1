"""POST /api/v1/campaigns/{slug}/beneficiaries/{id}/gifts: start a gift from another website.
A valid request reserves the match and answers 201 with the gift's id, its secret token, the
hosted checkout URL, the match promised and until when; an invalid one answers 400 naming the
field, and records nothing."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from solidaire.campaigns.models import Campaign
from solidaire.donations.models import Gift
from solidaire.matching.models import Pool
from solidaire.payments.models import SandboxCheckout

from ..factories import CampaignFactory
from ..gifts import approved_registration

pytestmark = pytest.mark.django_db


def url(cafe) -> str:
    return f"/api/v1/campaigns/{cafe.campaign.slug}/beneficiaries/{cafe.establishment_id}/gifts"


def post(client, cafe, payload=None, **overrides):
    body = {"amount_cents": 500, "email": "dora@example.org"} if payload is None else payload
    body.update(overrides)
    return client.post(url(cafe), body, content_type="application/json")


def reserved(campaign) -> int:
    return sum(p.reserved_cents for p in Pool.objects.filter(campaign=campaign))


def test_a_gift_is_started_and_described(personas, client_for, cafe):
    response = post(
        client_for(personas.a),
        cafe,
        donor_name="Dora",
        public_message="Tenez bon !",
        anonymous=True,
        contact_consent=True,
        language="de",
    )
    assert response.status_code == 201
    body = response.json()
    gift = Gift.objects.get()
    assert body == {
        "gift_id": str(gift.pk),
        "token": gift.token,
        "status": "pending",
        "amount_cents": 500,
        "checkout_url": gift.checkout_url,
        "match_promised_cents": 500,
        "match_note": "",
        "reservation_expires_at": body["reservation_expires_at"],
    }
    # to the millisecond, as JSON carries it
    assert abs(datetime.fromisoformat(body["reservation_expires_at"]) - gift.reservation_expires_at) < timedelta(
        milliseconds=1
    )
    # The sandbox's hosted page, in the donor’s language.
    assert body["checkout_url"].startswith("http://grand-est.localhost/de/sandbox/paiement/cs_test_")
    assert (
        client_for(personas.a).get(body["checkout_url"].removeprefix("http://grand-est.localhost")).status_code == 200
    )
    assert (gift.donor_name, gift.public_message, gift.anonymous, gift.contact_consent, gift.language) == (
        "Dora",
        "Tenez bon !",
        True,
        True,
        "de",
    )
    assert reserved(cafe.campaign) == 500


def test_the_checkout_sends_the_donor_back_to_the_gift_page_in_their_language(personas, client_for, cafe):
    post(client_for(personas.a), cafe, language="en")
    gift = Gift.objects.get()
    checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
    assert checkout.success_url == f"http://grand-est.localhost/en/dons/{gift.pk}/?t={gift.token}&returned=1"
    assert checkout.notify_url == "http://grand-est.localhost/paiements/notifications/sandbox/"


def test_only_the_required_fields(personas, client_for, cafe):
    response = post(client_for(personas.a), cafe, {"amount_cents": 1000, "email": "eve@example.org"})
    assert response.status_code == 201
    gift = Gift.objects.get()
    assert (gift.amount_cents, gift.language, gift.anonymous, gift.donor_name) == (1000, "fr", False, "")


def test_no_match_left_is_said_before_paying(personas, client_for):
    empty = CampaignFactory(collectivite=personas.a.tenant, slug="vide", matching_budget_cents=0)
    cafe = approved_registration(empty)
    body = post(client_for(personas.a), cafe).json()
    assert (body["match_promised_cents"], body["match_note"], body["reservation_expires_at"]) == (0, "budget", None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"amount_cents": 299, "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": 1001, "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": 0, "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": -500, "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": 5.5, "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": "cinq", "email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": None, "email": "dora@example.org"}, "amount_cents"),
        ({"email": "dora@example.org"}, "amount_cents"),
        ({"amount_cents": 500}, "email"),
        ({"amount_cents": 500, "email": "dora"}, "email"),
        ({"amount_cents": 500, "email": ""}, "email"),
        ({"amount_cents": 500, "email": 42}, "email"),
        ({"amount_cents": 500, "email": "a@b.fr", "anonymous": "maybe"}, "anonymous"),
        ({"amount_cents": 500, "email": "a@b.fr", "language": "it"}, "language"),
        ({"amount_cents": 500, "email": "a@b.fr", "donor_name": "x" * 121}, "donor_name"),
        ({"amount_cents": 500, "email": "a@b.fr", "public_message": "x" * 281}, "public_message"),
    ],
)
def test_invalid_requests_name_the_field_and_record_nothing(personas, client_for, cafe, payload, field):
    response = post(client_for(personas.a), cafe, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body["detail"]
    assert not Gift.objects.exists()
    assert reserved(cafe.campaign) == 0


def test_a_body_that_is_not_json_is_refused(personas, client_for, cafe):
    response = client_for(personas.a).post(url(cafe), "amount_cents=500", content_type="application/json")
    assert response.status_code == 400
    assert not Gift.objects.exists()


@pytest.mark.parametrize("change", [{"status": "closed"}, {"ends_at": "past"}])
def test_a_campaign_not_open_refuses_gifts(personas, client_for, cafe, change):
    if change.get("ends_at") == "past":
        change = {"ends_at": timezone.now()}
    Campaign.objects.filter(pk=cafe.campaign_id).update(**change)
    response = post(client_for(personas.a), cafe)
    assert response.status_code == 400
    assert response.json()["code"] == "campaign_closed"
    assert not Gift.objects.exists()


def test_unknown_beneficiary_draft_campaign_and_other_collectivite_are_not_found(personas, client_for, cafe):
    client = client_for(personas.a)
    assert (
        client.post(
            "/api/v1/campaigns/cafe-solidaire/beneficiaries/999999/gifts",
            {"amount_cents": 500, "email": "dora@example.org"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert post(client_for(personas.b), cafe).status_code == 404
    Campaign.objects.filter(pk=cafe.campaign_id).update(status="draft")
    assert post(client, cafe).status_code == 404
    assert not Gift.objects.exists()


def test_no_cookie_or_csrf_token_is_needed(personas, cafe):
    response = post(Client(HTTP_HOST=personas.a.host, enforce_csrf_checks=True), cafe)
    assert response.status_code == 201


def test_only_post_starts_a_gift(personas, client_for, cafe):
    assert client_for(personas.a).get(url(cafe)).status_code == 405


def test_payment_provider_unreachable_is_a_502_and_the_reservation_is_released(personas, client_for, cafe, monkeypatch):
    from solidaire.payments.providers import ProviderError
    from solidaire.payments.providers.sandbox import SandboxProvider

    def refuse(self, gift, **urls):
        raise ProviderError("connection refused")

    monkeypatch.setattr(SandboxProvider, "create_checkout", refuse)
    response = post(client_for(personas.a), cafe)
    assert response.status_code == 502
    assert response.json()["code"] == "provider"
    gift = Gift.objects.get()
    assert (gift.status, gift.checkout_url) == ("failed", "")
    assert gift.allocation.status == "released"
    assert reserved(cafe.campaign) == 0
