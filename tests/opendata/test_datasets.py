"""The collectivité’s open data: /donnees/ lists each public campaign’s file with its licence,
last update and schema, or what the collectivité must fill in first; /donnees/catalogue.json
describes the published files (title, description, licence, url, schema, temporal coverage,
modified)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from solidaire.opendata import scdl

from ..factories import CampaignFactory
from ..gifts import give

pytestmark = pytest.mark.django_db

PAGE = "/donnees/"
CATALOGUE = "/donnees/catalogue.json"


def test_addresses():
    assert reverse("opendata:datasets") == PAGE
    assert reverse("opendata:catalogue") == CATALOGUE


def test_the_page_lists_each_public_campaign(personas, client_for, campaign, cafe):
    give(cafe, 500)
    waiting = CampaignFactory(collectivite=personas.a.tenant, title="Commerces solidaires")  # no decision date
    draft = CampaignFactory(collectivite=personas.a.tenant, title="Brouillon secret", status="draft")
    theirs = CampaignFactory(collectivite=personas.b.tenant, title="Metz solidaire", decision_date="2020-01-01")
    html = client_for(personas.a).get(PAGE).content.decode()
    assert reverse("opendata:subventions_csv", args=[campaign.slug]) in html
    assert reverse("opendata:subventions_csv", args=[waiting.slug]) not in html
    with override("fr"):  # the page's language: what is missing, as the page says it
        lacking = escape(str(scdl.MISSING["decision_date"]))
    assert "Commerces solidaires" in html and lacking in html
    assert draft.title not in html and theirs.title not in html
    assert scdl.LICENCE_URL in html and scdl.SCHEMA_PAGE in html
    assert "Licence Ouverte" in html


def test_the_footer_links_to_it(personas, client_for):
    assert f'href="{PAGE}"' in client_for(personas.a).get("/").content.decode()


def test_the_catalogue_describes_the_published_files(personas, client_for, campaign, cafe):
    give(cafe, 500)
    CampaignFactory(collectivite=personas.a.tenant, title="Sans décision")  # not published: not listed
    CampaignFactory(collectivite=personas.b.tenant, decision_date="2020-01-01")
    response = client_for(personas.a).get(CATALOGUE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["publisher"] == {"name": "Région Grand Est", "siret": "20005226400013"}
    (dataset,) = body["datasets"]
    assert dataset["url"] == "http://grand-est.localhost" + reverse("opendata:subventions_csv", args=[campaign.slug])
    assert dataset["license"] == "etalab-2.0"
    assert dataset["schema"] == {"name": "scdl/subventions", "version": "2.1.1", "url": scdl.SCHEMA_URL}
    start, end = scdl.period(campaign).split("/")
    assert dataset["temporal_coverage"] == {"start": start, "end": end}
    assert dataset["modified"]
    assert "Café Solidaire" in dataset["title"] and dataset["description"]


def test_the_catalogue_of_another_collectivite_is_its_own(personas, client_for, campaign):
    assert client_for(personas.b).get(CATALOGUE).json()["datasets"] == []


def test_the_page_costs_the_same_queries_whatever_the_number_of_campaigns(personas, client_for, campaign, cafe):
    give(cafe, 500)
    client = client_for(personas.a)

    def queries(path):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    few = [queries(PAGE), queries(CATALOGUE)]
    for n in range(4):
        CampaignFactory(collectivite=personas.a.tenant, title=f"Campagne {n}", decision_date="2021-01-01")
    assert [queries(PAGE), queries(CATALOGUE)] == few
