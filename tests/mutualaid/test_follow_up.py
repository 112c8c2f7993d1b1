"""The collectivité follows up (issue 12, item 6), on constructed timelines: approved requests nobody
answered after the network's follow-up hours, and requests in progress for more than a week, are
in the queue; offers, pending posts, answered or recent requests are not. A moderator notes what
they did (audited, shown on the request's back-office page) or writes to the author through the
relay — which is no answer. Figures per week count the requests answered within 24 and 48 hours."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.mutualaid import actions, conversations, followup, relay
from solidaire.mutualaid.models import Announcement, Conversation, FollowUp, Message, Post, PreModeration
from tests.factories import CollectiviteFactory

from .helpers import SCHILTIGHEIM, open_network, write
from .test_demo_network import seed

pytestmark = pytest.mark.django_db

RELAY = "relais.solidaire.example"
QUEUE = reverse("mutualaid:follow_up")


@pytest.fixture(autouse=True)
def _relay(settings):
    settings.SOLIDAIRE_RELAY_DOMAIN = RELAY
    settings.RATELIMIT_ENABLE = False


def aged(post, *, hours=0, days=0, field="created_at"):
    Post.objects.filter(pk=post.pk).update(**{field: timezone.now() - timedelta(hours=hours, days=days)})
    post.refresh_from_db()
    return post


@pytest.fixture
def network(personas):
    return open_network(personas.a.tenant, pre_moderation=PreModeration.SENSITIVE)


def test_the_queue_holds_old_unanswered_and_long_in_progress_requests_only(network, personas):
    a = personas.a
    old = aged(write(a.tenant, a.donor, title="Vieille demande"), hours=49)
    aged(write(a.tenant, a.donor, title="Récente"), hours=47)
    aged(write(a.tenant, a.donor, kind="offer", title="Offre ancienne"), hours=100)
    answered = aged(write(a.tenant, a.donor, title="Répondue"), hours=60)
    conversations.start(post=answered, person=personas.outsider, text="Je peux aider.")
    stuck = write(a.tenant, a.donor, title="En cours depuis longtemps")
    actions.start_post(post=stuck, actor=a.donor)
    aged(stuck, days=8, field="updated_at")
    lately = write(a.tenant, a.donor, title="En cours depuis peu")
    actions.start_post(post=lately, actor=a.donor)
    aged(lately, hours=100)
    aged(lately, days=6, field="updated_at")
    done = aged(write(a.tenant, a.donor, title="Faite"), hours=100)
    actions.finish_post(post=done, actor=a.donor)
    actions.configure(collectivite=a.tenant, actor=a.admin, pre_moderation=PreModeration.EVERYTHING)
    aged(write(a.tenant, a.donor, title="En attente de modération"), hours=100)

    assert [p.title for p in followup.queue(a.tenant)] == [old.title, stuck.title]

    actions.configure(collectivite=a.tenant, actor=a.admin, follow_up_hours=24)
    recent = Post.objects.get(title="Récente")
    assert recent in followup.queue(a.tenant)


def test_a_staff_message_to_the_author_is_no_answer(network, personas, django_capture_on_commit_callbacks):
    a = personas.a
    post = aged(write(a.tenant, a.donor), hours=50)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up = followup.write_to_author(post=post, staff=a.moderator, text="Bonjour, avez-vous trouvé ?")
    assert post in followup.queue(a.tenant)
    (email,) = mail.outbox
    assert email.to == [a.donor.email]
    assert a.moderator.email not in email.body and "Bonjour, avez-vous trouvé ?" in email.body
    conversation = follow_up.conversation
    assert email.reply_to == [relay.address_for(conversation, a.donor)]
    assert conversation.person == a.moderator and conversation.post == post

    # The author answers through the relay: the staff member reads it in the same conversation.
    with django_capture_on_commit_callbacks(execute=True):
        conversations.write(conversation=conversation, author=a.donor, text="Pas encore, merci.")
    assert mail.outbox[-1].to == [a.moderator.email]
    assert Message.objects.filter(conversation=conversation).count() == 2
    assert AuditEvent.objects.filter(action="mutualaid.author_contacted", object_id=str(post.pk)).exists()

    # A second message writes in the same conversation.
    followup.write_to_author(post=post, staff=a.moderator, text="Je vous rappelle demain.")
    assert Conversation.objects.filter(post=post).count() == 1


def test_only_requests_of_the_collectivite_are_followed_up(network, personas):
    a = personas.a
    offer = write(a.tenant, a.owner, kind="offer", title="Trajets")
    with pytest.raises(ActionError):
        followup.note(post=offer, staff=a.moderator, method="called")
    with pytest.raises(ActionError):
        followup.note(post=write(a.tenant, a.donor), staff=a.moderator, method="message")
    assert not FollowUp.objects.exists()


def test_a_moderator_notes_a_follow_up_shown_on_the_request_page(network, personas, client_for):
    a = personas.a
    post = aged(write(a.tenant, a.donor, title="Courses urgentes"), hours=72)
    mona = client_for(a, a.moderator)
    queue = mona.get(QUEUE)
    assert queue.status_code == 200 and "Courses urgentes" in queue.content.decode()
    page = reverse("mutualaid:follow_up_request", args=[post.pk])
    response = mona.post(page, {"note": "1", "method": "social_service", "text": "Transmis au CCAS."})
    assert response.status_code == 302
    shown = mona.get(page).content.decode()
    assert "Transmis au CCAS." in shown
    event = AuditEvent.objects.get(action="mutualaid.follow_up_noted")
    assert event.actor == a.moderator and event.data == {"method": "social_service"}
    assert mona.post(page, {"note": "1", "method": "nonsense"}).status_code == 400
    assert mona.post(page, {"message": "1", "text": ""}).status_code == 400
    assert mona.post(page, {"message": "1", "text": "Bonjour"}).status_code == 302
    assert FollowUp.objects.filter(post=post).count() == 2
    assert "no-store" in mona.get(QUEUE)["Cache-Control"]


def test_the_queue_is_paginated(network, personas, client_for):
    a = personas.a
    posts = [write(a.tenant, a.donor, title=f"Demande {i}") for i in range(30)]
    Post.objects.filter(pk__in=[p.pk for p in posts]).update(created_at=timezone.now() - timedelta(days=3))
    mona = client_for(a, a.moderator)
    first = mona.get(QUEUE).content.decode()
    second = mona.get(QUEUE, {"page": 2}).content.decode()
    assert first.count('class="card"') == 25 and second.count('class="card"') == 5


def test_figures_count_answers_within_24_and_48_hours(network, personas, client_for):
    a = personas.a
    now = timezone.now()
    fast = write(a.tenant, a.donor, title="Vite")
    slow = write(a.tenant, a.donor, title="Lent", commune=SCHILTIGHEIM)
    never = write(a.tenant, a.donor, title="Jamais", slug="medicaments")
    for post in (fast, slow, never):
        aged(post, hours=72)
    talk = conversations.start(post=fast, person=personas.outsider, text="Oui")
    Conversation.objects.filter(pk=talk.pk).update(started_at=now - timedelta(hours=60))
    talk = conversations.start(post=slow, person=personas.outsider, text="Oui")
    Conversation.objects.filter(pk=talk.pk).update(started_at=now - timedelta(hours=30))
    followup.write_to_author(post=never, staff=a.moderator, text="Bonjour")
    actions.finish_post(post=fast, actor=a.donor)

    figures = followup.figures(a.tenant)
    assert (figures.total.requests, figures.total.within_24h, figures.total.within_48h, figures.total.done) == (
        3,
        1,
        2,
        1,
    )
    assert sum(t.requests for _week, t in figures.weeks) == 3 and len(figures.weeks) == followup.WEEKS_SHOWN
    assert {name: t.requests for name, t in figures.communes} == {"Strasbourg": 2, "Schiltigheim": 1}
    assert {t.requests for _name, t in figures.categories} == {2, 1}

    response = client_for(a, a.viewer).get(reverse("mutualaid:follow_up_figures"))
    assert response.status_code == 200 and "Schiltigheim" in response.content.decode()


def test_b_s_requests_are_not_reached_from_a_s_host(network, personas, client_for):
    b = personas.b
    open_network(b.tenant)
    theirs = aged(write(b.tenant, b.donor, commune="57463"), hours=100)
    mona = client_for(personas.a, personas.a.moderator)
    assert theirs.title not in mona.get(QUEUE).content.decode()
    assert mona.get(reverse("mutualaid:follow_up_request", args=[theirs.pk])).status_code == 404


def test_the_demo_has_requests_to_follow_up_and_a_pinned_announcement(personas, django_capture_on_commit_callbacks):
    strasbourg = CollectiviteFactory(slug="strasbourg", kind="commune", insee_code="67482", departements=[])
    strasbourg.communes.set(["67482"])
    for _twice in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            seed(strasbourg, personas)
    titles = {post.title for post in followup.queue(strasbourg)}
    assert titles == {"Récupérer une ordonnance à la pharmacie", "Aide pour une demande en ligne à la CAF"}
    (announcement,) = Announcement.objects.filter(collectivite=strasbourg)
    assert announcement.pinned and announcement.sent_at is not None


def test_the_dashboard_links_to_the_figures_once_the_network_is_open(personas, client_for):
    viewer = client_for(personas.a, personas.a.viewer)
    link = reverse("mutualaid:follow_up_figures")
    assert link not in viewer.get(reverse("reporting:summary")).content.decode()
    open_network(personas.a.tenant)
    assert link in viewer.get(reverse("reporting:summary")).content.decode()


def test_the_audit_log_tells_the_follow_up_in_words(network, personas):
    from solidaire.audit.details import lines

    followup.note(post=write(personas.a.tenant, personas.a.donor), staff=personas.a.moderator, method="social_service")
    (event,) = AuditEvent.objects.filter(action="mutualaid.follow_up_noted")
    assert "social_service" not in str(lines(event))
