"""Keeping the network safe (issue 12, item 5): a participant reports a post, a message or a
person, or blocks a person; a moderator decides on each report — hide the content, warn the
person, suspend them from this collectivité's network, or dismiss — and the reporter is told the
outcome by e-mail. Every change goes through these functions, one transaction each, audited.

What the rest of the network reads from here: whether two people blocked each other (no
conversation between them), whether someone is suspended (no post, no message), which posts and
messages a moderator hid, and which authors blocked the reader (their posts are not shown)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import limits
from .models import Block, Post, Report, ReportDecision, ReportReason, ReportTarget, Suspension

# Reports a person may make per hour, in every collectivité together.

# What a moderator may decide on a report, by what it is about: a person cannot be hidden.
DECISIONS: dict[str, tuple[str, ...]] = {
    ReportTarget.POST: (ReportDecision.HIDE, ReportDecision.WARN, ReportDecision.SUSPEND, ReportDecision.DISMISS),
    ReportTarget.MESSAGE: (ReportDecision.HIDE, ReportDecision.WARN, ReportDecision.SUSPEND, ReportDecision.DISMISS),
    ReportTarget.PERSON: (ReportDecision.WARN, ReportDecision.SUSPEND, ReportDecision.DISMISS),
}


def decisions_for(report: Report) -> tuple[str, ...]:
    return DECISIONS[report.target] if report.is_open else ()


# What the network reads ---------------------------------------------------------------------------


def blocked_between(collectivite, one, other) -> bool:
    """Whether either of the two blocked the other in this network."""
    if one is None or other is None:
        return False
    return (
        Block.objects.filter(collectivite=collectivite)
        .filter(Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one))
        .exists()
    )


def is_suspended(collectivite, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and Suspension.objects.filter(collectivite=collectivite, user=user, lifted_at__isnull=True).exists()
    )


def refuse_suspended(collectivite, user) -> None:
    """Raised in every write path of a participant: posting, answering, writing."""
    if is_suspended(collectivite, user):
        raise ActionError(
            _("A moderator suspended your participation in this mutual-aid network: you cannot post or write."),
            code="suspended",
        )


def refuse_blocked(collectivite, one, other) -> None:
    if blocked_between(collectivite, one, other):
        raise ActionError(_("You cannot write to this person any more."), code="blocked")


def screen_posts(posts, *, collectivite, user, moderator: bool):
    """`posts` without those a moderator hid and those whose author blocked `user`; moderators
    see everything."""
    if moderator:
        return posts
    posts = posts.exclude(reports__decision=ReportDecision.HIDE)
    if user is not None and user.is_authenticated:
        blockers = Block.objects.filter(collectivite=collectivite, blocked=user).values("blocker")
        posts = posts.exclude(author__in=blockers)
    return posts


def is_blocked_by_someone(collectivite, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and Block.objects.filter(collectivite=collectivite, blocked=user).exists()
    )


def hidden_post_ids(post_ids) -> set[int]:
    """Which of these posts a moderator hid (their author still sees them, marked)."""
    return set(
        Report.objects.filter(post_id__in=post_ids, decision=ReportDecision.HIDE).values_list("post_id", flat=True)
    )


def hidden_message_ids(conversation) -> set[int]:
    return set(
        Report.objects.filter(message__conversation=conversation, decision=ReportDecision.HIDE).values_list(
            "message_id", flat=True
        )
    )


def active_suspensions(collectivite):
    return Suspension.objects.filter(collectivite=collectivite, lifted_at__isnull=True).select_related("user")


# Reporting and blocking ---------------------------------------------------------------------------


@transaction.atomic
def report(*, collectivite, reporter, reason: str, text: str = "", post=None, message=None, person=None) -> Report:
    """`reporter` tells the moderators about one post, message or person of this network (the
    views check that they may see it); one open report per reporter and target."""
    text = (text or "").strip()
    if reason not in ReportReason.values:
        raise ActionError(_("Choose a reason in the list."), field="reason")
    if len(text) > 2000:
        raise ActionError(_("Your text is too long: shorten it."), field="text")
    if post is not None:
        target, about, key = ReportTarget.POST, post.author, f"post:{post.pk}"
    elif message is not None:
        target, about, key = ReportTarget.MESSAGE, message.author, f"message:{message.pk}"
    elif person is not None:
        target, about, key = ReportTarget.PERSON, person, f"person:{person.pk}"
    else:
        raise TypeError("report a post, a message or a person")
    if about is not None and about.pk == reporter.pk:
        raise ActionError(_("You cannot report yourself."), code="own")
    if Report.objects.filter(collectivite=collectivite, reporter=reporter, key=key, decision="").exists():
        raise ActionError(_("You already reported this: a moderator will read your report."), code="already")
    if limits.spent(reporter, "report"):
        raise ActionError(_("You have sent many reports: wait an hour before the next one."), code="rate_limited")
    try:
        with transaction.atomic():
            made = Report.objects.create(
                collectivite=collectivite,
                reporter=reporter,
                target=target,
                post=post,
                message=message,
                person=about,
                key=key,
                reason=reason,
                text=text,
            )
    except IntegrityError as exc:  # the same report sent twice at once
        raise ActionError(_("You already reported this: a moderator will read your report."), code="already") from exc
    record(
        collectivite=collectivite,
        actor=reporter,
        action="mutualaid.report_made",
        obj=made,
        data={"target": target, "reason": reason},
    )
    return made


@transaction.atomic
def block(*, collectivite, blocker, blocked) -> Block:
    if blocked.pk == blocker.pk:
        raise ActionError(_("You cannot block yourself."), code="own")
    made, created = Block.objects.get_or_create(collectivite=collectivite, blocker=blocker, blocked=blocked)
    if created:
        record(collectivite=collectivite, actor=blocker, action="mutualaid.person_blocked", obj=made)
    return made


@transaction.atomic
def unblock(*, block: Block, actor) -> None:
    if block.blocker_id != actor.pk:
        raise ActionError(_("Only who blocked this person can unblock them."), code="not_blocker")
    record(collectivite=block.collectivite, actor=actor, action="mutualaid.person_unblocked", obj=block)
    block.delete()


# Moderators' decisions ----------------------------------------------------------------------------


@transaction.atomic
def decide(*, report: Report, moderator, decision: str, note: str = "") -> Report:
    """A moderator's decision on an open report: hide the post or message (from everyone but the
    moderators), warn its author by e-mail, suspend them from this network (until lifted), or
    dismiss the report. Audited; the reporter is told the outcome by e-mail."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("collectivite", "reporter", "person", "post", "message")
        .get(pk=report.pk)
    )
    if not report.is_open:
        raise ActionError(_("This report has already been decided."), code="decided")
    if decision not in DECISIONS[report.target]:
        raise ActionError(_("Choose one of the decisions offered."), field="decision")
    note = (note or "").strip()[:2000]
    collectivite = report.collectivite
    if decision == ReportDecision.SUSPEND and report.person is not None:
        suspension = Suspension.objects.filter(collectivite=collectivite, user=report.person, lifted_at__isnull=True)
        if not suspension.exists():
            Suspension.objects.create(
                collectivite=collectivite, user=report.person, report=report, created_by=moderator
            )
    report.decision = decision
    report.decision_note = note
    report.decided_by = moderator
    report.decided_at = timezone.now()
    report.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    record(
        collectivite=collectivite,
        actor=moderator,
        action="mutualaid.report_decided",
        obj=report,
        data={"target": report.target, "decision": decision},
    )
    if decision in (ReportDecision.WARN, ReportDecision.SUSPEND) and report.person is not None:
        _tell_person(report)
    _tell_reporter(report)
    return report


@transaction.atomic
def lift(*, suspension: Suspension, moderator) -> Suspension:
    suspension = Suspension.objects.select_for_update().select_related("collectivite").get(pk=suspension.pk)
    if suspension.lifted_at is not None:
        raise ActionError(_("This suspension has already been lifted."), code="lifted")
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = moderator
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    record(collectivite=suspension.collectivite, actor=moderator, action="mutualaid.suspension_lifted", obj=suspension)
    return suspension


def _network_url(collectivite, language: str) -> str:
    with translation.override(language):
        return tenant_url(collectivite, reverse("mutualaid:network"))


def _what(report: Report) -> str:
    """The title of the reported post, or of the post the reported message was written about."""
    if report.post is not None:
        return report.post.title
    if report.message is not None:
        return Post.objects.filter(conversations__messages=report.message).values_list("title", flat=True).first()
    return ""


def _tell_reporter(report: Report) -> None:
    reporter = report.reporter
    send_templated(
        to=reporter.email,
        template="mutualaid/email/report_outcome",
        language=reporter.language,
        collectivite=report.collectivite,
        context={
            "target": report.target,
            "title": _what(report) or "",
            "acted": report.decision != ReportDecision.DISMISS,
            "url": _network_url(report.collectivite, reporter.language),
        },
    )


def _tell_person(report: Report) -> None:
    person = report.person
    send_templated(
        to=person.email,
        template="mutualaid/email/report_warning",
        language=person.language,
        collectivite=report.collectivite,
        context={
            "suspended": report.decision == ReportDecision.SUSPEND,
            "title": _what(report) or "",
            "note": report.decision_note,
            "url": _network_url(report.collectivite, person.language),
        },
    )
