"""Neighbourhoods defined by the collectivité (issue 12, item 1): its admins name them in the back
office (a commune of the territory, a centre near it), each change audited, another
collectivité's not found; a post may give one of its commune's, is shown as "Neighbourhood,
Commune" and placed at a point drawn around the neighbourhood's centre, never at it."""

import random

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune
from solidaire.mutualaid import neighbourhoods, positions
from solidaire.mutualaid.models import Neighbourhood, Post

from ..accounts.helpers import page_text, translated
from .helpers import SCHILTIGHEIM, STRASBOURG, form_data, open_network, write

pytestmark = pytest.mark.django_db

KRUTENAU = {"commune_text": "Strasbourg", "name": "Krutenau", "latitude": "48.5785", "longitude": "7.7617"}


def neighbourhood(collectivite, name="Krutenau", commune=STRASBOURG, latitude=48.5785, longitude=7.7617):
    return neighbourhoods.save_neighbourhood(
        neighbourhood=Neighbourhood(
            collectivite=collectivite,
            commune=Commune.objects.get(pk=commune),
            name=name,
            latitude=latitude,
            longitude=longitude,
        ),
        actor=None,
    )


# The back office ------------------------------------------------------------------------------------


def test_an_admin_adds_a_neighbourhood_from_the_settings_page(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    alice = client_for(a, a.admin)
    settings_page = alice.get(reverse("mutualaid:manage")).content.decode()
    assert reverse("mutualaid:neighbourhoods") in settings_page
    response = alice.post(reverse("mutualaid:neighbourhoods"), KRUTENAU)
    assert response.status_code == 302 and response["Location"] == reverse("mutualaid:neighbourhoods")
    krutenau = Neighbourhood.objects.get()
    assert (krutenau.collectivite, krutenau.commune_id, krutenau.name) == (a.tenant, STRASBOURG, "Krutenau")
    assert (krutenau.latitude, krutenau.longitude) == (48.5785, 7.7617)
    event = AuditEvent.objects.get(action="mutualaid.neighbourhood_saved")
    assert (event.actor, event.object_id, event.object_label) == (a.admin, str(krutenau.pk), "Krutenau (Strasbourg)")
    listing = alice.get(reverse("mutualaid:neighbourhoods")).content.decode()
    assert "Krutenau" in listing and reverse("mutualaid:neighbourhood_edit", args=[krutenau.pk]) in listing


def test_an_admin_renames_and_moves_one_audited_with_what_changed(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    krutenau = neighbourhood(a.tenant)
    alice = client_for(a, a.admin)
    url = reverse("mutualaid:neighbourhood_edit", args=[krutenau.pk])
    assert alice.get(url).status_code == 200
    response = alice.post(url, {**KRUTENAU, "name": "La Krutenau", "latitude": "48.5790"})
    assert response.status_code == 302
    krutenau.refresh_from_db()
    assert (krutenau.name, krutenau.latitude, krutenau.longitude) == ("La Krutenau", 48.579, 7.7617)
    event = AuditEvent.objects.filter(action="mutualaid.neighbourhood_saved").latest("pk")
    assert event.actor == a.admin
    assert event.data["changes"] == {
        "name": {"from": "Krutenau", "to": "La Krutenau"},
        "latitude": {"from": 48.5785, "to": 48.579},
    }


def test_a_neighbourhood_no_post_names_is_deleted_one_that_is_named_is_kept(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    krutenau, neudorf = neighbourhood(a.tenant), neighbourhood(a.tenant, "Neudorf", latitude=48.5695, longitude=7.7655)
    write(a.tenant, a.donor, neighbourhood=neudorf)
    alice = client_for(a, a.admin)
    response = alice.post(reverse("mutualaid:neighbourhood_edit", args=[krutenau.pk]), {"delete": "1"})
    assert response.status_code == 302 and not Neighbourhood.objects.filter(pk=krutenau.pk).exists()
    assert AuditEvent.objects.filter(action="mutualaid.neighbourhood_deleted", actor=a.admin).exists()
    url = reverse("mutualaid:neighbourhood_edit", args=[neudorf.pk])
    response = alice.post(url, {"delete": "1"})
    assert response.status_code == 302 and Neighbourhood.objects.filter(pk=neudorf.pk).exists()
    refused = translated("Posts name this neighbourhood: it cannot be deleted. Rename it or move its centre instead.")
    assert refused in [str(m) for m in get_messages(response.wsgi_request)]
    assert AuditEvent.objects.filter(action="mutualaid.neighbourhood_deleted").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"commune_text": "Metz"}, "commune_text"),  # outside the territory
        ({"commune_text": "Zzzz"}, "commune_text"),
        ({"latitude": "abc"}, "latitude"),
        ({"latitude": "95"}, "latitude"),
        ({"latitude": "48.70"}, "latitude"),  # some 14 km north of Strasbourg's centre
        ({"longitude": ""}, "longitude"),
    ],
)
def test_a_wrong_neighbourhood_is_refused_and_nothing_changes(changes, field, personas, client_for):
    a = personas.a
    open_network(a.tenant)
    before = AuditEvent.objects.count()
    response = client_for(a, a.admin).post(reverse("mutualaid:neighbourhoods"), {**KRUTENAU, **changes})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not Neighbourhood.objects.exists() and AuditEvent.objects.count() == before


def test_a_centre_far_from_the_commune_says_so_in_words(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    response = client_for(a, a.admin).post(reverse("mutualaid:neighbourhoods"), {**KRUTENAU, "latitude": "48.70"})
    expected = translated(
        "This centre is more than %(km)s km from the centre of %(commune)s: check the latitude and longitude.",
        km=10,
        commune="Strasbourg",
    )
    assert expected in page_text(response)
    with pytest.raises(ActionError):
        neighbourhood(a.tenant, latitude=48.70)


def test_the_same_name_twice_in_a_commune_is_refused(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    neighbourhood(a.tenant)
    response = client_for(a, a.admin).post(reverse("mutualaid:neighbourhoods"), {**KRUTENAU, "name": "krutenau"})
    assert response.status_code == 400 and "name" in response.context["form"].errors
    assert Neighbourhood.objects.count() == 1


def test_only_the_collectivites_admins_manage_its_neighbourhoods(personas, client_for):
    a, b = personas.a, personas.b
    open_network(a.tenant)
    open_network(b.tenant)
    krutenau = neighbourhood(a.tenant)
    edit = reverse("mutualaid:neighbourhood_edit", args=[krutenau.pk])
    mona = client_for(a, a.moderator)
    assert mona.get(reverse("mutualaid:neighbourhoods")).status_code == 403
    assert mona.post(reverse("mutualaid:neighbourhoods"), {**KRUTENAU, "name": "Esplanade"}).status_code == 403
    assert mona.post(edit, {"delete": "1"}).status_code == 403
    bob = client_for(b, b.admin)
    assert bob.get(edit).status_code == 404
    assert bob.post(edit, {"delete": "1"}).status_code == 404
    assert bob.post(edit, {**KRUTENAU, "name": "Piraté"}).status_code == 404
    assert "Krutenau" not in bob.get(reverse("mutualaid:neighbourhoods")).content.decode()
    krutenau.refresh_from_db()
    assert krutenau.name == "Krutenau" and Neighbourhood.objects.count() == 1


# Posts ---------------------------------------------------------------------------------------------


def test_a_post_gives_a_neighbourhood_of_its_commune(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    krutenau = neighbourhood(a.tenant)
    dora = client_for(a, a.donor)
    form = dora.get(reverse("mutualaid:new_post")).content.decode()
    assert 'name="neighbourhood"' in form and "Krutenau (Strasbourg)" in form
    response = dora.post(reverse("mutualaid:new_post"), form_data(a.tenant, neighbourhood=krutenau.pk))
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.commune_id, post.neighbourhood) == (STRASBOURG, krutenau)


def test_a_neighbourhood_of_another_commune_is_refused(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    schiltigheim = neighbourhood(a.tenant, "Centre", commune=SCHILTIGHEIM, latitude=48.6075, longitude=7.7496)
    response = client_for(a, a.donor).post(
        reverse("mutualaid:new_post"), form_data(a.tenant, neighbourhood=schiltigheim.pk)
    )
    assert response.status_code == 400 and "neighbourhood" in response.context["form"].errors
    assert not Post.objects.exists()
    with pytest.raises(ActionError):
        write(a.tenant, a.donor, neighbourhood=schiltigheim)  # the write path refuses it too
    assert not Post.objects.exists()


def test_another_collectivites_neighbourhood_cannot_be_chosen(personas, client_for):
    a, b = personas.a, personas.b
    open_network(a.tenant)
    theirs = neighbourhood(b.tenant, "Sablon", commune="57463", latitude=49.1034, longitude=6.1862)
    neighbourhood(a.tenant)
    response = client_for(a, a.donor).post(reverse("mutualaid:new_post"), form_data(a.tenant, neighbourhood=theirs.pk))
    assert response.status_code == 400 and "neighbourhood" in response.context["form"].errors
    assert not Post.objects.exists()


def test_without_neighbourhoods_the_form_does_not_ask(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    dora = client_for(a, a.donor)
    assert 'name="neighbourhood"' not in dora.get(reverse("mutualaid:new_post")).content.decode()
    assert dora.post(reverse("mutualaid:new_post"), form_data(a.tenant)).status_code == 302
    assert Post.objects.get().neighbourhood is None


def test_the_point_is_drawn_around_the_neighbourhood_centre_never_at_it(personas):
    a = personas.a
    open_network(a.tenant)
    krutenau = neighbourhood(a.tenant)
    centre = (krutenau.latitude, krutenau.longitude)
    posts = [write(a.tenant, a.donor, title=f"Courses {i}", neighbourhood=krutenau) for i in range(5)]
    shown = {(p.latitude, p.longitude) for p in posts}
    assert len(shown) == len(posts)
    for point in shown:
        assert point != centre
        low, high = positions.NEIGHBOURHOOD_MIN_DISTANCE_M, positions.NEIGHBOURHOOD_MAX_DISTANCE_M
        assert low - 2 <= positions.distance_m(centre, point) <= high + 2
    rng = random.Random(7)
    for _ in range(300):
        point = positions.displaced(*centre, rng=rng, min_m=low, max_m=high)
        assert point != centre and low - 2 <= positions.distance_m(centre, point) <= high + 2


def test_the_post_page_the_list_and_my_posts_say_neighbourhood_and_commune(personas, client_for):
    a = personas.a
    open_network(a.tenant)
    krutenau = neighbourhood(a.tenant)
    post = write(a.tenant, a.donor, neighbourhood=krutenau)
    visitor = client_for(a)
    assert "Krutenau, Strasbourg" in visitor.get(reverse("mutualaid:post", args=[post.pk])).content.decode()
    assert "Krutenau, Strasbourg" in visitor.get(reverse("mutualaid:network")).content.decode()
    mine = client_for(a, a.donor).get(reverse("mutualaid:my_posts")).content.decode()
    assert "Krutenau, Strasbourg" in mine
    markers = visitor.get(reverse("mutualaid:markers")).json()["markers"]
    assert markers[0][0] == post.pk and markers[0][3].endswith("Krutenau, Strasbourg")
    api = visitor.get("/api/v1/mutual-aid/posts").json()["results"][0]
    assert (api["neighbourhood"], api["commune"]["name"]) == ("Krutenau", "Strasbourg")
