"""GET /api/v1/mutual-aid/posts: the open, approved, non-sensitive, not hidden posts of the
network of the collectivité whose host is called, with their approximate place only — never an
address, the commune's centre, nor the author's name or e-mail; not found when the network is off."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solidaire.geo.models import Commune
from solidaire.mutualaid import actions, safety
from solidaire.mutualaid.models import PreModeration, ReportDecision

from ..mutualaid.helpers import METZ, SCHILTIGHEIM, open_network, write

pytestmark = pytest.mark.django_db

URL = "/api/v1/mutual-aid/posts"


@pytest.fixture
def posts(personas):
    a = personas.a
    open_network(a.tenant)
    groceries = write(a.tenant, a.donor, title="Courses Strasbourg", urgency="today", on_behalf=True)
    return {
        "groceries": groceries,
        "offer": write(a.tenant, a.owner, kind="offer", slug="bricolage", title="Je répare des vélos"),
        "schilik": write(a.tenant, a.owner, commune=SCHILTIGHEIM, slug="transport", title="Trajet Schiltigheim"),
    }


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_lists_the_open_posts_with_their_approximate_place_only(posts, personas, client_for):
    body = get(client_for(personas.a))
    assert (body["count"], body["page"], body["pages"]) == (3, 1, 1)
    post = posts["groceries"]
    item = next(r for r in body["results"] if r["id"] == post.pk)
    assert item == {
        "id": post.pk,
        "kind": "request",
        "category": {"slug": "courses", "label": "Courses"},
        "title": "Courses Strasbourg",
        "text": "Elle ne peut pas sortir cette semaine.",
        "urgency": "today",
        "commune": {"code": "67482", "name": "Strasbourg"},
        "neighbourhood": None,
        "latitude": post.latitude,
        "longitude": post.longitude,
        "on_behalf": True,
        "created_at": item["created_at"],
    }
    centre = Commune.objects.get(pk="67482")
    assert post.latitude is not None and (item["latitude"], item["longitude"]) != (centre.latitude, centre.longitude)


def test_the_category_label_follows_the_request_language(posts, personas, client_for):
    response = client_for(personas.a).get(URL, HTTP_ACCEPT_LANGUAGE="de")
    labels = {r["category"]["slug"]: r["category"]["label"] for r in response.json()["results"]}
    assert labels["courses"] == "Einkäufe" and labels["transport"] == "Fahrdienste"


def test_filters_by_kind_category_and_commune(posts, personas, client_for):
    client = client_for(personas.a)
    assert [r["title"] for r in get(client, kind="offer")["results"]] == ["Je répare des vélos"]
    assert [r["title"] for r in get(client, category="transport")["results"]] == ["Trajet Schiltigheim"]
    assert [r["title"] for r in get(client, commune=SCHILTIGHEIM)["results"]] == ["Trajet Schiltigheim"]
    assert get(client, kind="nonsense")["count"] == 0


def test_sensitive_pending_hidden_and_closed_posts_are_absent(posts, personas, client_for):
    a = personas.a
    write(a.tenant, a.donor, slug="garde-enfants", title="Garde sensible")
    actions.configure(collectivite=a.tenant, actor=a.admin, pre_moderation=PreModeration.EVERYTHING)
    write(a.tenant, a.donor, title="En attente")
    actions.close_post(post=posts["offer"], actor=a.owner)
    report = safety.report(collectivite=a.tenant, reporter=a.donor, reason="scam", post=posts["schilik"])
    safety.decide(report=report, moderator=a.moderator, decision=ReportDecision.HIDE)
    # Not even for a moderator's session: the API is the public's view.
    for user in (None, a.moderator):
        body = get(client_for(a, user))
        assert [r["title"] for r in body["results"]] == ["Courses Strasbourg"]


def test_another_collectivite_sees_its_own_network_only(posts, personas, client_for):
    b = personas.b
    open_network(b.tenant)
    write(b.tenant, b.donor, commune=METZ, title="Courses à Metz")
    assert [r["title"] for r in get(client_for(b))["results"]] == ["Courses à Metz"]
    assert "Courses à Metz" not in {r["title"] for r in get(client_for(personas.a))["results"]}


def test_not_found_when_the_network_is_not_open(posts, personas, client_for):
    assert client_for(personas.b).get(URL).status_code == 404  # never switched on
    actions.configure(collectivite=personas.a.tenant, actor=personas.a.admin, enabled=False)
    response = client_for(personas.a).get(URL)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_no_name_or_email_of_the_author_anywhere(posts, personas, client_for):
    text = json.dumps(get(client_for(personas.a)), ensure_ascii=False)
    for user in (personas.a.donor, personas.a.owner):
        assert user.email not in text and user.first_name not in text
    assert "@" not in text


def test_paginated_in_a_bounded_number_of_queries(posts, personas, client_for):
    client = client_for(personas.a)
    with CaptureQueriesContext(connection) as few:
        first = get(client, per_page=2)
    for i in range(6):
        write(personas.a.tenant, personas.a.donor, slug="medicaments", commune=SCHILTIGHEIM, title=f"Demande {i}")
    with CaptureQueriesContext(connection) as many:
        second = get(client, per_page=2, page=2)
    assert (first["pages"], second["count"], second["page"], len(second["results"])) == (2, 9, 2, 2)
    assert len(many) == len(few)


def test_openapi_describes_the_posts(personas, client_for):
    spec = client_for(personas.a).get("/api/v1/openapi.json").json()
    operation = spec["paths"][URL]["get"]
    assert {"kind", "category", "commune", "page", "per_page"} <= {p["name"] for p in operation["parameters"]}
    assert {"200", "404"} <= set(operation["responses"])
    fields = spec["components"]["schemas"]["MutualAidPostOut"]["properties"]
    assert set(fields) == {
        "id",
        "kind",
        "category",
        "title",
        "text",
        "urgency",
        "commune",
        "neighbourhood",
        "latitude",
        "longitude",
        "on_behalf",
        "created_at",
    }
    assert "approximate" in fields["latitude"]["description"].lower()
