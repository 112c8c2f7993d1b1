"""The public campaign page /campagnes/<slug>/: title, rules and a progress bar of the public
budget; drafts and other collectivités' campaigns do not exist here; text is never taken as HTML."""

import re

import pytest

from solidaire.campaigns.models import Campaign
from solidaire.geo.models import Commune
from solidaire.matching.engine import sync_pools
from solidaire.matching.models import Pool
from tests.factories import CampaignFactory
from tests.gifts import approved_registration, give

from .helpers import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return CampaignFactory(
        collectivite=personas.a.tenant,
        slug="cafe-solidaire",
        title="Café Solidaire",
        summary="Soutenez les bars et cafés d’Alsace.",
        min_gift_cents=300,
        max_gift_cents=1000,
        suggested_gifts_cents=[500, 1000],
        matching_ratio_percent=100,
        matching_budget_cents=10_000_000,
        beneficiary_cap_cents=500_000,
        donor_limit_cents=5000,
        categories=["bar", "cafe"],
    )


def page(personas, client_for, slug="cafe-solidaire", side="a", user=None):
    return client_for(getattr(personas, side), user).get(f"/campagnes/{slug}/")


def test_page_shows_title_summary_and_rules(personas, client_for, campaign):
    response = page(personas, client_for)
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Café Solidaire</h1>" in body
    assert "Soutenez les bars et cafés d’Alsace." in body
    for amount in ("3 €", "10 €", "5 €", "100 000 €", "5 000 €", "50 €"):
        assert amount in body, amount
    assert "Région Grand Est" in body


def test_page_shows_what_a_suggested_gift_becomes_with_matching(personas, client_for, campaign):
    rules = re.search(r'<dl class="rules">(.*?)</dl>', text(page(personas, client_for)), re.S).group(1)
    matching = " ".join(re.findall(r"<dd>(.*?)</dd>", rules, re.S)[1].split())
    # 5 € given, doubled: the beneficiary receives 10 €.
    assert re.search(r"100 %.*5 €.*10 €\.$", matching), matching


def test_budget_bar_is_empty_before_any_gift(personas, client_for, campaign):
    body = text(page(personas, client_for))
    assert 'max="10000000" value="0">0 %</progress>' in body


def _small_budget(campaign, cents):
    Campaign.objects.filter(pk=campaign.pk).update(matching_budget_cents=cents)
    campaign.refresh_from_db()
    Pool.objects.filter(campaign=campaign).delete()
    sync_pools(campaign)
    return campaign


def test_budget_bar_moves_with_the_public_money_used(personas, client_for, campaign):
    campaign = _small_budget(campaign, 2000)  # 20 €
    give(approved_registration(campaign), 500)  # doubled: 5 € of public money
    body = text(page(personas, client_for))
    assert 'max="2000" value="500">25 %</progress>' in body
    assert "5 €" in body
    assert "15 €" in body  # what is left


def test_budget_bar_is_full_when_the_budget_is_spent(personas, client_for, campaign):
    campaign = _small_budget(campaign, 1000)
    give(approved_registration(campaign), 1000)
    assert 'value="1000">100 %</progress>' in text(page(personas, client_for))


def test_territory_of_communes_is_listed_by_name(personas, client_for, campaign):
    campaign.territory_scope = "communes"
    campaign.save(update_fields=["territory_scope"])
    campaign.communes.set(Commune.objects.filter(insee_code__in=["67482", "68224"]))
    body = text(page(personas, client_for))
    assert "Strasbourg" in body and "Mulhouse" in body


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_draft_is_not_found_on_the_public_site(personas, client_for, who):
    CampaignFactory(collectivite=personas.a.tenant, slug="brouillon", status="draft", published_at=None)
    user = personas.a.admin if who == "admin" else None
    assert page(personas, client_for, slug="brouillon", user=user).status_code == 404


def test_campaign_of_another_collectivite_is_not_found(personas, client_for):
    CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire")
    assert page(personas, client_for, slug="metz-solidaire", side="a").status_code == 404
    assert page(personas, client_for, slug="metz-solidaire", side="b").status_code == 200


def test_same_slug_in_two_collectivites_shows_each_its_own(personas, client_for, campaign):
    CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire", title="Metz Solidaire")
    assert "<h1>Café Solidaire</h1>" in text(page(personas, client_for, side="a"))
    assert "<h1>Metz Solidaire</h1>" in text(page(personas, client_for, side="b"))


def test_unknown_campaign_is_not_found(personas, client_for):
    assert page(personas, client_for, slug="nulle-part").status_code == 404


def test_html_in_the_campaign_is_shown_as_text(personas, client_for):
    CampaignFactory(
        collectivite=personas.a.tenant,
        slug="piege",
        title="<script>alert('titre')</script>",
        summary='"><img src=x onerror=alert(1)>',
        description="<b>gras</b>\n<script>alert('texte')</script>",
    )
    body = page(personas, client_for, slug="piege").content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "<b>gras</b>" not in body
    assert "&lt;script&gt;alert(&#x27;texte&#x27;)&lt;/script&gt;" in body
    assert "&lt;b&gt;gras&lt;/b&gt;" in body


def test_closed_campaign_page_is_still_shown(personas, client_for, campaign):
    campaign.status = "closed"
    campaign.save(update_fields=["status"])
    response = page(personas, client_for)
    assert response.status_code == 200
    assert "phase-closed" in response.content.decode()
