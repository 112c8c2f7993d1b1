"""/api/v1/openapi.json describes the operations and their schemas; the API may be called
from any website (CORS), without cookies; other pages are not opened to other origins."""

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_lists_the_operations(personas, client_for):
    response = client_for(personas.a).get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    operations = {(path, method) for path, methods in spec["paths"].items() for method in methods}
    assert operations == {
        ("/api/v1/campaigns/{slug}", "get"),
        ("/api/v1/campaigns/{slug}/beneficiaries", "get"),
        ("/api/v1/campaigns/{slug}/beneficiaries/{beneficiary_id}/gifts", "post"),
        ("/api/v1/gifts/{gift_id}", "get"),
        ("/api/v1/mutual-aid/posts", "get"),
    }


def test_openapi_describes_the_schemas(personas, client_for):
    spec = client_for(personas.a).get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"CampaignOut", "BeneficiaryPage", "BeneficiaryOut", "GiftIn", "GiftCreated", "GiftOut", "Error"} <= set(
        schemas
    )
    assert set(schemas["GiftIn"]["required"]) == {"amount_cents", "email"}
    campaign_fields = set(schemas["CampaignOut"]["properties"])
    assert {
        "slug",
        "title",
        "status",
        "min_gift_cents",
        "max_gift_cents",
        "matching_ratio",
        "matching_budget_cents",
        "matching_used_cents",
        "matching_reserved_cents",
        "gifts_total_cents",
        "gifts_count",
        "donors_count",
    } <= campaign_fields
    assert schemas["CampaignOut"]["properties"]["matching_budget_cents"]["type"] == "integer"
    assert {"gift_id", "checkout_url", "match_promised_cents", "reservation_expires_at"} <= set(
        schemas["GiftCreated"]["properties"]
    )
    created = spec["paths"]["/api/v1/campaigns/{slug}/beneficiaries/{beneficiary_id}/gifts"]["post"]
    assert {"201", "400", "404", "429"} <= set(created["responses"])
    gift = spec["paths"]["/api/v1/gifts/{gift_id}"]["get"]
    assert "token" in {p["name"] for p in gift["parameters"]}


def test_api_answers_any_origin(personas, client_for, campaign):
    response = client_for(personas.a).get(
        "/api/v1/campaigns/cafe-solidaire", HTTP_ORIGIN="https://cafe-de-la-gare.example"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_api_errors_carry_the_cors_header_too(personas, client_for, campaign):
    response = client_for(personas.a).get("/api/v1/campaigns/nothing", HTTP_ORIGIN="https://example.org")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


def test_preflight_for_starting_a_gift_is_allowed(personas, client_for, cafe):
    response = client_for(personas.a).options(
        f"/api/v1/campaigns/cafe-solidaire/beneficiaries/{cafe.establishment_id}/gifts",
        HTTP_ORIGIN="https://cafe-de-la-gare.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "content-type" in response["Access-Control-Allow-Headers"].lower()


def test_pages_outside_the_api_are_not_opened_to_other_origins(personas, client_for, campaign):
    response = client_for(personas.a).get("/campagnes/cafe-solidaire/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_the_api_sets_no_cookie(personas, client_for, cafe):
    response = client_for(personas.a).post(
        f"/api/v1/campaigns/cafe-solidaire/beneficiaries/{cafe.establishment_id}/gifts",
        {"amount_cents": 500, "email": "dora@example.org"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert not response.cookies
