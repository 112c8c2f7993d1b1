"""The dashboards as the team sees them: figures, forecast, charts as SVG pictures next to
tables with the same figures, filters, CSV and XLSX downloads; another collectivité’s campaign
is not found."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from solidaire.reporting import figures as figures_module
from solidaire.reporting import forecast

from ..gifts import give
from .helpers import beneficiaries, campaign_for, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    campaign = campaign_for(personas.a, slug="cafe-solidaire", title="Café Solidaire", matching_budget_cents=20_000)
    strasbourg_cafe, strasbourg_bar, mulhouse = beneficiaries(campaign)
    for ago in range(1, 10):
        days_ago(give(strasbourg_cafe, 500, email=f"donor{ago}@example.org"), ago)
    days_ago(give(strasbourg_bar, 1000, email="ana@example.org"), 1)
    days_ago(give(mulhouse, 400, email="chloe@example.org"), 2)
    return campaign


URL = "/gestion/campagnes/cafe-solidaire/tableau-de-bord/"


def text(response) -> str:
    return response.content.decode()


def test_the_viewer_sees_the_figures_the_forecast_and_charts_with_their_tables(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.viewer).get(URL)

    assert response.status_code == 200
    page = text(response)
    # 9 × 5 € + 10 € + 4 €, doubled: 59 € given, 59 € matched, 141 € of 200 € left.
    assert "59" in page and "141" in page
    assert page.count("<img") == 4
    for name in ("days", "departements", "categories", "communes"):
        assert f'src="{URL}graphiques/{name}.svg"' in page
    assert page.count("<table") >= 4 and "<caption>" in page and 'scope="col"' in page
    assert "Strasbourg" in page and "Mulhouse" in page
    assert response.context["forecast"].outcome == forecast.RUNS_OUT
    assert "style=" not in page and "<script>" not in page


def test_a_chart_is_an_svg_picture_without_script(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.finance).get(f"{URL}graphiques/days.svg")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = text(response)
    assert svg.lstrip().startswith("<svg") and "<script" not in svg
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert client_for(personas.a, personas.a.finance).get(f"{URL}graphiques/nothing.svg").status_code == 404


def test_filters_narrow_the_page_and_keep_to_the_charts_and_downloads(personas, client_for, campaign):
    client = client_for(personas.a, personas.a.viewer)

    response = client.get(URL, {"departement": "68"})

    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.given_cents, figures.gifts) == (400, 1)
    assert f'{URL}graphiques/communes.svg?departement=68"' in text(response)
    assert f'{URL}chiffres.csv?departement=68"' in text(response)


def test_a_period_ending_before_it_starts_is_refused_and_ignored(personas, client_for, campaign):
    today = timezone.localdate()
    response = client_for(personas.a, personas.a.viewer).get(
        URL, {"start": (today - timedelta(days=2)).isoformat(), "end": (today - timedelta(days=5)).isoformat()}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    # The start still applies: the gifts of the last two days, 2 × 5 € + 10 € + 4 €.
    assert response.context["figures"].given_cents == 2400


def test_an_unknown_commune_is_refused(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.viewer).get(URL, {"commune": "75056"})
    assert response.status_code == 400
    assert response.context["figures"].given_cents == 5900


def test_the_csv_has_the_tables_shown_with_the_filters(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.viewer).get(f"{URL}chiffres.csv", {"departement": "67"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "table"
    tables = {row[0] for row in rows[1:]}
    assert tables == {"summary", "days", "departements", "communes", "categories"}
    assert ["departements", "67", "Bas-Rhin", "10", "55,00", "55,00", "110,00"] in rows
    assert not any(row[0] == "communes" and row[1] == "68224" for row in rows)  # filtered out
    days = [row for row in rows if row[0] == "days"]
    assert len(days) == 9 and sum(int(row[2 + 1]) for row in days) == 10


def test_the_xlsx_has_a_sheet_per_table(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.finance).get(f"{URL}chiffres.xlsx")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    for sheet in ("days", "departements", "communes", "categories"):
        assert f'name="{sheet}"' in workbook
    assert "Strasbourg" in strings and "Mulhouse" in strings
    assert client_for(personas.a, personas.a.finance).get(f"{URL}chiffres.pdf").status_code == 404


def test_the_summary_lists_the_campaigns_with_their_forecast(personas, client_for, campaign):
    response = client_for(personas.a, personas.a.admin).get("/gestion/tableau-de-bord/")

    assert response.status_code == 200
    assert "Café Solidaire" in text(response)
    assert response.context["figures"].given_cents == 5900
    assert client_for(personas.a, personas.a.admin).get("/gestion/tableau-de-bord/chiffres.csv").status_code == 200
    svg = client_for(personas.a, personas.a.admin).get("/gestion/tableau-de-bord/graphiques/categories.svg")
    assert svg["Content-Type"].startswith("image/svg+xml")


def test_another_collectivites_campaign_is_not_found(personas, client_for, campaign):
    theirs = campaign_for(personas.b, slug="metz-solidaire")
    give(beneficiaries(theirs, [("57463", "cafe")])[0], 900)
    bob = client_for(personas.a, personas.b.admin)
    alice = client_for(personas.a, personas.a.admin)

    for path in ("", "graphiques/days.svg", "chiffres.csv"):
        assert alice.get(f"/gestion/campagnes/metz-solidaire/tableau-de-bord/{path}").status_code == 404
        assert bob.get(f"{URL}{path}").status_code == 403
    # A's summary does not count B's gift.
    assert alice.get("/gestion/tableau-de-bord/").context["figures"].given_cents == 5900


def test_the_campaign_page_and_the_back_office_link_to_the_dashboards(personas, client_for, campaign):
    page = text(client_for(personas.a, personas.a.viewer).get("/gestion/campagnes/cafe-solidaire/"))
    assert f'href="{URL}"' in page
    assert 'href="/gestion/tableau-de-bord/"' in page


def test_many_communes_are_listed_per_departement(personas, client_for, campaign, monkeypatch):
    monkeypatch.setattr(figures_module, "COMMUNES_LISTED", 1)
    client = client_for(personas.a, personas.a.viewer)

    def communes(response):
        return [code for code, _name in response.context["form"].fields["commune"].choices if code]

    assert communes(client.get(URL)) == []
    assert 'id="id_commune_helptext"' in text(client.get(URL))  # it says why
    assert communes(client.get(URL, {"departement": "68"})) == ["68224"]
    linked = client.get(URL, {"commune": "67482"})  # a link naming a commune keeps working
    assert linked.status_code == 200 and linked.context["figures"].given_cents == 5500
