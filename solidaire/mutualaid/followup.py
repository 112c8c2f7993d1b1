"""The collectivité follows up with the people who asked for help (issue 12, item 6): the queue of
requests nobody answered after the network's `follow_up_hours` and of requests "in progress" for
more than IN_PROGRESS_DAYS; a staff member's follow-up note (called, e-mailed, passed to a social
service) and their message to the request's author through the conversations' e-mail relay; the
figures per week. Each change is one transaction that writes its audit event.

A staff member's message opens a conversation like an answer would (the author reads it and
answers on the platform or by e-mail, mutualaid.relay), but it is not an answer: a conversation
named by a follow-up note does not take the request out of the queue nor count in the figures."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import conversations, relay
from .models import Conversation, FollowUp, Kind, Message, Moderation, MutualAidSettings, Post, State

# A request "in progress" (its author said someone helps) for longer than this is followed up: a
# constant, not a setting, until a collectivité asks for another value.
IN_PROGRESS_DAYS = 7
DEFAULT_HOURS = MutualAidSettings._meta.get_field("follow_up_hours").default
WEEKS_SHOWN = 8
NOTE_LENGTH = 2000


def answers(post_ref=None):
    """Conversations that answer a post: not the ones a staff member opened to follow it up."""
    rows = Conversation.objects.filter(follow_ups__isnull=True)
    return rows.filter(post=post_ref) if post_ref is not None else rows


def hours_of(collectivite) -> int:
    network = MutualAidSettings.objects.filter(collectivite=collectivite).first()
    return network.follow_up_hours if network is not None else DEFAULT_HOURS


def queue(collectivite, now: datetime | None = None):
    """Approved requests open without any answer for more than the network's follow-up hours, and
    requests in progress for more than IN_PROGRESS_DAYS, oldest first, each annotated with
    `answered` and `last_follow_up`."""
    now = now or timezone.now()
    unanswered_since = now - timedelta(hours=hours_of(collectivite))
    stuck_since = now - timedelta(days=IN_PROGRESS_DAYS)
    return (
        Post.objects.filter(collectivite=collectivite, kind=Kind.REQUEST, moderation=Moderation.APPROVED)
        .annotate(answered=Exists(answers(OuterRef("pk"))), last_follow_up=Max("follow_ups__created_at"))
        .filter(
            Q(state=State.OPEN, created_at__lte=unanswered_since, answered=False)
            | Q(state=State.IN_PROGRESS, updated_at__lte=stuck_since)
        )
        .select_related("category", "commune", "author")
        .order_by("created_at", "pk")
    )


def _clean(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionError(_("Write a message."), field="text")
    if len(text) > NOTE_LENGTH:
        raise ActionError(_("Your text is too long: shorten it."), field="text")
    return text


def _request_of(post: Post, collectivite) -> Post:
    post = Post.objects.select_for_update().select_related("collectivite", "author").get(pk=post.pk)
    if post.collectivite_id != collectivite.pk or post.kind != Kind.REQUEST:
        raise ActionError(_("Only requests for help are followed up."), code="not_request")
    return post


@transaction.atomic
def note(*, post: Post, staff, method: str, text: str = "") -> FollowUp:
    """A staff member writes down what they did about a request (called, e-mailed, passed to a
    social service)."""
    post = _request_of(post, post.collectivite)
    if method not in FollowUp.Method.values or method == FollowUp.Method.MESSAGE:
        raise ActionError(_("Choose what was done."), field="method")
    follow_up = FollowUp.objects.create(post=post, staff=staff, method=method, text=_clean(text, required=False))
    record(
        collectivite=post.collectivite,
        actor=staff,
        action="mutualaid.follow_up_noted",
        obj=post,
        data={"method": method},
    )
    return follow_up


@transaction.atomic
def write_to_author(*, post: Post, staff, text: str) -> FollowUp:
    """A staff member writes to the request's author through the relay: the conversation between
    them (opened the first time), the message e-mailed from the collectivité with the relay's
    Reply-To, and a follow-up note naming the conversation. The author's e-mail stays unknown to
    the staff member, like to anyone answering."""
    post = _request_of(post, post.collectivite)
    if post.author_id == staff.pk:
        raise ActionError(_("This is your own post."), code="own")
    text = _clean(text, required=True)
    conversation, _created = Conversation.objects.get_or_create(post=post, person=staff)
    if conversation.is_closed:
        raise ActionError(_("This conversation is closed: no more messages can be written."), code="closed")
    message = Message.objects.create(conversation=conversation, author=staff, text=text)
    follow_up = FollowUp.objects.create(
        post=post, staff=staff, method=FollowUp.Method.MESSAGE, text=text, conversation=conversation
    )
    reader = post.author
    with translation.override(reader.language):
        path = reverse("mutualaid:conversation", args=[conversation.pk])
    reply_to = relay.address_for(conversation, reader)
    send_templated(
        to=reader.email,
        template="mutualaid/email/followup_message",
        language=reader.language,
        collectivite=post.collectivite,
        reply_to=reply_to or None,
        context={
            "post": post,
            "text": conversations.shown_text(conversation, message.text),
            "url": tenant_url(post.collectivite, path),
            "by_email": bool(reply_to),
        },
    )
    record(
        collectivite=post.collectivite,
        actor=staff,
        action="mutualaid.author_contacted",
        obj=post,
    )
    return follow_up


# Figures --------------------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    within_24h: int = 0
    within_48h: int = 0
    done: int = 0

    def add(self, delay: timedelta | None, state: str) -> None:
        self.requests += 1
        if delay is not None and delay <= timedelta(hours=24):
            self.within_24h += 1
        if delay is not None and delay <= timedelta(hours=48):
            self.within_48h += 1
        if state == State.DONE:
            self.done += 1


@dataclass
class Figures:
    weeks: list[tuple[object, Tally]] = field(default_factory=list)
    categories: list[tuple[str, Tally]] = field(default_factory=list)
    communes: list[tuple[str, Tally]] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)


def week_start(day):
    return day - timedelta(days=day.weekday())


def figures(collectivite, *, weeks: int = WEEKS_SHOWN, today=None) -> Figures:
    """The approved requests posted in the last `weeks` weeks (Monday to Sunday, the current one
    included), per week of posting, per category and per commune: how many, how many answered
    within 24 and 48 hours of being posted (first answer, staff messages excluded), how many are
    now done. One query, bounded by the period."""
    today = today or timezone.localdate()
    first_day = week_start(today) - timedelta(weeks=weeks - 1)
    since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    first_answer = answers(OuterRef("pk")).order_by().values("post").annotate(first=Min("started_at")).values("first")
    rows = (
        Post.objects.filter(
            collectivite=collectivite, kind=Kind.REQUEST, moderation=Moderation.APPROVED, created_at__gte=since
        )
        .annotate(first_answer=first_answer)
        .values_list("created_at", "first_answer", "state", "category__label", "commune__name")
    )
    by_week = {first_day + timedelta(weeks=i): Tally() for i in range(weeks)}
    by_category: dict[str, Tally] = {}
    by_commune: dict[str, Tally] = {}
    result = Figures()
    for created_at, first, state, category, commune in rows:
        delay = first - created_at if first is not None else None
        week = week_start(timezone.localtime(created_at).date())
        for tally in (
            by_week.setdefault(week, Tally()),
            by_category.setdefault(category, Tally()),
            by_commune.setdefault(commune, Tally()),
            result.total,
        ):
            tally.add(delay, state)
    result.weeks = sorted(by_week.items(), reverse=True)
    result.categories = sorted(by_category.items(), key=lambda item: (-item[1].requests, item[0]))
    result.communes = sorted(by_commune.items(), key=lambda item: (-item[1].requests, item[0]))
    return result
