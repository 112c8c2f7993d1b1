"""A reminder before a post expires (issue 12, item 1): the author of an open or in-progress post
ending within two days is e-mailed once, with links on the collectivité's own address to the
post and to their posts' page; not for posts without an end date, ending later, done or closed,
nor for a post written already that close to its end."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from solidaire.core.typography import long_date
from solidaire.mutualaid import actions, reminders
from solidaire.mutualaid.models import Post
from solidaire.mutualaid.tasks import expire_posts
from solidaire.tenants.models import Domain

from ..accounts.helpers import translated
from .helpers import open_network, today, write

pytestmark = pytest.mark.django_db

LATER = timedelta(days=10)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Runs the reminders on a given day; returns the e-mails sent."""

    def run(day):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.remind_expiring_posts(day)
        return mail.outbox[before:]

    return run


@pytest.fixture
def ending(personas):
    open_network(personas.a.tenant)
    return write(personas.a.tenant, personas.a.donor, ends_on=today() + LATER)


def test_the_author_is_reminded_once_two_days_before(ending, personas, remind):
    end = ending.ends_on
    assert remind(end - timedelta(days=3)) == []  # three days before: not yet
    sent = remind(end - timedelta(days=2))
    assert len(sent) == 1 and sent[0].to == [personas.a.donor.email]
    assert Post.objects.get(pk=ending.pk).expiry_reminded_at is not None
    assert remind(end - timedelta(days=2)) == [] and remind(end - timedelta(days=1)) == [] and remind(end) == []


def test_the_e_mail_says_when_and_links_to_the_post_and_my_posts(ending, personas, remind):
    (email,) = remind(ending.ends_on - timedelta(days=1))
    host = f"http://{personas.a.tenant.slug}.localhost"
    assert f"{host}{reverse('mutualaid:post', args=[ending.pk])}" in email.body
    assert f"{host}{reverse('mutualaid:my_posts')}" in email.body
    with timezone.override("Europe/Paris"):
        date = long_date(ending.ends_on, "fr")
    subject = translated("Your post “%(title)s” ends on %(date)s", title=ending.title, date=date)
    assert " ".join(subject.split()) in email.subject  # a subject's spaces are plain ones
    assert personas.a.tenant.name in email.from_email


def test_the_links_use_the_collectivites_own_domain(ending, personas, remind):
    Domain.objects.create(collectivite=personas.a.tenant, host="entraide.grandest.fr")
    (email,) = remind(ending.ends_on - timedelta(days=2))
    assert f"://entraide.grandest.fr{reverse('mutualaid:post', args=[ending.pk])}" in email.body
    assert "grand-est.localhost" not in email.body


def test_in_progress_posts_are_reminded_done_and_closed_ones_are_not(personas, remind):
    a = personas.a
    open_network(a.tenant)
    end = today() + LATER
    started = write(a.tenant, a.donor, title="Commencé", ends_on=end)
    actions.start_post(post=started, actor=a.donor)
    done = write(a.tenant, a.donor, title="Fait", ends_on=end)
    actions.finish_post(post=done, actor=a.donor)
    closed = write(a.tenant, a.donor, title="Fermé", ends_on=end)
    actions.close_post(post=closed, actor=a.donor)
    sent = remind(end - timedelta(days=1))
    assert len(sent) == 1 and "Commencé" in sent[0].subject
    assert set(Post.objects.filter(expiry_reminded_at__isnull=False).values_list("pk", flat=True)) == {started.pk}


def test_no_reminder_without_end_date_or_with_a_far_one(personas, remind):
    a = personas.a
    open_network(a.tenant)
    write(a.tenant, a.donor, title="Sans fin")
    write(a.tenant, a.donor, title="Lointain", ends_on=today() + timedelta(days=30))
    assert remind(today() + LATER) == []
    assert not Post.objects.filter(expiry_reminded_at__isnull=False).exists()


def test_a_post_written_close_to_its_end_is_not_reminded(personas, remind):
    a = personas.a
    open_network(a.tenant)
    write(a.tenant, a.donor, ends_on=today() + timedelta(days=1))
    assert remind(today()) == []


def test_a_past_end_date_is_for_the_expiry_not_the_reminder(ending, remind):
    assert remind(ending.ends_on + timedelta(days=1)) == []


def test_a_reminder_already_claimed_is_not_sent_again(ending, remind):
    """Another worker marked the post first (the conditional update): this one sends nothing."""
    Post.objects.filter(pk=ending.pk).update(expiry_reminded_at=timezone.now())
    assert remind(ending.ends_on - timedelta(days=1)) == []


def test_the_hourly_task_sends_the_reminders(personas, django_capture_on_commit_callbacks, monkeypatch):
    open_network(personas.a.tenant)
    post = write(personas.a.tenant, personas.a.donor, ends_on=today() + timedelta(days=5))
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(days=5))
    Post.objects.filter(pk=post.pk).update(ends_on=today() + timedelta(days=2))
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_posts() == 0
    assert len(mail.outbox) == before + 1
