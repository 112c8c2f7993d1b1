"""Private notes: once a post is done, its author and the people who answered it tell the
collectivité how it went; only its moderators read them."""

import pytest
from django.urls import reverse

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.mutualaid import actions, conversations, followup, notes
from solidaire.mutualaid.models import PreModeration, PrivateNote

from ..accounts.helpers import translated
from .helpers import open_network, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_post(personas, settings):
    """Dora asked for groceries, the owner answered and helped, Dora marked it done."""
    settings.SOLIDAIRE_RELAY_DOMAIN = "relais.solidaire.example"
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    post = write(a.tenant, a.donor, title="Courses du samedi")
    conversations.start(post=post, person=a.owner, text="Je peux passer samedi.")
    return actions.finish_post(post=post, actor=a.donor)


def note_page(post):
    return reverse("mutualaid:private_note", args=[post.pk])


def test_the_author_and_the_helper_each_leave_a_note_the_moderators_read(done_post, personas, client_for):
    a = personas.a
    for user, text in ((a.donor, "Tout s’est bien passé, merci !"), (a.owner, "Une personne très accueillante.")):
        client = client_for(a, user)
        assert client.get(note_page(done_post)).status_code == 200
        response = client.post(note_page(done_post), {"text": text})
        assert response.status_code == 302
    assert sorted(PrivateNote.objects.values_list("text", flat=True)) == [
        "Tout s’est bien passé, merci !",
        "Une personne très accueillante.",
    ]
    listing = client_for(a, a.moderator).get(reverse("mutualaid:private_notes")).content.decode()
    assert "Tout s’est bien passé, merci !" in listing and "Une personne très accueillante." in listing
    assert translated("by the author") in listing and translated("by someone who answered") in listing
    request_page = client_for(a, a.moderator).get(reverse("mutualaid:follow_up_request", args=[done_post.pk]))
    assert "Une personne très accueillante." in request_page.content.decode()
    # The audit log says a note was written, not what it says.
    events = AuditEvent.objects.filter(action="mutualaid.private_note_saved")
    assert events.count() == 2
    assert all("accueillante" not in str(e.data) and "merci" not in str(e.data) for e in events)


def test_the_other_person_never_reads_the_note(done_post, personas, client_for):
    a = personas.a
    notes.save(post=done_post, user=a.owner, text="Note privée du bénévole")
    for path in (
        note_page(done_post),
        reverse("mutualaid:my_posts"),
        reverse("mutualaid:post", args=[done_post.pk]),
        reverse("mutualaid:conversation", args=[done_post.conversations.get().pk]),
    ):
        assert "Note privée du bénévole" not in client_for(a, a.donor).get(path).content.decode()


def test_a_note_is_rewritten_not_doubled(done_post, personas):
    notes.save(post=done_post, user=personas.a.donor, text="Premier jet")
    notes.save(post=done_post, user=personas.a.donor, text="Version finale")
    assert list(PrivateNote.objects.values_list("text", flat=True)) == ["Version finale"]


def test_only_once_done_and_only_by_the_people_of_the_post(personas, client_for, settings):
    settings.SOLIDAIRE_RELAY_DOMAIN = "relais.solidaire.example"
    a = personas.a
    open_network(a.tenant, pre_moderation=PreModeration.SENSITIVE)
    post = write(a.tenant, a.donor)
    conversations.start(post=post, person=a.owner, text="Je peux aider.")
    with pytest.raises(ActionError) as refused:
        notes.save(post=post, user=a.donor, text="Trop tôt")
    assert refused.value.code == "state"
    page = client_for(a, a.donor).get(note_page(post)).content.decode()
    assert translated("A note can be left once the post is marked done.") in page
    assert client_for(a, a.donor).post(note_page(post), {"text": "Trop tôt"}).status_code == 400
    actions.finish_post(post=post, actor=a.donor)
    # A stranger, a moderator, a staff member who only followed it up: not found.
    followup.write_to_author(post=post, staff=a.moderator, text="Comment cela s’est-il passé ?")
    for user in (a.viewer, a.moderator, personas.outsider):
        assert client_for(a, user).get(note_page(post)).status_code == 404
        assert client_for(a, user).post(note_page(post), {"text": "Intrus"}).status_code == 404
    assert client_for(a).get(note_page(post)).status_code == 302  # anonymous: sign in first
    assert client_for(personas.b, a.donor).get(note_page(post)).status_code == 404
    assert not PrivateNote.objects.exists()


def test_an_empty_note_is_refused_and_changes_nothing(done_post, personas, client_for):
    response = client_for(personas.a, personas.a.donor).post(note_page(done_post), {"text": "   "})
    assert response.status_code == 400
    assert not PrivateNote.objects.exists()


def test_the_links_lead_there_once_done(done_post, personas, client_for):
    a = personas.a
    link = note_page(done_post)
    assert link in client_for(a, a.donor).get(reverse("mutualaid:my_posts")).content.decode()
    conversation = reverse("mutualaid:conversation", args=[done_post.conversations.get().pk])
    assert link in client_for(a, a.owner).get(conversation).content.decode()
