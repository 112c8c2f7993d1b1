"""Suggestions for the commune field (GET /communes.json?q=…&campaign=…): the official list, by
name (accents and case ignored) or postal code, within the collectivité’s or the campaign’s
territory. The field works without it: the server resolves what was typed."""

import pytest

from .helpers import cafe_campaign

pytestmark = pytest.mark.django_db

URL = "/communes.json"


@pytest.fixture
def public(personas, client_for):
    return client_for(personas.a)


def suggestions(client, **params) -> list[dict]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_a_postal_code_suggests_its_commune_with_all_its_postal_codes(public):
    assert suggestions(public, q="67000") == [
        {"code": "67482", "label": "Strasbourg (67000)", "postal_codes": ["67000", "67100", "67200"]}
    ]


def test_a_name_is_found_whatever_its_accents_and_case(public):
    assert [s["code"] for s in suggestions(public, q="SELESTAT")] == ["67462"]
    assert [s["code"] for s in suggestions(public, q="sélestat")] == ["67462"]


def test_the_start_of_a_name_suggests_the_largest_communes_first(public):
    found = suggestions(public, q="Stras")
    assert found[0]["label"] == "Strasbourg (67000)"
    assert len(found) <= 10


def test_homonyms_are_all_suggested(public):
    assert sorted(s["code"] for s in suggestions(public, q="Bouxwiller")) == ["67061", "68049"]


def test_communes_outside_the_collectivite_are_not_suggested(public, client_for, personas):
    assert suggestions(public, q="Metz") != [] and "57463" not in [s["code"] for s in suggestions(public, q="Metz")]
    assert [s["code"] for s in suggestions(client_for(personas.b), q="Metz")] == ["57463"]
    assert suggestions(client_for(personas.b), q="Strasbourg") == []


def test_the_campaigns_territory_narrows_the_suggestions(personas, public):
    haut_rhin = cafe_campaign(personas.a, slug="haut-rhin", territory_scope="departements")
    haut_rhin.departements.set(["68"])
    assert sorted(s["code"] for s in suggestions(public, q="Bouxwiller", campaign="haut-rhin")) == ["68049"]
    assert suggestions(public, q="Strasbourg", campaign="haut-rhin") == []


def test_an_unknown_or_foreign_campaign_falls_back_to_the_collectivites_territory(personas, public):
    cafe_campaign(personas.b, slug="metz-solidaire")
    assert [s["code"] for s in suggestions(public, q="67000", campaign="metz-solidaire")] == ["67482"]
    assert [s["code"] for s in suggestions(public, q="67000", campaign="nope")] == ["67482"]


@pytest.mark.parametrize("q", ["", "   ", "zzzz", "-", "99999"])
def test_nothing_matching_gives_an_empty_list(public, q):
    assert suggestions(public, q=q) == []


def test_a_very_long_query_is_cut_not_refused(public):
    assert suggestions(public, q="Strasbourg" + "x" * 500) == []
