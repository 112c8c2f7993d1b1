"""Conversations between a post's author and the person who answered it ("I can help" on a
request, "I need this" on an offer): starting one, writing in it (on the platform or by answering
the relayed e-mail), agreeing to share contact details, closing it. Views, the e-mail relay and
tests all go through these functions; each is one transaction. Starting and closing are audited;
messages are relayed by e-mail to the other participant (mutualaid.relay), contact details in
them masked until both agreed (mutualaid.masking, ADR 0024)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core import phones
from solidaire.core.emails import send_templated
from solidaire.core.errors import ActionError
from solidaire.tenants.resolution import tenant_url

from . import limits, masking, relay, safety
from .models import Conversation, Kind, Message, Moderation, Post, State

AUTHOR, PERSON = "author", "person"
# Against spam and harassment: messages a person may write per hour, in every conversation of
# every collectivité together, and conversations they may start per hour.
MAX_LENGTH = 4000
ANSWERABLE = (State.OPEN, State.IN_PROGRESS)


def side_of(conversation: Conversation, user) -> str | None:
    """AUTHOR (the post's), PERSON (who answered it), or None for anyone else."""
    if user is None or not user.is_authenticated:
        return None
    if user.pk == conversation.post.author_id:
        return AUTHOR
    if user.pk == conversation.person_id:
        return PERSON
    return None


def other_of(conversation: Conversation, user):
    return conversation.person if side_of(conversation, user) == AUTHOR else conversation.post.author


def has_shared(conversation: Conversation, user) -> bool:
    return getattr(conversation, f"{side_of(conversation, user)}_shared_at", None) is not None


def shown_text(conversation: Conversation, text: str) -> str:
    """A message as the participants see it: contact details masked until both shared theirs."""
    return text if conversation.contacts_shared else masking.mask(text)


def contacts_of(conversation: Conversation, user) -> dict | None:
    """The other participant's contact details, for `user`, once both agreed; None before."""
    if not conversation.contacts_shared:
        return None
    other = other_of(conversation, user)
    phone = conversation.person_phone if side_of(conversation, user) == AUTHOR else conversation.author_phone
    return {"name": other.get_full_name() or other.email, "email": other.email, "phone": phone}


def _refuse_closed(conversation: Conversation) -> None:
    if conversation.is_closed:
        raise ActionError(_("This conversation is closed: no more messages can be written."), code="closed")


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionError(_("Write a message."), field="text")
    if len(text) > MAX_LENGTH:
        raise ActionError(_("Your message is too long: shorten it."), field="text")
    return text


@transaction.atomic
def start(*, post: Post, person, text: str) -> Conversation:
    """Answers `post` with a first message: opens the conversation between its author and
    `person` (one per post and person: answering again writes in it)."""
    post = Post.objects.select_for_update().select_related("collectivite", "author").get(pk=post.pk)
    if post.author_id == person.pk:
        raise ActionError(_("This is your own post."), code="own")
    if post.state not in ANSWERABLE or post.moderation != Moderation.APPROVED:
        raise ActionError(_("This post no longer takes answers."), code="state")
    safety.refuse_suspended(post.collectivite, person)
    safety.refuse_blocked(post.collectivite, post.author, person)
    text = _clean_text(text)
    conversation = Conversation.objects.filter(post=post, person=person).first()
    if conversation is None:
        if limits.spent(person, "start"):
            raise ActionError(_("You have started many conversations: wait an hour."), code="rate_limited")
        conversation = Conversation.objects.create(post=post, person=person)
        record(
            collectivite=post.collectivite,
            actor=person,
            action="mutualaid.conversation_started",
            obj=conversation,
            data={"kind": post.kind},
        )
    write(conversation=conversation, author=person, text=text)
    return conversation


@transaction.atomic
def write(*, conversation: Conversation, author, text: str, via: str = Message.Via.WEB) -> Message:
    """A message of one participant, e-mailed to the other."""
    conversation = (
        Conversation.objects.select_for_update()
        .select_related("post__collectivite", "post__author", "person")
        .get(pk=conversation.pk)
    )
    if side_of(conversation, author) is None:
        raise ActionError(_("Only the two people of a conversation can write in it."), code="not_participant")
    _refuse_closed(conversation)
    collectivite = conversation.post.collectivite
    safety.refuse_suspended(collectivite, author)
    safety.refuse_blocked(collectivite, conversation.post.author, conversation.person)
    text = _clean_text(text)
    if limits.spent(author, "message"):
        raise ActionError(_("You have written many messages: wait an hour before the next one."), code="rate_limited")
    message = Message.objects.create(conversation=conversation, author=author, text=text, via=via)
    _relay(conversation, message)
    return message


def _relay(conversation: Conversation, message: Message) -> None:
    """E-mails the message to the other participant, from the collectivité, its Reply-To the
    relay address that brings their answer back here."""
    writer = message.author
    reader = other_of(conversation, writer)
    collectivite = conversation.post.collectivite
    with translation.override(reader.language):
        path = reverse("mutualaid:conversation", args=[conversation.pk])
    first = not conversation.messages.exclude(pk=message.pk).exists()
    reply_to = relay.address_for(conversation, reader)
    send_templated(
        to=reader.email,
        template="mutualaid/email/message",
        language=reader.language,
        collectivite=collectivite,
        reply_to=reply_to or None,
        context={
            "post": conversation.post,
            "writer_name": writer.first_name,
            "text": shown_text(conversation, message.text),
            "first": first,
            "offers_help": first and conversation.post.kind == Kind.REQUEST,
            "url": tenant_url(collectivite, path),
            "by_email": bool(reply_to),
        },
    )


@transaction.atomic
def share_contacts(*, conversation: Conversation, user, phone: str = "") -> Conversation:
    """`user` agrees to show their e-mail (and `phone`, if given) to the other participant, who
    sees them once they agreed too; from then on nothing in the conversation is masked."""
    conversation = Conversation.objects.select_for_update().select_related("post__collectivite").get(pk=conversation.pk)
    side = side_of(conversation, user)
    if side is None:
        raise ActionError(_("Only the two people of a conversation can write in it."), code="not_participant")
    _refuse_closed(conversation)
    phone = " ".join((phone or "").split())
    if phone and not phones.is_phone(phone):
        raise ActionError(_("Write a French phone number, such as 06 12 34 56 78."), field="phone")
    if getattr(conversation, f"{side}_shared_at") is None:
        setattr(conversation, f"{side}_shared_at", timezone.now())
    setattr(conversation, f"{side}_phone", phone)
    conversation.save(update_fields=[f"{side}_shared_at", f"{side}_phone"])
    record(
        collectivite=conversation.post.collectivite,
        actor=user,
        action="mutualaid.contacts_shared",
        obj=conversation,
    )
    return conversation


@transaction.atomic
def close(*, conversation: Conversation, actor) -> Conversation:
    """Either participant ends the conversation: no more messages, on the platform or by e-mail."""
    conversation = Conversation.objects.select_for_update().select_related("post__collectivite").get(pk=conversation.pk)
    if side_of(conversation, actor) is None:
        raise ActionError(_("Only the two people of a conversation can close it."), code="not_participant")
    _refuse_closed(conversation)
    conversation.closed_at = timezone.now()
    conversation.closed_by = actor
    conversation.save(update_fields=["closed_at", "closed_by"])
    record(
        collectivite=conversation.post.collectivite,
        actor=actor,
        action="mutualaid.conversation_closed",
        obj=conversation,
    )
    return conversation


def receive(raw: bytes) -> Message:
    """Posts an answer that came by e-mail to a relay address (`solidaire relay-inbound`).
    Raises ActionError with code "unknown" (no valid relay address, or not sent by that
    participant), "automatic" (an out-of-office reply), or what `write` refuses."""
    inbound = relay.parse(raw)
    if inbound.automatic:
        raise ActionError(_("An automatic answer is not posted."), code="automatic")
    for address in inbound.recipients:
        named = relay.read_address(address)
        if named is not None:
            break
    else:
        raise ActionError(_("This address does not lead to any conversation."), code="unknown")
    conversation_id, user_id = named
    conversation = Conversation.objects.select_related("post__author", "person").filter(pk=conversation_id).first()
    participant = None
    if conversation is not None:
        participant = {
            conversation.post.author_id: conversation.post.author,
            conversation.person_id: conversation.person,
        }.get(user_id)
    if participant is None or not participant.is_active or not relay.same_mailbox(inbound.sender, participant.email):
        raise ActionError(_("This address does not lead to any conversation."), code="unknown")
    return write(conversation=conversation, author=participant, text=inbound.text, via=Message.Via.EMAIL)
