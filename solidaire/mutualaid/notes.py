"""Private notes (issue 12, "both can leave a private note for the collectivité"): once a post is
done, its author and each person who answered it may tell the collectivité how it went. A note is
read by the collectivité's moderators only, never by the other person; one per person and post,
which they may rewrite. The audit log records that a note was written, not what it says."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.core.errors import ActionError

from . import followup
from .models import Post, PrivateNote, State

NOTE_LENGTH = 2000
# A note may be written once the post is done; a closed or expired post took no help to tell of.
NOTED_STATES = (State.DONE,)


def may_note(post: Post, user) -> bool:
    """The post's author, or someone who answered it (not a staff member following it up)."""
    if not user.is_authenticated:
        return False
    return post.author_id == user.pk or followup.answers(post).filter(person=user).exists()


def note_of(post: Post, user) -> PrivateNote | None:
    return PrivateNote.objects.filter(post=post, author=user).first()


@transaction.atomic
def save(*, post: Post, user, text: str) -> PrivateNote:
    post = Post.objects.select_for_update().select_related("collectivite").get(pk=post.pk)
    if post.state not in NOTED_STATES:
        raise ActionError(_("A note can be left once the post is marked done."), code="state")
    if not may_note(post, user):
        raise ActionError(_("Only the author and the people who answered can leave a note."), code="not_participant")
    text = (text or "").strip()
    if not text:
        raise ActionError(_("Write your note."), field="text")
    if len(text) > NOTE_LENGTH:
        raise ActionError(_("Your note is too long."), field="text")
    note, _created = PrivateNote.objects.update_or_create(post=post, author=user, defaults={"text": text})
    record(
        collectivite=post.collectivite,
        actor=user,
        action="mutualaid.private_note_saved",
        obj=post,
        data={"written_by": "author" if post.author_id == user.pk else "helper"},
    )
    return note


def for_collectivite(collectivite):
    """The notes of a network, latest first, for its moderators."""
    return (
        PrivateNote.objects.filter(post__collectivite=collectivite)
        .select_related("post__category", "post__commune", "author")
        .order_by("-updated_at", "-pk")
    )


def about_post(post: Post):
    return PrivateNote.objects.filter(post=post).select_related("author").order_by("created_at", "pk")
