"""A reminder before a post expires (issue 12, item 1): the author of an open or in-progress post
whose end date is within REMIND_DAYS days is e-mailed once, with links to the post and to their
posts' page, where they mark it done or close it (not when the post was written already that
close to its end date). Run by the hourly task that expires posts.

Once: each post is marked reminded by a conditional update (`expiry_reminded_at` still empty) in
the transaction that queues its e-mail, which is sent after the commit; two workers running at
the same time cannot both win the update, so nobody is told twice. Nothing lets an author change
a post's end date today; a write path that does must empty `expiry_reminded_at` too, so that
the new date is reminded."""

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url

from .models import Moderation, Post, State

REMIND_DAYS = 2
REMINDED_STATES = (State.OPEN, State.IN_PROGRESS)


def due(today: date):
    """Posts whose author is to be told today: ending today or within REMIND_DAYS days, still
    open or in progress, not rejected, not told yet, in a network still open (its pages answer)."""
    return Post.objects.filter(
        state__in=REMINDED_STATES,
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=REMIND_DAYS),
        expiry_reminded_at__isnull=True,
        author__is_active=True,
        collectivite__mutual_aid__enabled=True,
    ).exclude(moderation=Moderation.REJECTED)


def remind_expiring_posts(today: date | None = None) -> int:
    """E-mails the authors of the posts ending soon, each once, one transaction per post.
    Returns how many were told."""
    today = today or timezone.localdate()
    count = 0
    candidates = due(today).order_by("pk").values_list("pk", "created_at", "ends_on")
    for pk, created_at, ends_on in list(candidates):
        if timezone.localtime(created_at).date() >= ends_on - timedelta(days=REMIND_DAYS):
            continue  # written already this close to its end: its author knows
        with transaction.atomic():
            # The conditional update is the lock: only the worker that changes the row sends. Its
            # condition is on the post's own row (a condition through a join becomes a subquery
            # that PostgreSQL does not check again once the other worker's lock is released).
            won = Post.objects.filter(pk=pk, expiry_reminded_at__isnull=True).update(expiry_reminded_at=timezone.now())
            if not won:
                continue
            post = Post.objects.select_related("author", "collectivite").get(pk=pk)
            _send(post)
            count += 1
    return count


def _send(post: Post) -> None:
    author, collectivite = post.author, post.collectivite
    with translation.override(author.language):
        post_path = reverse("mutualaid:post", args=[post.pk])
        my_posts_path = reverse("mutualaid:my_posts")
    send_templated(
        to=author.email,
        template="mutualaid/email/expiry_reminder",
        language=author.language,
        collectivite=collectivite,
        context={
            "post": post,
            "post_url": tenant_url(collectivite, post_path),
            "my_posts_url": tenant_url(collectivite, my_posts_path),
        },
    )
