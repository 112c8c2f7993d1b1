"""The author's own posts, with the moves the state table allows from each; another person's
post is not found there."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from solidaire.mutualaid.models import Post, State

from .helpers import open_network, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(personas):
    open_network(personas.a.tenant)
    return write(personas.a.tenant, personas.a.donor, title="Courses de la semaine")


def move(client, post, action):
    return client.post(reverse("mutualaid:move", args=[post.pk]), {"action": action})


def test_the_author_sees_their_posts_and_moves_them_on(post, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    page = dora.get(reverse("mutualaid:my_posts")).content.decode()
    assert "Courses de la semaine" in page and 'value="start"' in page and 'value="close"' in page
    assert move(dora, post, "start")["Location"] == reverse("mutualaid:my_posts")
    assert Post.objects.get(pk=post.pk).state == State.IN_PROGRESS
    page = dora.get(reverse("mutualaid:my_posts")).content.decode()
    assert 'value="start"' not in page and 'value="finish"' in page
    move(dora, post, "finish")
    assert Post.objects.get(pk=post.pk).state == State.DONE
    assert 'value="close"' not in dora.get(reverse("mutualaid:my_posts")).content.decode()


def test_a_move_the_table_lacks_is_refused_with_a_message(post, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    move(dora, post, "close")
    response = move(dora, post, "start")
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).state == State.CLOSED
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"


def test_unknown_moves_and_other_people_s_posts_are_not_found(post, personas, client_for):
    dora = client_for(personas.a, personas.a.donor)
    assert move(dora, post, "expire").status_code == 404
    assert move(dora, post, "delete").status_code == 404
    for intruder in (personas.a.moderator, personas.a.owner, personas.outsider):
        assert move(client_for(personas.a, intruder), post, "close").status_code == 404
        page = client_for(personas.a, intruder).get(reverse("mutualaid:my_posts")).content.decode()
        assert "Courses de la semaine" not in page
    assert Post.objects.get(pk=post.pk).state == State.OPEN


def test_moves_are_sent_by_post_only(post, personas, client_for):
    response = client_for(personas.a, personas.a.donor).get(reverse("mutualaid:move", args=[post.pk]))
    assert response.status_code == 405
