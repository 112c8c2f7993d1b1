"""The public transparency page of a campaign (/campagnes/<slug>/transparence/): budget committed,
used and left, gifts, donors and beneficiaries, the distribution by département and category, and
what each beneficiary received — from the journal and the confirmed gifts, refunds taken off, no
donor ever named."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from solidaire.core.money import format_cents
from solidaire.opendata.figures import transparency

from ..donations.helpers import refund
from ..factories import CampaignFactory
from ..gifts import give, start

pytestmark = pytest.mark.django_db


def url(campaign) -> str:
    return reverse("opendata:transparency", args=[campaign.slug])


def page(client, campaign) -> str:
    response = client.get(url(campaign))
    assert response.status_code == 200
    return response.content.decode()


def test_figures_come_from_confirmed_gifts_and_the_journal(campaign, cafe, bar):
    refunded = give(cafe, 1000, email="one@example.org")
    give(cafe, 500, email="two@example.org")
    give(bar, 300, email="one@example.org")
    start(bar, 700, email="unpaid@example.org")  # reserved, not paid: not counted
    refund(refunded, amount_cents=400)
    figures = transparency(campaign)
    assert figures.budget_cents == campaign.matching_budget_cents
    assert figures.match_cents == 600 + 500 + 300
    assert figures.reserved_cents == 700
    assert figures.left_cents == campaign.matching_budget_cents - 1400 - 700
    assert figures.gifts_cents == 600 + 500 + 300
    assert (figures.gifts_count, figures.donors_count) == (3, 2)
    by_name = {b.trade_name: b for b in figures.beneficiaries}
    assert (by_name["Café de la Gare"].gifts_cents, by_name["Café de la Gare"].match_cents) == (1100, 1100)
    assert (by_name["Bar du Port"].gifts_cents, by_name["Bar du Port"].match_cents) == (300, 300)
    departements = {line.key: line for line in figures.by_departement}
    assert departements["67"].total_cents == 2200 and departements["68"].total_cents == 600
    assert [line.key for line in figures.by_category] == ["cafe"]
    assert figures.by_category[0].beneficiaries == 2


def test_a_fully_refunded_gift_no_longer_counts(campaign, cafe):
    refund(give(cafe, 500))
    figures = transparency(campaign)
    assert (figures.gifts_count, figures.donors_count, figures.match_cents) == (0, 0, 0)
    assert figures.beneficiaries == []


def test_anyone_reads_the_page(personas, client_for, campaign, cafe):
    give(cafe, 500)
    html = page(client_for(personas.a), campaign)
    assert "Café de la Gare" in html
    assert "Strasbourg" in html
    assert escape(format_cents(campaign.matching_budget_cents, "fr")) in html
    assert '<th scope="col">' in html and "<caption>" in html
    assert reverse("opendata:subventions_csv", args=[campaign.slug]) in html


def test_the_campaign_page_links_to_it(personas, client_for, campaign):
    response = client_for(personas.a).get(reverse("campaigns:public_detail", args=[campaign.slug]))
    assert url(campaign) in response.content.decode()


def test_no_donor_is_ever_named(personas, client_for, campaign, cafe):
    """Not even one who chose to be shown on the establishment’s page: this page names none."""
    give(cafe, 500, email="jeanne.martin@example.org", donor_name="Jeanne Martin", public_message="Tenez bon !")
    give(cafe, 500, email="paul.durand@example.org", donor_name="Paul Durand", anonymous=True)
    html = page(client_for(personas.a), campaign)
    for secret in ("Jeanne", "jeanne.martin", "Tenez bon", "Paul", "Durand", "paul.durand"):
        assert secret not in html


def test_drafts_and_other_collectivites_campaigns_answer_404(personas, client_for, campaign):
    draft = CampaignFactory(collectivite=personas.a.tenant, status="draft")
    theirs = CampaignFactory(collectivite=personas.b.tenant)
    client = client_for(personas.a)
    assert client.get(url(draft)).status_code == 404
    assert client.get(url(theirs)).status_code == 404
    assert client_for(personas.b).get(url(theirs)).status_code == 200


def test_closed_campaigns_stay_public(personas, client_for):
    closed = CampaignFactory(collectivite=personas.a.tenant, status="closed")
    assert client_for(personas.a).get(url(closed)).status_code == 200


def test_without_siret_the_page_says_what_is_missing(personas, client_for, campaign):
    personas.a.tenant.siret = ""
    personas.a.tenant.save(update_fields=["siret"])
    html = page(client_for(personas.a), campaign)
    assert reverse("opendata:subventions_csv", args=[campaign.slug]) not in html
    assert "SIRET" in html
