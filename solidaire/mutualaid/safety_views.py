"""Safety pages (issue 12, item 5). Residents, under /entraide/signaler/ and /entraide/bloquer/:
report a post they may read, a message written to them, or the other person of one of their
conversations; block that person, see whom they blocked and unblock. Moderators, under
/gestion/entraide/signalements/: the queue of open reports, one report with what it is about (a
reported message opens its conversation to the moderator, only through the report), the
decision — suspending asks for a confirmation — and lifting a suspension."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.accounts.access import team_view
from solidaire.accounts.roles import Capability
from solidaire.core.errors import ActionError

from . import conversations, safety
from .access import get_network, get_post_for_reader
from .conversation_access import get_conversation_for_participant, my_conversations
from .models import Block, Message, Report, ReportDecision, ReportTarget, Suspension
from .safety_forms import DecisionForm, ReportForm

QUEUE_SIZE = 25


def _status(exc: ActionError) -> int:
    return 429 if exc.code == "rate_limited" else 400


# Residents ----------------------------------------------------------------------------------------


def _report_page(request, *, target: str, about, back: str, title: str, **what):
    """The report form for one post, message or person; sent, back to where it was opened."""
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                safety.report(
                    collectivite=request.tenant,
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data["text"],
                    **what,
                )
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = _status(exc)
            else:
                messages.success(
                    request, _("Thank you. A moderator will read your report; you will be told the outcome by e-mail.")
                )
                return redirect(back)
    return render(
        request,
        "mutualaid/report.html",
        {"form": form, "target": target, "about": about, "back": back, "title": title},
        status=status,
    )


@login_required
def report_post(request, pk: int):
    get_network(request)
    post = get_post_for_reader(request, pk)
    if post.author_id == request.user.pk:
        raise Http404
    back = reverse("mutualaid:post", args=[post.pk])
    return _report_page(request, target=ReportTarget.POST, about=post.author, back=back, title=post.title, post=post)


@login_required
def report_message(request, pk: int):
    """A message the other person of one of the reporter's conversations wrote."""
    try:
        message = (
            Message.objects.select_related("conversation__post", "author")
            .exclude(author=request.user)
            .get(pk=pk, conversation__in=my_conversations(request), author__isnull=False)
        )
    except Message.DoesNotExist as exc:
        raise Http404 from exc
    back = reverse("mutualaid:conversation", args=[message.conversation_id])
    return _report_page(
        request,
        target=ReportTarget.MESSAGE,
        about=message.author,
        back=back,
        title=message.conversation.post.title,
        message=message,
    )


@login_required
def report_person(request, pk: int):
    """The other person of one of the reporter's conversations."""
    conversation = get_conversation_for_participant(request, pk)
    other = conversations.other_of(conversation, request.user)
    back = reverse("mutualaid:conversation", args=[conversation.pk])
    return _report_page(
        request, target=ReportTarget.PERSON, about=other, back=back, title=conversation.post.title, person=other
    )


@require_POST
@login_required
def block(request, pk: int):
    """Blocks the other person of one of the signed-in person's conversations."""
    conversation = get_conversation_for_participant(request, pk)
    other = conversations.other_of(conversation, request.user)
    if other is None:
        raise Http404
    safety.block(collectivite=request.tenant, blocker=request.user, blocked=other)
    messages.success(request, _("This person is blocked: they can no longer write to you nor see your posts."))
    return redirect("mutualaid:conversation", conversation.pk)


@require_POST
@login_required
def block_author(request, pk: int):
    """Blocks the author of a post the signed-in person may read (from the post's page)."""
    get_network(request)
    post = get_post_for_reader(request, pk)
    if post.author_id == request.user.pk:
        raise Http404
    safety.block(collectivite=request.tenant, blocker=request.user, blocked=post.author)
    messages.success(request, _("This person is blocked: they can no longer write to you nor see your posts."))
    return redirect("mutualaid:network")


def my_blocks(request):
    get_network(request)
    return Block.objects.filter(collectivite=request.tenant, blocker=request.user).select_related("blocked")


@login_required
def blocks(request):
    return render(request, "mutualaid/report_blocks.html", {"blocks": my_blocks(request)[:200]})


@require_POST
@login_required
def unblock(request, pk: int):
    try:
        chosen = my_blocks(request).get(pk=pk)
    except Block.DoesNotExist as exc:
        raise Http404 from exc
    safety.unblock(block=chosen, actor=request.user)
    messages.success(request, _("This person is no longer blocked."))
    return redirect("mutualaid:blocks")


# Moderators ---------------------------------------------------------------------------------------


def get_report_for_moderator(request, pk: int) -> Report:
    try:
        return Report.objects.select_related(
            "reporter", "person", "post__category", "post__commune", "message__conversation__post"
        ).get(pk=pk, collectivite=request.tenant)
    except Report.DoesNotExist as exc:
        raise Http404 from exc


@team_view(Capability.MODERATE)
def reports(request):
    open_reports = (
        Report.objects.filter(collectivite=request.tenant, decision="")
        .select_related("reporter", "person", "post")
        .order_by("created_at", "pk")
    )
    page = Paginator(open_reports, QUEUE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mutualaid/manage/reports.html",
        {"page": page, "suspensions": safety.active_suspensions(request.tenant)[:200]},
    )


def _conversation_of(report: Report):
    """What the moderator reads of a reported message: its whole conversation, as the two
    participants see it, the reported message marked."""
    if report.message is None:
        return None
    conversation = report.message.conversation
    hidden = safety.hidden_message_ids(conversation)
    return {
        "conversation": conversation,
        "messages": [
            {
                "writer": message.author,
                "text": conversations.shown_text(conversation, message.text),
                "at": message.created_at,
                "reported": message.pk == report.message_id,
                "hidden": message.pk in hidden,
            }
            for message in conversation.messages.select_related("author")
        ],
    }


@team_view(Capability.MODERATE)
def report_detail(request, pk: int):
    """A report, what it is about, and (POST) the decision; suspending asks to confirm first."""
    report = get_report_for_moderator(request, pk)
    form = DecisionForm(request.POST or None, decisions=safety.decisions_for(report))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            if decision == ReportDecision.SUSPEND and request.POST.get("confirm") != "yes":
                return render(request, "mutualaid/manage/report_confirm.html", {"report": report, "form": form})
            try:
                safety.decide(report=report, moderator=request.user, decision=decision, note=form.cleaned_data["note"])
            except ActionError as exc:
                form.add_error("decision" if exc.field == "decision" else None, exc.message)
            else:
                messages.success(request, _("The decision is recorded and the person who reported is told."))
                return redirect("mutualaid:reports")
    context = {
        "report": report,
        "form": form,
        "thread": _conversation_of(report),
        "suspended": safety.is_suspended(request.tenant, report.person),
        "earlier": Report.objects.filter(collectivite=request.tenant, person=report.person)
        .exclude(pk=report.pk)
        .count()
        if report.person_id
        else 0,
    }
    return render(request, "mutualaid/manage/report.html", context, status=status)


@require_POST
@team_view(Capability.MODERATE)
def lift_suspension(request, pk: int):
    try:
        suspension = Suspension.objects.get(pk=pk, collectivite=request.tenant)
    except Suspension.DoesNotExist as exc:
        raise Http404 from exc
    try:
        safety.lift(suspension=suspension, moderator=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The suspension is lifted: this person can post and write again."))
    return redirect("mutualaid:reports")
