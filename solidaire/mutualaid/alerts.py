"""“New near me” alerts (issue 12, item 3): a person asks to be told by e-mail of the new posts
near a commune — requests, offers or both, in some categories or all, within a distance — either
at once (one e-mail per post, sent by a task when the post is listed) or in a daily digest (a task
every hour sends the digests that are due, so a missed run is caught up).

Opt-in: nobody receives anything before adding an alert on /entraide/alertes/. An alert follows
the list's rules (mutualaid.access): sensitive posts reach only the network's moderators and vetted
volunteers, posts a moderator hid reach nobody, an author who blocked a person never reaches them,
a suspended person receives nothing, nor does the post's author. A post is sent at most once to an
alert (AlertDelivery, unique), whatever the retries. The e-mails name the commune, never an address
or a position, and end with a signed link (django.core.signing) that deletes the alert in one
button without signing in."""

import math
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import access, safety
from .models import Alert, AlertDelivery, AlertFrequency, Category, Kind, Moderation, Post, State
from .search import DISTANCES_KM, KM_PER_DEGREE, is_within

UNSUBSCRIBE_SALT = "solidaire.mutualaid.alerts.unsubscribe"
MAX_ALERTS = 10
# The farthest an alert reaches (Alert.distance_km's bound).
FARTHEST_KM = 50
# A daily alert is due again this long after its last digest: a little less than a day, so that
# an hourly task that ran a few minutes late does not push the next digest an hour later.
DIGEST_EVERY = timedelta(hours=23)
# A digest lists the posts written in the last week at most (and none older than the alert) that
# it has not sent yet: a post a moderator approved days after it was written still gets in.
DIGEST_LOOKBACK = timedelta(days=7)
# The most posts one digest lists (the network's page shows the rest).
DIGEST_MAX_POSTS = 30


# Writing ------------------------------------------------------------------------------------------


def alerts_of(collectivite, user):
    return (
        Alert.objects.filter(collectivite=collectivite, user=user)
        .select_related("commune")
        .prefetch_related("categories")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def save_alert(
    *, collectivite, user, commune, kind: str = "", categories=(), distance_km: int = 5, frequency: str
) -> Alert:
    """A new alert of `user` in this network (at most MAX_ALERTS each): checked against the
    network's categories (sensitive ones only for who may read them) and territory."""
    if kind not in ("", *Kind.values):
        raise ActionError(_("Choose requests, offers or both."), field="kind")
    if frequency not in AlertFrequency.values:
        raise ActionError(_("Choose how often you receive the e-mails."), field="frequency")
    if distance_km not in DISTANCES_KM:
        raise ActionError(_("Choose one of the distances offered."), field="distance_km")
    if commune is None or not collectivite.communes.filter(pk=commune.pk).exists():
        raise ActionError(_("Choose a commune of the territory."), field="commune")
    categories = list(categories)
    allowed = Category.objects.filter(collectivite=collectivite)
    if not access.reader_of(collectivite, user).sees_sensitive:
        allowed = allowed.filter(sensitive=False)
    if len({c.pk for c in categories}) != allowed.filter(pk__in=[c.pk for c in categories]).count():
        raise ActionError(_("Choose categories in the list."), field="categories")
    # The person's row locked: two forms sent at once do not make an eleventh alert.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Alert.objects.filter(collectivite=collectivite, user=user).count() >= MAX_ALERTS:
        raise ActionError(
            _("You already have %(count)s alerts, the most allowed: delete one first.") % {"count": MAX_ALERTS},
            code="too_many",
        )
    alert = Alert.objects.create(
        collectivite=collectivite, user=user, kind=kind, commune=commune, distance_km=distance_km, frequency=frequency
    )
    alert.categories.set(categories)
    return alert


@transaction.atomic
def delete_alert(*, alert: Alert, actor) -> None:
    """`actor` deletes one of their alerts (the signed link of an e-mail acts as its person)."""
    if alert.user_id != actor.pk:
        raise ActionError(_("Only who made this alert can delete it."), code="not_owner")
    alert.delete()


def unsubscribe_token(alert: Alert) -> str:
    return signing.dumps({"c": alert.collectivite_id, "a": alert.pk, "u": alert.user_id}, salt=UNSUBSCRIBE_SALT)


def read_token(collectivite, token: str) -> dict | None:
    """What an unsubscribe link names ({"a": alert id, "u": user id}), on its own collectivité's
    host; None for a forged, altered or foreign link."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != collectivite.pk:
        return None
    if not isinstance(data.get("a"), int) or not isinstance(data.get("u"), int):
        return None
    return data


def alert_for_token(collectivite, data: dict) -> Alert | None:
    """The alert a valid link names, None once deleted."""
    return (
        Alert.objects.select_related("user", "commune")
        .filter(collectivite=collectivite, pk=data["a"], user_id=data["u"])
        .first()
    )


# Who is told ------------------------------------------------------------------------------------


def _category_ids(alert: Alert) -> set[int]:
    return {c.pk for c in alert.categories.all()}


def _near(alert: Alert, post: Post) -> bool:
    """Within the alert's distance of its commune's centre; a post or a commune without a position
    is near only its own commune."""
    if None in (post.latitude, post.longitude, alert.commune.latitude, alert.commune.longitude):
        return post.commune_id == alert.commune_id
    return is_within(alert.commune, post.latitude, post.longitude, alert.distance_km)


def covers(alert: Alert, post: Post) -> bool:
    """Whether the post is of the alert's type and categories and near enough (not who sees it)."""
    if alert.kind and alert.kind != post.kind:
        return False
    categories = _category_ids(alert)
    if categories and post.category_id not in categories:
        return False
    return _near(alert, post)


def _candidates():
    """The alerts whose person may receive something: active, in a network switched on."""
    return (
        Alert.objects.filter(user__is_active=True, collectivite__mutual_aid__enabled=True)
        .select_related("user", "commune", "collectivite")
        .prefetch_related("categories")
        .order_by("pk")
    )


def visible_posts(alert: Alert):
    """The listed posts the alert's person may read (mutualaid.access), not their own."""
    reader = access.reader_of(alert.collectivite, alert.user)
    return access.listed_posts_for(alert.collectivite, alert.user, reader).exclude(author=alert.user_id)


def matching_alerts(post: Post) -> list[Alert]:
    """The alerts of the post's network it is for: its type, category and place, and a person who
    may read it (sensitive, hidden, blocked: the list's rules), other than its author."""
    alerts = (
        _candidates()
        .filter(collectivite=post.collectivite_id)
        .filter(Q(kind="") | Q(kind=post.kind))
        .exclude(user=post.author_id)
        .exclude(user__in=safety.active_suspensions(post.collectivite_id).values("user"))
    )
    return [a for a in _around(alerts, post) if covers(a, post) and visible_posts(a).filter(pk=post.pk).exists()]


def _around(alerts, post: Post):
    """`alerts` whose commune is at most FARTHEST_KM from the post (a box, before each alert's own
    distance is measured), or is the post's."""
    if post.latitude is None or post.longitude is None:
        return alerts.filter(commune=post.commune_id)
    dlat = FARTHEST_KM / KM_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(post.latitude)), 0.01)
    box = Q(
        commune__latitude__range=(post.latitude - dlat, post.latitude + dlat),
        commune__longitude__range=(post.longitude - dlon, post.longitude + dlon),
    )
    return alerts.filter(box | Q(commune=post.commune_id))


# Sending ------------------------------------------------------------------------------------------


def _links(alert: Alert, language: str) -> dict:
    collectivite = alert.collectivite
    with translation.override(language):
        manage = reverse("mutualaid:alerts")
        stop = reverse("mutualaid:alerts_unsubscribe", args=[unsubscribe_token(alert)])
    return {"alerts_url": tenant_url(collectivite, manage), "unsubscribe_url": tenant_url(collectivite, stop)}


def _item(post: Post, language: str) -> dict:
    """What an e-mail says of a post: its title, type, category and commune — no address, no
    position — and its page."""
    with translation.override(language):
        url = tenant_url(post.collectivite, reverse("mutualaid:post", args=[post.pk]))
    return {"post": post, "commune": post.place, "url": url}


def _send(alert: Alert, posts: list[Post], template: str) -> None:
    user = alert.user
    language = user.language
    items = [_item(post, language) for post in posts]
    links = _links(alert, language)
    send_templated(
        to=user.email,
        template=template,
        language=language,
        collectivite=alert.collectivite,
        context={
            "alert": alert,
            "items": items,
            "item": items[0],
            "count": len(posts),
            **links,
        },
        unsubscribe_url=links["unsubscribe_url"],
    )


def send_immediate(post_id: int) -> int:
    """E-mails a newly listed post to its immediate alerts, once each: the delivery is recorded
    in the same transaction as the e-mail is queued, so a task run again sends nothing. Returns
    how many were sent."""
    post = (
        Post.objects.select_related("collectivite", "category", "commune", "neighbourhood", "author")
        .filter(pk=post_id, state=State.OPEN, moderation=Moderation.APPROVED)
        .first()
    )
    if post is None:
        return 0
    count = 0
    for alert in matching_alerts(post):
        if alert.frequency != AlertFrequency.IMMEDIATE:
            continue
        with transaction.atomic():
            _delivery, created = AlertDelivery.objects.get_or_create(alert=alert, post=post)
            if created:
                _send(alert, [post], "mutualaid/email/alert")
                count += 1
    return count


def due_digests(now: datetime):
    """The daily alerts whose digest is due: never sent, or DIGEST_EVERY ago."""
    return (
        _candidates()
        .filter(frequency=AlertFrequency.DAILY)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY))
    )


def digest_posts(alert: Alert, now: datetime) -> list[Post]:
    """The posts a digest lists: written since the alert was made (a week at most), not sent to
    it yet, that its person may read and that it covers; oldest first."""
    since = max(alert.created_at, now - DIGEST_LOOKBACK)
    posts = (
        visible_posts(alert)
        .filter(created_at__gt=since, created_at__lte=now)
        .exclude(pk__in=AlertDelivery.objects.filter(alert=alert).values("post"))
        .select_related("collectivite", "neighbourhood")
    )
    if alert.kind:
        posts = posts.filter(kind=alert.kind)
    categories = _category_ids(alert)
    if categories:
        posts = posts.filter(category_id__in=categories)
    chosen = [post for post in posts.order_by("created_at", "pk")[:500] if _near(alert, post)]
    return chosen[:DIGEST_MAX_POSTS]


def send_digest(alert_id: int, now: datetime) -> bool:
    """One daily alert's digest, if due: the new posts in one e-mail (none when there is nothing
    new), their deliveries recorded and the alert marked done, in one transaction."""
    with transaction.atomic():
        alert = due_digests(now).select_for_update(of=("self",)).filter(pk=alert_id).first()
        if alert is None:
            return False
        sent = False
        if not safety.is_suspended(alert.collectivite, alert.user):
            posts = digest_posts(alert, now)
            if posts:
                AlertDelivery.objects.bulk_create(
                    [AlertDelivery(alert=alert, post=post) for post in posts], ignore_conflicts=True
                )
                _send(alert, posts, "mutualaid/email/alert_digest")
                sent = True
        alert.last_digest_at = now
        alert.save(update_fields=["last_digest_at"])
    return sent


def send_digests(now: datetime | None = None) -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): the daily digests that are due, one transaction each.
    Returns how many e-mails were sent."""
    now = now or timezone.now()
    return sum(send_digest(pk, now) for pk in list(due_digests(now).values_list("pk", flat=True)))
