"""GET /api/v1/campaigns/{slug}: a campaign of the collectivité whose host is called, its rules
and live figures, amounts in integer cents."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from solidaire.campaigns.models import Campaign

from ..factories import CampaignFactory
from ..gifts import give, start

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/cafe-solidaire"


def test_campaign_rules_and_figures(personas, client_for, cafe):
    campaign = cafe.campaign
    Campaign.objects.filter(pk=campaign.pk).update(beneficiary_cap_cents=50_000, donor_limit_cents=2_000)
    give(cafe, 500)
    start(cafe, 1000, email="eve@example.org")
    response = client_for(personas.a).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("starts_at", "ends_at")} == {
        "slug": "cafe-solidaire",
        "title": "Café Solidaire",
        "summary": "Soutenez les cafés de votre commune.",
        "status": "published",
        "phase": "open",
        "min_gift_cents": 300,
        "max_gift_cents": 1000,
        "suggested_gifts_cents": [500, 1000],
        "matching_ratio": 1.0,
        "matching_ratio_percent": 100,
        "matching_budget_cents": 10_000_000,
        "matching_used_cents": 500,
        "matching_reserved_cents": 1000,
        "matching_left_cents": 9_998_500,
        "beneficiary_cap_cents": 50_000,
        "donor_limit_cents": 2_000,
        "gifts_total_cents": 500,
        "gifts_count": 1,
        "donors_count": 1,
    }
    assert body["starts_at"].startswith(str(campaign.starts_at.year))


def test_amounts_are_integers(personas, client_for, campaign):
    body = client_for(personas.a).get(URL).json()
    for key, value in body.items():
        if key.endswith("_cents") and value is not None:
            assert all(type(v) is int for v in value) if isinstance(value, list) else type(value) is int, key


@pytest.mark.parametrize(("percent", "ratio"), [(100, 1.0), (50, 0.5), (200, 2.0), (0, 0.0)])
def test_matching_ratio_is_public_money_per_euro_given(personas, client_for, percent, ratio):
    CampaignFactory(collectivite=personas.a.tenant, slug="ratio", matching_ratio_percent=percent)
    body = client_for(personas.a).get("/api/v1/campaigns/ratio").json()
    assert (body["matching_ratio"], body["matching_ratio_percent"]) == (ratio, percent)


def test_no_caps_are_null(personas, client_for, campaign):
    body = client_for(personas.a).get(URL).json()
    assert (body["beneficiary_cap_cents"], body["donor_limit_cents"]) == (None, None)


def test_figures_follow_confirmations_within_seconds(personas, client_for, cafe):
    client = client_for(personas.a)
    assert client.get(URL).json()["gifts_count"] == 0
    give(cafe, 500)
    cache.clear()  # the figures' three seconds are up
    assert client.get(URL).json()["gifts_count"] == 1


@pytest.mark.parametrize(
    ("change", "phase"),
    [({"status": "closed"}, "closed"), ({"ends_at_days": -1}, "ended"), ({"starts_at_days": 2}, "upcoming")],
)
def test_closed_ended_and_upcoming_campaigns_are_public_with_their_phase(personas, client_for, campaign, change, phase):
    updates = {}
    if "status" in change:
        updates["status"] = change["status"]
    if "ends_at_days" in change:
        updates["ends_at"] = timezone.now() + timedelta(days=change["ends_at_days"])
    if "starts_at_days" in change:
        updates["starts_at"] = timezone.now() + timedelta(days=change["starts_at_days"])
    Campaign.objects.filter(pk=campaign.pk).update(**updates)
    response = client_for(personas.a).get(URL)
    assert response.status_code == 200
    assert response.json()["phase"] == phase


def test_unknown_campaign_is_not_found(personas, client_for, campaign):
    response = client_for(personas.a).get("/api/v1/campaigns/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "not found", "code": "not_found"}


def test_draft_campaign_is_not_found(personas, client_for, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    assert client_for(personas.a).get(URL).status_code == 404


def test_the_other_collectivites_campaign_is_not_found(personas, client_for, campaign):
    CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire")
    assert client_for(personas.a).get("/api/v1/campaigns/metz-solidaire").status_code == 404
    assert client_for(personas.b).get(URL).status_code == 404


def test_an_unknown_host_has_no_api(campaign):
    assert Client(HTTP_HOST="nowhere.localhost").get(URL).status_code == 404
