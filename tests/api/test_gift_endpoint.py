"""GET /api/v1/gifts/{gift_id}?token=…: a gift's status and match, for whoever holds its secret
token — the website that started it, the donor’s browser."""

import pytest

from ..gifts import give, start

pytestmark = pytest.mark.django_db


def url(gift, token=None) -> str:
    return f"/api/v1/gifts/{gift.pk}?token={gift.token if token is None else token}"


def test_pending_gift_shows_the_match_promised(personas, client_for, gift):
    response = client_for(personas.a).get(url(gift))
    assert response.status_code == 200
    body = response.json()
    assert {k: v for k, v in body.items() if not k.endswith("_at")} == {
        "gift_id": str(gift.pk),
        "status": "pending",
        "amount_cents": 500,
        "currency": "EUR",
        "match_promised_cents": 500,
        "match_cents": 0,
        "match_note": "",
        "beneficiary_id": gift.registration.establishment_id,
        "campaign": "cafe-solidaire",
    }
    assert body["confirmed_at"] is None
    assert body["reservation_expires_at"] and body["created_at"]


def test_confirmed_gift_shows_its_match(personas, client_for, cafe):
    gift = give(cafe, 700)
    body = client_for(personas.a).get(url(gift)).json()
    assert (body["status"], body["match_cents"], body["amount_cents"]) == ("confirmed", 700, 700)
    assert body["confirmed_at"] is not None


def test_failed_gift_shows_no_match(personas, client_for, cafe):
    gift = give(cafe, 500, outcome="decline")
    body = client_for(personas.a).get(url(gift)).json()
    assert (body["status"], body["match_cents"]) == ("failed", 0)


def test_never_shows_the_donor(personas, client_for, cafe):
    gift = give(cafe, 500, email="private.person@example.org", donor_name="Dora Secret")
    raw = client_for(personas.a).get(url(gift)).content.decode()
    assert "private.person" not in raw and "Dora Secret" not in raw


def test_a_wrong_token_is_not_found(personas, client_for, gift):
    client = client_for(personas.a)
    for token in ("0" * 32, gift.token[:-1], "x"):
        response = client.get(url(gift, token))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_token_of_another_gift_is_not_found(personas, client_for, cafe, gift):
    other = start(cafe, 500, email="eve@example.org")
    assert client_for(personas.a).get(url(other, gift.token)).status_code == 404


def test_a_missing_token_is_refused(personas, client_for, gift):
    response = client_for(personas.a).get(f"/api/v1/gifts/{gift.pk}")
    assert response.status_code in (400, 404)
    assert "status" not in response.json()


def test_the_other_collectivites_host_does_not_know_the_gift(personas, client_for, gift):
    assert client_for(personas.b).get(url(gift)).status_code == 404


def test_unknown_gift_is_not_found(personas, client_for, gift):
    response = client_for(personas.a).get(f"/api/v1/gifts/00000000-0000-4000-8000-000000000000?token={gift.token}")
    assert response.status_code == 404
