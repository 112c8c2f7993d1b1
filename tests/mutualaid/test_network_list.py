"""The network's list: filters by type, category, urgency and distance from a commune, a page at a
time, in the same few queries whatever the number of posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from solidaire.mutualaid import views

from .helpers import SCHILTIGHEIM, open_network, write

pytestmark = pytest.mark.django_db

MULHOUSE = "68224"


@pytest.fixture
def posts(personas):
    a = personas.a
    open_network(a.tenant)
    return {
        "groceries": write(a.tenant, a.donor, title="Courses Strasbourg", urgency="today"),
        "offer": write(a.tenant, a.donor, kind="offer", slug="bricolage", title="Je répare des vélos"),
        "schilik": write(a.tenant, a.owner, commune=SCHILTIGHEIM, slug="transport", title="Trajet Schiltigheim"),
        "mulhouse": write(a.tenant, a.owner, commune=MULHOUSE, slug="medicaments", title="Pharmacie Mulhouse"),
    }


def titles(client, **params) -> set[str]:
    response = client.get(reverse("mutualaid:network"), params)
    assert response.status_code == 200
    return {post.title for post in response.context["page"]}


def test_filters_narrow_the_list(posts, personas, client_for):
    client = client_for(personas.a)
    assert len(titles(client)) == 4
    assert titles(client, kind="offer") == {"Je répare des vélos"}
    assert titles(client, category="transport") == {"Trajet Schiltigheim"}
    assert titles(client, urgency="today") == {"Courses Strasbourg"}


def test_distance_from_a_commune_keeps_the_nearby_posts_nearest_first(posts, personas, client_for):
    client = client_for(personas.a)
    near = client.get(reverse("mutualaid:network"), {"near": "Strasbourg", "within": "10"})
    assert [p.title for p in near.context["page"]][-1] == "Trajet Schiltigheim"
    assert "Pharmacie Mulhouse" not in {p.title for p in near.context["page"]}
    assert titles(client, near="Mulhouse", within="5") == {"Pharmacie Mulhouse"}
    # Nonsense is ignored rather than refused.
    assert len(titles(client, near="Nowhere", within="9999", kind="x", urgency="?")) == 4


def test_the_list_is_paginated_in_a_bounded_number_of_queries(personas, client_for, monkeypatch):
    a = personas.a
    open_network(a.tenant)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    for i in range(4):
        write(a.tenant, a.donor, title=f"Demande {i}")
    client = client_for(a)
    client.get(reverse("mutualaid:network"))  # sessions, tenant: warmed up
    with CaptureQueriesContext(connection) as few:
        first = client.get(reverse("mutualaid:network"))
    for i in range(4, 12):
        write(a.tenant, a.donor, title=f"Demande {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("mutualaid:network"))
    assert len(many) == len(few)
    assert len(first.context["page"]) == 3
    assert client.get(reverse("mutualaid:network"), {"page": 2}).context["page"].number == 2
