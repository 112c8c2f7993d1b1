"""Journey 6 in a real browser: victor, the viewer of Région Grand Est, signs in, opens the
dashboard from the back office's navigation, then the dashboard of "Café Solidaire": the figures,
the forecast with how it was computed, the four charts drawn (SVG pictures the page's policy
lets through) each with its table; he filters on Haut-Rhin with the form (no script needed) and
downloads the figures as CSV. Every page reached is checked with axe-core."""

import pytest
from playwright.sync_api import expect

from tests.gifts import give
from tests.reporting.helpers import beneficiaries, campaign_for, days_ago

from .test_counter import sign_in, text_of


@pytest.fixture
def campaign(personas):
    campaign = campaign_for(personas.a, slug="cafe-solidaire", title="Café Solidaire", matching_budget_cents=20_000)
    campaign.starts_at = campaign.starts_at.replace(year=campaign.starts_at.year - 1)
    campaign.save(update_fields=["starts_at"])
    strasbourg_cafe, strasbourg_bar, mulhouse = beneficiaries(campaign)
    for ago in range(1, 8):
        days_ago(give(strasbourg_cafe, 500, email=f"donor{ago}@example.org"), ago)
    days_ago(give(strasbourg_bar, 1000, email="ana@example.org"), 1)
    days_ago(give(mulhouse, 400, email="chloe@example.org"), 2)
    return campaign


def test_the_viewer_reads_the_dashboard_and_downloads_its_figures(personas, open_page, campaign):
    victor = open_page(personas.a, java_script_enabled=False)
    sign_in(victor, personas.a.viewer)

    victor.goto("/gestion/")
    victor.follow(victor.locator("nav.subnav a[href='/gestion/tableau-de-bord/']"))
    assert "Café Solidaire" in text_of(victor)
    victor.follow(victor.locator("main a[href='/gestion/campagnes/cafe-solidaire/tableau-de-bord/']"))

    page = text_of(victor)
    assert "49" in page  # 7 × 5 € + 10 € + 4 € given
    assert "151" in page  # 200 € of public budget, 49 € used: 151 € left
    forecast = victor.locator(".report-forecast")
    expect(forecast).to_have_count(1)
    charts = victor.locator(".report-chart img")
    expect(charts).to_have_count(4)
    for n in range(4):  # every picture drawn: the policy did not refuse it
        assert victor.evaluate("img => img.complete && img.naturalWidth > 0", charts.nth(n).element_handle())
    assert victor.locator(".report-chart table caption").count() >= 4

    victor.select_option("#id_departement", "68")
    victor.follow(victor.locator("form.filters button[type=submit]"))
    assert "departement=68" in victor.path
    assert "Mulhouse" in text_of(victor, ".report-chart:last-of-type table")

    with victor.expect_download() as download:
        victor.locator("main a[href*='chiffres.csv']").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Mulhouse" in content and "Strasbourg" not in content
