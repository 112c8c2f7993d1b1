"""Journey 6, the public side, in a real browser: an anonymous visitor opens the page of "Café
Solidaire", follows its link to the transparency page, reads the budget committed, used and left
and what each beneficiary received (tables with captions), downloads the open-data file (SCDL
"Subventions", one row per beneficiary) and opens the collectivité’s list of open data. Every page
reached is checked with axe-core; no donor is named anywhere."""

import csv
import datetime
import io

import pytest
from playwright.sync_api import expect

from tests.factories import CampaignFactory
from tests.gifts import approved_registration, give

from .test_counter import text_of

SLUG = "cafe-solidaire"


@pytest.fixture
def campaign(personas):
    tenant = personas.a.tenant
    tenant.siret = "20005226400013"
    tenant.save(update_fields=["siret"])
    campaign = CampaignFactory(
        collectivite=tenant,
        slug=SLUG,
        title="Café Solidaire",
        matching_budget_cents=20_000,
        decision_reference="Délibération CP-2020-118",
        decision_date=datetime.date(2020, 11, 20),
    )
    cafe = approved_registration(campaign, name="Café de la Gare", commune="67482")
    bar = approved_registration(campaign, name="Bar du Port", commune="68224")
    give(cafe, 1000, email="jeanne.martin@example.org", donor_name="Jeanne Martin", public_message="Tenez bon !")
    give(cafe, 500, email="paul@example.org")
    give(bar, 300, email="ana@example.org")
    return campaign


def test_a_visitor_reads_where_the_money_went_and_downloads_the_open_data(personas, open_page, campaign):
    legal = {r.establishment.legal_name: r.establishment.trade_name for r in campaign.registrations.all()}
    visitor = open_page(personas.a)
    visitor.goto(f"/campagnes/{SLUG}/")
    visitor.follow(visitor.locator(f"main a[href='/campagnes/{SLUG}/transparence/']"))
    assert visitor.path == f"/campagnes/{SLUG}/transparence/"

    page = text_of(visitor)
    assert "200 €" in page  # committed
    assert "18 €" in page  # used: 10 + 5 + 3 € matched one for one
    assert "182 €" in page  # left
    expect(visitor.locator("progress#transparency-budget")).to_have_attribute("value", "1800")
    expect(visitor.locator("main table caption")).to_have_count(4)  # every figure is a table

    rows = visitor.locator("section[aria-labelledby='beneficiaries-title'] tbody tr")
    expect(rows).to_have_count(2)
    cafe = text_of(visitor, "section[aria-labelledby='beneficiaries-title'] tbody tr:has-text('Café de la Gare')")
    assert "Strasbourg" in cafe and "15 €" in cafe and "30 €" in cafe  # 15 € given, 15 € matched, 30 € in all
    assert "Haut-Rhin (68)" in text_of(visitor, "section[aria-labelledby='departements-title'] table")
    for secret in ("Jeanne", "jeanne.martin", "Tenez bon", "paul@", "ana@"):
        assert secret not in visitor.content()

    with visitor.expect_download() as download:
        visitor.locator("main a[href$='/subventions.csv']").click()
    assert download.value.suggested_filename == f"subventions-{personas.a.tenant.slug}-{SLUG}.csv"
    with open(download.value.path(), encoding="utf-8") as file:
        lines = list(csv.DictReader(file))
    assert sorted((legal[line["nomBeneficiaire"]], line["montant"]) for line in lines) == [
        ("Bar du Port", "3.00"),
        ("Café de la Gare", "15.00"),
    ]
    assert {line["idAttribuant"] for line in lines} == {"20005226400013"}
    assert {line["referenceDecision"] for line in lines} == {"Délibération CP-2020-118"}

    # The same file as the browser fetches it (Playwright's own client cannot resolve *.localhost):
    # its type, its licence and schema sent along.
    response = visitor.evaluate(
        """url => fetch(url).then(async r => ({status: r.status, type: r.headers.get("content-type"),
            link: r.headers.get("link"), modified: r.headers.get("last-modified"), text: await r.text()}))""",
        f"/campagnes/{SLUG}/subventions.csv",
    )
    assert (response["status"], response["type"]) == (200, "text/csv; charset=utf-8")
    assert 'rel="license"' in response["link"] and 'rel="describedby"' in response["link"]
    assert response["modified"]
    assert next(csv.reader(io.StringIO(response["text"])))[0] == "nomAttribuant"

    visitor.follow(visitor.locator("main a[href='/donnees/']"))
    assert visitor.path == "/donnees/"
    datasets = text_of(visitor)
    assert "Café Solidaire" in datasets and "Licence Ouverte" in datasets
    expect(visitor.locator(f"main a[href='/campagnes/{SLUG}/subventions.csv']")).to_have_count(1)
