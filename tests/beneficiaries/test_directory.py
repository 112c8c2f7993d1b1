"""The public directory of a campaign (GET /campagnes/<slug>/etablissements/): approved
establishments of this campaign only, searched by name, commune or postal code (accents and case
ignored), filtered, sorted and paginated, in a number of queries that does not grow with them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ..accounts.helpers import page_text, translated
from ..factories import CampaignFactory
from .helpers import (
    COLMAR,
    HAGUENAU,
    MULHOUSE,
    SAINT_DIE,
    STRASBOURG,
    RegistrationFactory,
    cafe_campaign,
    commune,
    listed,
    page_url,
)

pytestmark = pytest.mark.django_db

DIRECTORY = "/campagnes/cafe-solidaire/etablissements/"


@pytest.fixture
def campaign(personas):
    return cafe_campaign(personas.a)


@pytest.fixture
def cafes(personas, campaign):
    """Five approved establishments across Alsace (and one in the Vosges), with gifts and
    approval dates that make every sort order different from the others."""
    now = timezone.now()
    rows = [
        # name, commune, category, gifts (cents), approved days ago
        ("Café de la Cathédrale", STRASBOURG, "cafe", 5_000, 5),
        ("Bar du Marché", COLMAR, "bar", 20_000, 3),
        ("Épicerie-Café du Rebberg", MULHOUSE, "cafe", 0, 1),
        ("Zinc de Haguenau", HAGUENAU, "bar", 12_000, 4),
        ("Au Café Vosgien", SAINT_DIE, "cafe", 1_000, 2),
    ]
    made = {}
    for name, code, category, gifts, days in rows:
        registration = listed(
            campaign, personas.a, personas.a.owner, trade_name=name, commune=commune(code), category=category
        )
        registration.gifts_total_cents = gifts
        registration.approved_at = now - timedelta(days=days)
        registration.save()
        made[name] = registration
    return made


def names(response) -> list[str]:
    assert response.status_code == 200
    return [r.establishment.trade_name for r in response.context["page"]]


@pytest.fixture
def public(personas, client_for):
    return client_for(personas.a)


# What is listed -----------------------------------------------------------------------------------


def test_the_directory_lists_the_approved_establishments_by_name_ignoring_accents(public, cafes):
    assert names(public.get(DIRECTORY)) == [
        "Au Café Vosgien",
        "Bar du Marché",
        "Café de la Cathédrale",
        "Épicerie-Café du Rebberg",
        "Zinc de Haguenau",
    ]


def test_each_card_links_to_the_establishments_page(public, cafes):
    page = public.get(DIRECTORY).content.decode()
    registration = cafes["Bar du Marché"]
    assert f'href="{page_url(registration)}"' in page
    assert "Colmar (68000)" in page


def test_only_approved_registrations_of_this_campaign_are_listed(personas, public, campaign, cafes):
    for status in ("pending", "changes_requested", "rejected", "withdrawn"):
        listed(campaign, personas.a, personas.a.owner, trade_name=f"Statut {status}", status=status)
    other = cafe_campaign(personas.a, slug="commerces", title="Commerces")
    listed(other, personas.a, personas.a.owner, trade_name="Autre campagne")
    metz = CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire")
    listed(metz, personas.b, personas.b.owner, trade_name="Café de Metz", commune=commune("57463"))

    shown = names(public.get(DIRECTORY))
    assert len(shown) == 5
    assert not [name for name in shown if name.startswith(("Statut", "Autre", "Café de Metz"))]


def test_an_establishment_in_two_campaigns_appears_in_each_directory(personas, public, campaign, cafes):
    other = cafe_campaign(personas.a, slug="commerces", title="Commerces")
    RegistrationFactory(campaign=other, establishment=cafes["Bar du Marché"].establishment)
    assert names(public.get("/campagnes/commerces/etablissements/")) == ["Bar du Marché"]
    assert "Bar du Marché" in names(public.get(DIRECTORY))


def test_the_directory_of_a_draft_or_of_another_collectivite_is_not_found(personas, public, client_for, campaign):
    cafe_campaign(personas.a, slug="brouillon", status="draft", published_at=None)
    assert public.get("/campagnes/brouillon/etablissements/").status_code == 404
    assert client_for(personas.b).get(DIRECTORY).status_code == 404


def test_an_empty_directory_says_so(public, campaign):
    response = public.get(DIRECTORY)
    assert names(response) == []
    assert translated("No establishment matches your search.") in page_text(response)


# Search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, expected",
    [
        ("cafe", ["Au Café Vosgien", "Café de la Cathédrale", "Épicerie-Café du Rebberg"]),
        ("CAFÉ", ["Au Café Vosgien", "Café de la Cathédrale", "Épicerie-Café du Rebberg"]),
        ("epicerie", ["Épicerie-Café du Rebberg"]),
        ("cathedrale", ["Café de la Cathédrale"]),
        ("SAINT-DIE", ["Au Café Vosgien"]),
        ("saint dié des vosges", ["Au Café Vosgien"]),
        ("  marché   colmar ", ["Bar du Marché"]),
        ("zinc strasbourg", []),
        ("brasserie", []),
    ],
)
def test_search_by_name_ignores_accents_case_and_punctuation(public, cafes, q, expected):
    assert names(public.get(DIRECTORY, {"q": q})) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("Strasbourg", ["Café de la Cathédrale"]),
        ("mulhouse", ["Épicerie-Café du Rebberg"]),
        ("haguenau", ["Zinc de Haguenau"]),
    ],
)
def test_search_by_commune_name(public, cafes, q, expected):
    assert names(public.get(DIRECTORY, {"q": q})) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("67000", ["Café de la Cathédrale"]),
        ("67200", ["Café de la Cathédrale"]),  # another postal code of Strasbourg
        ("68000", ["Bar du Marché"]),
        ("88100", ["Au Café Vosgien"]),
        ("57000", []),
    ],
)
def test_search_by_postal_code(public, cafes, q, expected):
    assert names(public.get(DIRECTORY, {"q": q})) == expected


def test_the_search_is_shown_back_in_the_form_escaped(public, cafes):
    page = public.get(DIRECTORY, {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


# Filters -----------------------------------------------------------------------------------------


def test_filter_by_category(public, cafes):
    assert names(public.get(DIRECTORY, {"category": "bar"})) == ["Bar du Marché", "Zinc de Haguenau"]


def test_filter_by_departement(public, cafes):
    assert names(public.get(DIRECTORY, {"departement": "68"})) == ["Bar du Marché", "Épicerie-Café du Rebberg"]
    assert names(public.get(DIRECTORY, {"departement": "67"})) == ["Café de la Cathédrale", "Zinc de Haguenau"]


def test_filter_by_commune(public, cafes):
    assert names(public.get(DIRECTORY, {"commune": COLMAR})) == ["Bar du Marché"]


def test_filters_and_search_combine(public, cafes):
    assert names(public.get(DIRECTORY, {"q": "cafe", "departement": "68"})) == ["Épicerie-Café du Rebberg"]
    assert names(public.get(DIRECTORY, {"q": "cafe", "category": "bar"})) == []


def test_the_filters_offer_the_campaigns_categories_and_departements(public, cafes):
    response = public.get(DIRECTORY)
    assert [value for value, _ in response.context["categories"]] == ["bar", "cafe"]
    assert [d.code for d in response.context["departements"]] == ["67", "68"]


def test_unknown_filter_values_give_an_empty_list_not_an_error(public, cafes):
    assert names(public.get(DIRECTORY, {"category": "nope", "departement": "999", "commune": "xx"})) == []
    assert names(public.get(DIRECTORY, {"sort": "drop table", "page": "abc"}))[0] == "Au Café Vosgien"


# Sorting -----------------------------------------------------------------------------------------


def test_sort_by_most_supported(public, cafes):
    assert names(public.get(DIRECTORY, {"sort": "supported"})) == [
        "Bar du Marché",
        "Zinc de Haguenau",
        "Café de la Cathédrale",
        "Au Café Vosgien",
        "Épicerie-Café du Rebberg",
    ]


def test_sort_by_newest(public, cafes):
    assert names(public.get(DIRECTORY, {"sort": "newest"})) == [
        "Épicerie-Café du Rebberg",
        "Au Café Vosgien",
        "Bar du Marché",
        "Zinc de Haguenau",
        "Café de la Cathédrale",
    ]


def test_sort_by_nearest_to_a_commune(public, cafes):
    response = public.get(DIRECTORY, {"sort": "nearest", "near": "Colmar"})
    assert names(response) == [
        "Bar du Marché",  # in Colmar
        "Épicerie-Café du Rebberg",  # Mulhouse, 37 km south
        "Au Café Vosgien",  # Saint-Dié-des-Vosges, 38 km west
        "Café de la Cathédrale",  # Strasbourg, 64 km north
        "Zinc de Haguenau",  # Haguenau, 88 km north
    ]
    assert response.context["origin"].insee_code == COLMAR
    assert translated("nearest to %(name)s first", name="Colmar") in page_text(response)


def test_nearest_by_postal_code(public, cafes):
    shown = names(public.get(DIRECTORY, {"sort": "nearest", "near": "67500"}))
    assert shown[:2] == ["Zinc de Haguenau", "Café de la Cathédrale"]


def test_nearest_to_an_unknown_commune_sorts_by_name_and_says_so(public, cafes):
    response = public.get(DIRECTORY, {"sort": "nearest", "near": "Atlantis"})
    assert names(response)[0] == "Au Café Vosgien"
    assert response.context["origin"] is None
    assert translated("commune not found in the campaign’s territory; sorted by name") in page_text(response)


# Pagination -------------------------------------------------------------------------------------


def test_the_list_is_paginated_and_pages_keep_the_search(personas, public, campaign):
    for n in range(30):
        listed(campaign, personas.a, personas.a.owner, trade_name=f"Café {n:02d}")

    first = public.get(DIRECTORY, {"q": "cafe"})
    assert first.context["page"].paginator.count == 30
    assert names(first) == [f"Café {n:02d}" for n in range(24)]
    assert "?q=cafe&amp;page=2" in first.content.decode()
    second = public.get(DIRECTORY, {"q": "cafe", "page": 2})
    assert names(second) == [f"Café {n:02d}" for n in range(24, 30)]
    assert names(public.get(DIRECTORY, {"q": "cafe", "page": 99})) == names(second)


# Speed: the number of queries does not grow with the establishments ---------------------------------


def queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(captured)


def add_establishments(personas, campaign, count, start=0):
    for n in range(start, start + count):
        registration = listed(
            campaign,
            personas.a,
            personas.a.owner,
            trade_name=f"Café {n:03d}",
            commune=commune([STRASBOURG, COLMAR, MULHOUSE][n % 3]),
            counterpart="Un café offert",
        )
        registration.gifts_total_cents = n * 100
        registration.gifts_count = n
        registration.save()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "cafe"},
        {"q": "68100"},
        {"sort": "supported"},
        {"sort": "nearest", "near": "Colmar"},
        {"departement": "68", "category": "cafe"},
    ],
    ids=["list", "search", "postcode", "supported", "nearest", "filters"],
)
def test_directory_queries_do_not_grow_with_the_establishments(personas, public, campaign, params):
    add_establishments(personas, campaign, 10)
    queries(public, DIRECTORY, params)  # warms what the directory caches (its filters' lists)
    with_ten = queries(public, DIRECTORY, params)
    add_establishments(personas, campaign, 50, start=10)
    with_sixty = queries(public, DIRECTORY, params)
    assert with_sixty == with_ten
    assert with_ten <= 10


def test_an_establishment_page_queries_do_not_grow_with_the_establishments(personas, public, campaign):
    add_establishments(personas, campaign, 10)
    first = campaign.registrations.order_by("pk").first()
    queries(public, page_url(first))
    with_ten = queries(public, page_url(first))
    add_establishments(personas, campaign, 50, start=10)
    assert queries(public, page_url(first)) == with_ten
    assert with_ten <= 10
