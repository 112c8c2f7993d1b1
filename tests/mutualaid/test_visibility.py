"""Who sees which post. The list shows open, approved posts outside sensitive categories; sensitive
posts are for moderators and vetted volunteers; posts waiting for review for their author and the
moderators; another collectivité's posts are not found on this host."""

import pytest
from django.urls import reverse

from solidaire.mutualaid import actions
from solidaire.mutualaid.models import PreModeration

from .helpers import METZ, approved, open_network, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(personas):
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    childcare = approved(write(a.tenant, a.donor, slug="garde-enfants", title="Garde de Léa mercredi"), a.moderator)
    groceries = write(a.tenant, a.donor, title="Courses du samedi")
    open_network(a.tenant, pre_moderation=PreModeration.EVERYTHING)
    pending = write(a.tenant, a.owner, title="Aide pour mes papiers", slug="demarches")
    return {"childcare": childcare, "groceries": groceries, "pending": pending}


def listed(client) -> str:
    return client.get(reverse("mutualaid:network")).content.decode()


def status(client, post) -> int:
    return client.get(reverse("mutualaid:post", args=[post.pk])).status_code


def test_the_public_sees_only_open_approved_ordinary_posts(network, personas, client_for):
    for user in (None, personas.outsider, personas.a.viewer):
        client = client_for(personas.a, user)
        page = listed(client)
        assert "Courses du samedi" in page
        assert "Garde de Léa" not in page and "Aide pour mes papiers" not in page
        assert status(client, network["groceries"]) == 200
        assert status(client, network["childcare"]) == 404
        assert status(client, network["pending"]) == 404
        assert "garde-enfants" not in page  # not even offered as a filter


def test_moderators_see_sensitive_and_pending_posts(network, personas, client_for):
    mona = client_for(personas.a, personas.a.moderator)
    assert "Garde de Léa" in listed(mona)
    assert status(mona, network["childcare"]) == 200
    assert status(mona, network["pending"]) == 200
    assert "Aide pour mes papiers" not in listed(mona)  # the list stays what the network sees


def test_a_vetted_volunteer_sees_sensitive_requests(network, personas, client_for):
    otto = client_for(personas.a, personas.outsider)
    assert status(otto, network["childcare"]) == 404
    actions.vet_volunteer(collectivite=personas.a.tenant, user=personas.outsider, actor=personas.a.moderator)
    otto = client_for(personas.a, personas.outsider)
    assert "Garde de Léa" in listed(otto)
    assert status(otto, network["childcare"]) == 200
    assert status(otto, network["pending"]) == 404


def test_the_author_sees_their_own_pending_post(network, personas, client_for):
    oscar = client_for(personas.a, personas.a.owner)
    assert status(oscar, network["pending"]) == 200
    assert "Aide pour mes papiers" in oscar.get(reverse("mutualaid:my_posts")).content.decode()


def test_posts_no_longer_open_leave_the_list(network, personas, client_for):
    actions.start_post(post=network["groceries"], actor=personas.a.donor)
    assert "Courses du samedi" not in listed(client_for(personas.a))
    assert status(client_for(personas.a), network["groceries"]) == 200  # its page says it is taken
    actions.close_post(post=network["groceries"], actor=personas.a.donor)
    assert status(client_for(personas.a), network["groceries"]) == 404


def test_posts_of_b_are_not_found_on_a_s_host(network, personas, client_for):
    b = personas.b
    open_network(b.tenant)
    theirs = write(b.tenant, b.donor, commune=METZ, title="Courses à Metz")
    for user in (None, b.donor, b.moderator, personas.a.moderator):
        client = client_for(personas.a, user)
        assert status(client, theirs) == 404
        assert "Courses à Metz" not in listed(client)
    dan_on_a = client_for(personas.a, b.donor)
    response = dan_on_a.post(reverse("mutualaid:move", args=[theirs.pk]), {"action": "close"})
    assert response.status_code == 404
    assert "Courses à Metz" in listed(client_for(b))
    assert status(client_for(b), network["groceries"]) == 404
