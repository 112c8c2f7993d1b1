"""ADR 0023: the public never sees where a person is. A post names a commune; the point shown is
the commune's centre moved 300 to 1000 m in a random direction, drawn once at creation: the same
on every request (nothing to average), never the centre itself; no page or JSON has more."""

import random

import pytest
from django.urls import reverse

from solidaire.geo.models import Commune
from solidaire.mutualaid import positions
from solidaire.mutualaid.models import Neighbourhood, Post

from .helpers import STRASBOURG, open_network, write

pytestmark = pytest.mark.django_db


def test_a_displaced_point_stays_in_the_ring_around_the_centre():
    rng = random.Random(12)
    centre = (48.5734, 7.7521)
    for _ in range(500):
        point = positions.displaced(*centre, rng=rng)
        assert point != centre
        assert positions.MIN_DISTANCE_M - 2 <= positions.distance_m(centre, point) <= positions.MAX_DISTANCE_M + 2


def test_directions_are_spread_all_around():
    rng = random.Random(3)
    centre = (48.5734, 7.7521)
    points = [positions.displaced(*centre, rng=rng) for _ in range(200)]
    quadrants = {(lat > centre[0], lon > centre[1]) for lat, lon in points}
    assert len(quadrants) == 4


@pytest.fixture
def posts(personas):
    open_network(personas.a.tenant)
    return [write(personas.a.tenant, personas.a.donor, title=f"Courses {i}") for i in range(5)]


def markers(client):
    return {row[0]: (row[1], row[2]) for row in client.get(reverse("mutualaid:markers")).json()["markers"]}


def test_each_post_is_shown_off_the_commune_centre_at_a_point_of_its_own(posts):
    commune = Commune.objects.get(pk=STRASBOURG)
    centre = (commune.latitude, commune.longitude)
    shown = [(p.latitude, p.longitude) for p in Post.objects.all()]
    assert len(set(shown)) == len(posts)
    for point in shown:
        assert point != centre
        assert 290 <= positions.distance_m(centre, point) <= 1010


def test_the_point_shown_is_the_same_on_every_request(posts, personas, client_for):
    first = markers(client_for(personas.a))
    again = markers(client_for(personas.a, personas.outsider))
    assert first == again
    assert set(first) == {p.pk for p in posts}
    stored = {p.pk: (round(p.latitude * 100000), round(p.longitude * 100000)) for p in Post.objects.all()}
    assert first == stored


def test_no_page_or_json_has_the_commune_centre_or_an_address(posts, personas, client_for):
    commune = Commune.objects.get(pk=STRASBOURG)
    centre_texts = {
        f"{commune.latitude:.4f}",
        f"{commune.longitude:.4f}",
        str(round(commune.latitude * 100000)),
        str(round(commune.longitude * 100000)),
    }
    post = posts[0]
    pages = {
        "list": reverse("mutualaid:network"),
        "map": reverse("mutualaid:map"),
        "markers": reverse("mutualaid:markers"),
        "post": reverse("mutualaid:post", args=[post.pk]),
    }
    for client in (client_for(personas.a), client_for(personas.a, personas.outsider)):
        for name, path in pages.items():
            body = client.get(path).content.decode()
            assert not any(text in body for text in centre_texts), name
            assert personas.a.donor.email not in body and personas.a.donor.last_name not in body, name
            if name != "markers":  # the markers carry the displaced point, scaled, and nothing else
                assert f"{post.latitude:.5f}"[:7] not in body, name
    listing = client_for(personas.a).get(reverse("mutualaid:markers")).json()
    assert all(len(row) == 4 for row in listing["markers"])  # id, latitude, longitude, title


def test_a_commune_without_a_position_puts_the_post_on_no_map(personas, client_for):
    open_network(personas.a.tenant)
    Commune.objects.filter(pk=STRASBOURG).update(latitude=None, longitude=None)
    post = write(personas.a.tenant, personas.a.donor)
    assert (post.latitude, post.longitude) == (None, None)
    assert markers(client_for(personas.a)) == {}
    assert client_for(personas.a).get(reverse("mutualaid:post", args=[post.pk])).status_code == 200


def test_no_page_or_json_has_a_neighbourhood_centre(personas, client_for):
    """A post that names a neighbourhood is shown at a point drawn 150–500 m around its centre:
    the centre itself is on no public page, JSON or API answer."""
    a = personas.a
    open_network(a.tenant)
    krutenau = Neighbourhood.objects.create(
        collectivite=a.tenant, commune_id=STRASBOURG, name="Krutenau", latitude=48.57853, longitude=7.76171
    )
    post = write(a.tenant, a.donor, neighbourhood=krutenau)
    assert (post.latitude, post.longitude) != (krutenau.latitude, krutenau.longitude)
    centre_texts = {
        f"{krutenau.latitude:.4f}",
        f"{krutenau.longitude:.4f}",
        str(round(krutenau.latitude * 100000)),
        str(round(krutenau.longitude * 100000)),
    }
    pages = [
        reverse("mutualaid:network"),
        reverse("mutualaid:map"),
        reverse("mutualaid:markers"),
        reverse("mutualaid:post", args=[post.pk]),
        reverse("mutualaid:new_post"),
        reverse("mutualaid:my_posts"),
        "/api/v1/mutual-aid/posts",
    ]
    for client in (client_for(a), client_for(a, a.donor), client_for(a, personas.outsider)):
        for path in pages:
            response = client.get(path)
            if response.status_code != 200:
                continue  # sign-in asked
            body = response.content.decode()
            assert not any(text in body for text in centre_texts), path
