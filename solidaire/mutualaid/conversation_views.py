"""Conversations' pages under /entraide/: answering a post ("I can help", "I need this"), the
person's conversations, one conversation with its messages, sharing contact details and closing.
Every page works without JavaScript; only the two participants reach a conversation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from solidaire.core.errors import ActionError

from . import conversations, notes, safety
from .access import get_network, get_post_for_reader
from .conversation_access import get_conversation_for_participant, my_conversations
from .conversation_forms import MessageForm, ShareForm
from .models import Conversation


def _status(exc: ActionError) -> int:
    return 429 if exc.code == "rate_limited" else 400


@login_required
def start(request, pk: int):
    """The form under "I can help" / "I need this": the first message to the post's author."""
    get_network(request)
    post = get_post_for_reader(request, pk)
    existing = Conversation.objects.filter(post=post, person=request.user).first()
    if existing is not None and request.method != "POST":
        return redirect("mutualaid:conversation", existing.pk)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                conversation = conversations.start(post=post, person=request.user, text=form.cleaned_data["text"])
            except ActionError as exc:
                form.add_error("text" if exc.field == "text" else None, exc.message)
                status = _status(exc)
            else:
                messages.success(request, _("Your message is sent. You will be told by e-mail of the answer."))
                return redirect("mutualaid:conversation", conversation.pk)
    own = post.author_id == request.user.pk
    answerable = not own and post.state in conversations.ANSWERABLE
    return render(
        request,
        "mutualaid/conversation_start.html",
        {"post": post, "form": form, "own": own, "answerable": answerable},
        status=status,
    )


@login_required
def conversation_list(request):
    open_first = F("closed_at").asc(nulls_first=True)
    items = list(my_conversations(request).order_by(open_first, "-started_at", "-pk")[:200])
    for conversation in items:
        conversation.other = conversations.other_of(conversation, request.user)
    return render(request, "mutualaid/conversation_list.html", {"conversations": items})


def _page(request, conversation, *, form=None, share_form=None, status=200):
    user = request.user
    hidden = safety.hidden_message_ids(conversation)
    shown = [
        {
            "pk": message.pk,
            "mine": message.author_id == user.pk,
            "writer": message.author,
            "text": "" if message.pk in hidden else conversations.shown_text(conversation, message.text),
            "hidden": message.pk in hidden,
            "at": message.created_at,
            "by_email": message.via == message.Via.EMAIL,
        }
        for message in conversation.messages.select_related("author")
    ]
    other = conversations.other_of(conversation, user)
    return render(
        request,
        "mutualaid/conversation.html",
        {
            "conversation": conversation,
            "post": conversation.post,
            "other": other,
            "messages_shown": shown,
            "form": form or MessageForm(),
            "share_form": share_form or ShareForm(initial={"phone": user.phone}),
            "i_shared": conversations.has_shared(conversation, user),
            "other_shared": conversations.has_shared(conversation, other),
            "contacts": conversations.contacts_of(conversation, user),
            "blocked": safety.blocked_between(conversation.post.collectivite_id, user, other),
            "may_note": conversation.post.state in notes.NOTED_STATES and notes.may_note(conversation.post, user),
        },
        status=status,
    )


@login_required
def conversation(request, pk: int):
    """The messages, and (POST) a new one."""
    conversation = get_conversation_for_participant(request, pk)
    if request.method != "POST":
        return _page(request, conversation)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            conversations.write(conversation=conversation, author=request.user, text=form.cleaned_data["text"])
        except ActionError as exc:
            form.add_error("text" if exc.field == "text" else None, exc.message)
            return _page(request, conversation, form=form, status=_status(exc))
        messages.success(request, _("Your message is sent."))
        return redirect("mutualaid:conversation", conversation.pk)
    return _page(request, conversation, form=form, status=400)


@require_POST
@login_required
def share(request, pk: int):
    conversation = get_conversation_for_participant(request, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            conversation = conversations.share_contacts(
                conversation=conversation, user=request.user, phone=form.cleaned_data["phone"]
            )
        except ActionError as exc:
            form.add_error("phone" if exc.field == "phone" else None, exc.message)
            return _page(request, conversation, share_form=form, status=_status(exc))
        if conversation.contacts_shared:
            messages.success(request, _("You both agreed: your contact details are shown to each other."))
        else:
            messages.success(request, _("Noted. Your contact details will be shown once the other person agrees too."))
        return redirect("mutualaid:conversation", conversation.pk)
    return _page(request, conversation, share_form=form, status=400)


@require_POST
@login_required
def close(request, pk: int):
    conversation = get_conversation_for_participant(request, pk)
    try:
        conversations.close(conversation=conversation, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The conversation is closed."))
    return redirect("mutualaid:conversation", conversation.pk)
