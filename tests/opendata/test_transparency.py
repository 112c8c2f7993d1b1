"""The public transparency page of a campaign (/campagnes/<slug>/transparence/): budget committed,
used and left, gifts, donors and beneficiaries, the distribution by département and category, and
what each beneficiary received — from the journal and the confirmed gifts, refunds taken off, no
donor ever named."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from solidaire.core.money import format_cents
from solidaire.opendata import views
from solidaire.opendata.figures import Breakdown, transparency

from ..donations.helpers import refund
from ..factories import CampaignFactory
from ..gifts import approved_registration, give, start

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


def _queries(client, path: str) -> int:
    client.get(path)  # the first request fills the caches (tenant, site settings)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_many_beneficiaries_cost_no_more_queries_and_are_listed_page_by_page(
    personas, client_for, campaign, cafe, bar, monkeypatch
):
    """The figures are a handful of aggregate queries whatever the number of beneficiaries, and
    the list shows one page of them at a time (the totals and distributions cover them all)."""
    monkeypatch.setattr(views, "PER_PAGE", 10)
    client = client_for(personas.a)
    give(cafe, 500, email="one@example.org")
    give(bar, 500, email="two@example.org")
    paths = [url(campaign), url(campaign) + "?page=2", reverse("opendata:subventions_csv", args=[campaign.slug])]
    few = [_queries(client, path) for path in paths]

    for n in range(23):
        give(approved_registration(campaign, name=f"Estaminet {n:02d}"), 300, email=f"d{n}@example.org")
    many = [_queries(client, path) for path in paths]
    assert many == few, "no query per beneficiary"
    assert max(many) <= 20

    figures = transparency(campaign)
    assert len(figures.beneficiaries) == 25 and figures.gifts_count == 25
    first, third = page(client, campaign), client.get(url(campaign) + "?page=3").content.decode()
    assert first.count('<tr>\n              <th scope="row">') == 10
    assert "Bar du Port" in first and "Estaminet 00" in first and "Estaminet 22" not in first
    assert "Estaminet 22" in third and "Bar du Port" not in third
    assert 'rel="next"' in first and "?page=2" in first
    assert escape(format_cents(figures.gifts_cents, "fr")) in third  # the totals are the whole campaign’s
    assert "<td>25</td>" in third


def test_the_budget_is_drawn_and_given_as_a_table_too(personas, client_for, campaign, cafe):
    give(cafe, 1000)
    html = page(client_for(personas.a), campaign)
    assert f'<progress id="transparency-budget" max="{campaign.matching_budget_cents}" value="1000">' in html
    assert '<label for="transparency-budget">' in html
    assert html.count("<caption>") == 4  # totals, by département, by category, beneficiaries
    assert html.count('<th scope="row">') >= 7


def test_french_typography(personas, client_for, campaign, cafe):
    """Amounts, counts and percentages as French writes them: never a breaking space before
    % or €, thousands grouped with a non-breaking space."""
    give(cafe, 1000)
    html = page(client_for(personas.a), campaign)
    main = html[html.index("<main") : html.index("</main>")]
    assert " %" not in main and " €" not in main
    assert "0\u00a0%" in main or "0&nbsp;%" in main
    with override("fr"):
        line = Breakdown(key="cafe", label="Café", beneficiaries=1234, gifts_count=123456)
        table = render_to_string("opendata/includes/breakdown.html", {"lines": [line]})
    assert "1\u00a0234" in table and "123\u00a0456" in table
