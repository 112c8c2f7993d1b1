"""A post's states: open → in progress → done, closed, expired; one table, one write path per move,
each audited; only the author moves their post, and a move the table lacks changes nothing."""

from datetime import timedelta

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.core.errors import ActionError
from solidaire.mutualaid import actions, states
from solidaire.mutualaid.models import Post, State

from .helpers import open_network, today, write

pytestmark = pytest.mark.django_db

ALL_MOVES = (states.START, states.FINISH, states.CLOSE, states.EXPIRE)


def test_the_table_allows_exactly_the_product_s_moves():
    assert states.TRANSITIONS == {
        ("open", "start"): "in_progress",
        ("open", "finish"): "done",
        ("in_progress", "finish"): "done",
        ("open", "close"): "closed",
        ("in_progress", "close"): "closed",
        ("open", "expire"): "expired",
        ("in_progress", "expire"): "expired",
    }
    for final in (State.DONE, State.CLOSED, State.EXPIRED):
        assert all(states.target(final, move) is None for move in ALL_MOVES), final


def test_every_move_records_its_own_audit_event():
    assert set(states.EVENTS) == set(ALL_MOVES)


@pytest.fixture
def post(personas):
    open_network(personas.a.tenant)
    return write(personas.a.tenant, personas.a.donor)


def test_the_author_takes_a_request_in_hand_then_marks_it_done(post, personas):
    dora = personas.a.donor
    actions.start_post(post=post, actor=dora)
    assert Post.objects.get(pk=post.pk).state == State.IN_PROGRESS
    actions.finish_post(post=post, actor=dora)
    assert Post.objects.get(pk=post.pk).state == State.DONE
    recorded = list(AuditEvent.objects.filter(object_id=str(post.pk)).order_by("pk").values_list("action", flat=True))
    assert recorded == ["mutualaid.post_created", "mutualaid.post_started", "mutualaid.post_done"]


def test_a_done_post_cannot_be_reopened_or_closed(post, personas):
    actions.finish_post(post=post, actor=personas.a.donor)
    with pytest.raises(ActionError):
        actions.close_post(post=post, actor=personas.a.donor)
    with pytest.raises(ActionError):
        actions.start_post(post=post, actor=personas.a.donor)
    assert Post.objects.get(pk=post.pk).state == State.DONE
    assert AuditEvent.objects.filter(action="mutualaid.post_closed").count() == 0


def test_someone_else_cannot_move_the_author_s_post(post, personas):
    for intruder in (personas.a.moderator, personas.outsider):
        with pytest.raises(ActionError):
            actions.close_post(post=post, actor=intruder)
    assert Post.objects.get(pk=post.pk).state == State.OPEN


def test_posts_past_their_end_date_expire_and_others_stay(personas):
    a = personas.a
    open_network(a.tenant)
    due = write(a.tenant, a.donor, ends_on=today())
    later = write(a.tenant, a.donor, ends_on=today() + timedelta(days=3))
    finished = write(a.tenant, a.donor, ends_on=today())
    actions.finish_post(post=finished, actor=a.donor)
    assert actions.expire_due_posts(today() + timedelta(days=1)) == 1
    assert Post.objects.get(pk=due.pk).state == State.EXPIRED
    assert Post.objects.get(pk=later.pk).state == State.OPEN
    assert Post.objects.get(pk=finished.pk).state == State.DONE
    event = AuditEvent.objects.get(action="mutualaid.post_expired")
    assert event.actor is None and event.object_id == str(due.pk)


def test_the_expiry_runs_every_hour(settings, personas):
    from solidaire.mutualaid.tasks import expire_posts

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule[expire_posts.name] == 3600.0
    open_network(personas.a.tenant)
    write(personas.a.tenant, personas.a.donor, ends_on=today())
    assert expire_posts() == 0  # nothing past its end date yet
