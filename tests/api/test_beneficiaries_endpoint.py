"""GET /api/v1/campaigns/{slug}/beneficiaries: the approved beneficiaries of a campaign,
searchable like the directory, paginated, with their totals in cents."""

import pytest

from solidaire.beneficiaries.models import Registration
from solidaire.campaigns.models import Campaign
from solidaire.vouchers.models import Offer

from ..factories import CampaignFactory
from ..gifts import approved_registration, give

pytestmark = pytest.mark.django_db

URL = "/api/v1/campaigns/cafe-solidaire/beneficiaries"


@pytest.fixture
def cafes(campaign):
    gare = approved_registration(campaign, name="Café de la Gare")
    # What donors receive is described from the approved offer.
    Offer.objects.create(
        registration=gare, kind="item", item_label="Un café offert", validity_days=180, status="approved"
    )
    return {
        "gare": gare,
        "colmar": approved_registration(campaign, name="Bar du Marché", commune="68066"),
        "mulhouse": approved_registration(campaign, name="Le Zinc", commune="68224"),
    }


def names(body) -> list[str]:
    return [r["name"] for r in body["results"]]


def test_each_beneficiary_with_its_commune_and_totals(personas, client_for, cafes):
    gare = cafes["gare"]
    give(gare, 500)
    response = client_for(personas.a).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    first = next(r for r in body["results"] if r["id"] == gare.establishment_id)
    assert first == {
        "id": gare.establishment_id,
        "name": "Café de la Gare",
        "category": "cafe",
        "commune": "Strasbourg",
        "commune_insee_code": "67482",
        "postal_code": "67000",
        "counterpart": "Un café offert",
        "gifts_count": 1,
        "gifts_total_cents": 500,
        "matching_total_cents": 500,
        "url": f"http://grand-est.localhost/campagnes/cafe-solidaire/etablissements/{gare.establishment_id}/",
    }


def test_the_url_leads_to_the_establishments_page(personas, client_for, cafes):
    body = client_for(personas.a).get(URL).json()
    url = body["results"][0]["url"].replace("http://grand-est.localhost", "")
    assert client_for(personas.a).get(url, follow=True).status_code == 200


def test_sorted_by_name(personas, client_for, cafes):
    assert names(client_for(personas.a).get(URL).json()) == ["Bar du Marché", "Café de la Gare", "Le Zinc"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("gare", ["Café de la Gare"]),
        ("cafe", ["Café de la Gare"]),  # accents do not matter
        ("MARCHÉ", ["Bar du Marché"]),
        ("Colmar", ["Bar du Marché"]),
        ("68100", ["Le Zinc"]),
        ("nothing", []),
    ],
)
def test_search_by_name_commune_or_postcode(personas, client_for, cafes, q, expected):
    body = client_for(personas.a).get(URL, {"q": q}).json()
    assert names(body) == expected
    assert body["count"] == len(expected)


def test_filter_by_commune(personas, client_for, cafes):
    assert names(client_for(personas.a).get(URL, {"commune": "68224"}).json()) == ["Le Zinc"]


def test_pages(personas, client_for, cafes):
    client = client_for(personas.a)
    first = client.get(URL, {"per_page": 2}).json()
    second = client.get(URL, {"per_page": 2, "page": 2}).json()
    assert (first["count"], first["pages"], first["page"], second["page"]) == (3, 2, 1, 2)
    assert names(first) == ["Bar du Marché", "Café de la Gare"]
    assert names(second) == ["Le Zinc"]


def test_a_page_past_the_end_gives_the_last_page(personas, client_for, cafes):
    body = client_for(personas.a).get(URL, {"per_page": 2, "page": 99}).json()
    assert (body["page"], names(body)) == (2, ["Le Zinc"])


@pytest.mark.parametrize("per_page", [0, 201, "many"])
def test_page_size_outside_1_to_200_is_refused(personas, client_for, cafes, per_page):
    response = client_for(personas.a).get(URL, {"per_page": per_page})
    assert response.status_code == 400
    assert response.json()["field"] == "per_page"


def test_only_approved_beneficiaries_are_listed(personas, client_for, cafes):
    Registration.objects.filter(pk=cafes["colmar"].pk).update(status="pending")
    Registration.objects.filter(pk=cafes["mulhouse"].pk).update(status="rejected")
    assert names(client_for(personas.a).get(URL).json()) == ["Café de la Gare"]


def test_another_campaigns_beneficiaries_are_not_listed(personas, client_for, cafes):
    other = CampaignFactory(collectivite=personas.a.tenant, slug="autre")
    approved_registration(other, name="Ailleurs")
    assert "Ailleurs" not in names(client_for(personas.a).get(URL).json())


def test_unknown_draft_or_other_collectivites_campaign_is_not_found(personas, client_for, cafes):
    assert client_for(personas.a).get("/api/v1/campaigns/nothing/beneficiaries").status_code == 404
    assert client_for(personas.b).get(URL).status_code == 404
    Campaign.objects.filter(slug="cafe-solidaire").update(status="draft")
    assert client_for(personas.a).get(URL).status_code == 404


def test_no_personal_data_is_exposed(personas, client_for, cafes):
    give(cafes["gare"], 500, email="private.person@example.org")
    raw = client_for(personas.a).get(URL).content.decode()
    for private in ("private.person@example.org", "iban", "FR76", "siret", "owner", "@"):
        assert private not in raw
