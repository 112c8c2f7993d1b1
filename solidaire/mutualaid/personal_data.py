"""A person's mutual-aid data, for their own copy and for the erasure of their account
(solidaire.privacy calls both; ADR 0022).

Erasure deletes what the person wrote for everyone — their posts, and with them the conversations,
follow-up and private notes about those posts (reports about them stay, without the post) — and
pseudonymises what they wrote to others: their messages
in other people's conversations, and their private notes about others' posts, stay without their
author, with their names, addresses and phone numbers blanked. Their preferences, alerts, blocks
and vetting go. What moderators decided about them (reports about them, suspensions) stays, tied to
the account that is itself emptied of its identity."""

import re

from django.db import transaction
from django.db.models import Q

from .masking import mask
from .models import (
    Alert,
    AnnouncementPreference,
    Block,
    Conversation,
    FollowUp,
    Message,
    Post,
    PrivateNote,
    Report,
    Volunteer,
)

ERASED = "[erased]"

# The files of the person's zip this module fills, and their columns.
COLUMNS = {
    "mutual_aid_posts": [
        "id",
        "collectivite",
        "kind",
        "category",
        "title",
        "text",
        "urgency",
        "availability",
        "commune",
        "postal_code",
        "ends_on",
        "on_behalf",
        "state",
        "moderation",
        "created_at",
    ],
    "mutual_aid_messages": ["conversation", "post", "written_at", "via", "text"],
    "mutual_aid_conversations": ["id", "post", "role", "started_at", "closed_at", "shared_at", "phone_shared"],
    "mutual_aid_follow_ups": ["post", "at", "what", "note"],
    "mutual_aid_notes": ["post", "at", "text"],
    "mutual_aid_preferences": ["collectivite", "what", "choice", "commune", "distance_km", "categories", "since"],
    "mutual_aid_reports": ["collectivite", "about", "reason", "text", "at", "decision", "decided_at"],
}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _post(p: Post) -> dict:
    return {
        "id": str(p.pk),
        "collectivite": p.collectivite.name,
        "kind": p.kind,
        "category": p.category.label,
        "title": p.title,
        "text": p.text,
        "urgency": p.urgency,
        "availability": p.availability,
        "commune": p.commune.name,
        "postal_code": p.postal_code,
        "ends_on": _iso(p.ends_on),
        "on_behalf": p.on_behalf,
        "state": p.state,
        "moderation": p.moderation,
        "created_at": _iso(p.created_at),
    }


def _conversation(c: Conversation, user) -> dict:
    mine = c.post.author_id == user.pk
    return {
        "id": str(c.pk),
        "post": c.post.title,
        "role": "author" if mine else "answered",
        "started_at": _iso(c.started_at),
        "closed_at": _iso(c.closed_at),
        "shared_at": _iso(c.author_shared_at if mine else c.person_shared_at),
        "phone_shared": c.author_phone if mine else c.person_phone,
    }


def _preferences(user) -> list[dict]:
    rows = [
        {
            "collectivite": p.collectivite.name,
            "what": "announcements",
            "choice": p.choice,
            "commune": p.commune.name if p.commune_id else "",
            "distance_km": None,
            "categories": [],
            "since": _iso(p.updated_at),
        }
        for p in AnnouncementPreference.objects.filter(user=user).select_related("collectivite", "commune")
    ]
    alerts = Alert.objects.filter(user=user).select_related("collectivite", "commune").prefetch_related("categories")
    rows += [
        {
            "collectivite": a.collectivite.name,
            "what": "alert",
            "choice": a.frequency + (f" {a.kind}" if a.kind else ""),
            "commune": a.commune.name,
            "distance_km": a.distance_km,
            "categories": sorted(c.slug for c in a.categories.all()),
            "since": _iso(a.created_at),
        }
        for a in alerts
    ]
    return rows


def collect(user) -> dict[str, list[dict]]:
    """The person's posts, their own messages (not the other side's), their conversations, the
    collectivité's follow-up notes about their requests, the private notes they left, their
    preferences and alerts, and the reports they made. Nothing for a person without an account."""
    if user is None:
        return {name: [] for name in COLUMNS}
    posts = Post.objects.filter(author=user).select_related("collectivite", "category", "commune").order_by("pk")
    conversations = (
        Conversation.objects.filter(Q(person=user) | Q(post__author=user)).select_related("post").order_by("pk")
    )
    messages = Message.objects.filter(author=user).select_related("conversation__post").order_by("created_at", "pk")
    follow_ups = FollowUp.objects.filter(post__author=user).select_related("post").order_by("created_at", "pk")
    reports = Report.objects.filter(reporter=user).select_related("collectivite").order_by("created_at", "pk")
    return {
        "mutual_aid_posts": [_post(p) for p in posts],
        "mutual_aid_messages": [
            {
                "conversation": str(m.conversation_id),
                "post": m.conversation.post.title,
                "written_at": _iso(m.created_at),
                "via": m.via,
                "text": m.text,
            }
            for m in messages
        ],
        "mutual_aid_conversations": [_conversation(c, user) for c in conversations],
        "mutual_aid_follow_ups": [
            {"post": f.post.title, "at": _iso(f.created_at), "what": f.method, "note": f.text} for f in follow_ups
        ],
        "mutual_aid_notes": [
            {"post": n.post.title, "at": _iso(n.updated_at), "text": n.text}
            for n in PrivateNote.objects.filter(author=user).select_related("post").order_by("created_at", "pk")
        ],
        "mutual_aid_preferences": _preferences(user),
        "mutual_aid_reports": [
            {
                "collectivite": r.collectivite.name,
                "about": r.target,
                "reason": r.reason,
                "text": r.text,
                "at": _iso(r.created_at),
                "decision": r.decision,
                "decided_at": _iso(r.decided_at),
            }
            for r in reports
        ],
    }


def _blanked(text: str, pattern: re.Pattern | None) -> str:
    text = mask(text, ERASED)
    return pattern.sub(ERASED, text) if pattern is not None else text


@transaction.atomic
def forget(user, *, pattern: re.Pattern | None = None) -> dict:
    """Erases the person's mutual-aid data (see the module's docstring), in the caller's
    transaction. `pattern` matches their names and addresses, blanked from what stays. Returns
    the counts, the collectivités concerned, the titles of the deleted posts and, per kind of
    object, the ids the audit log may name them by (`audit_objects`)."""
    own_posts = list(Post.objects.filter(author=user).values_list("pk", "collectivite_id", "title"))
    tenants = {collectivite for _pk, collectivite, _title in own_posts}
    # What the audit log names of the person here, for the caller to pseudonymise.
    about = {
        "post": [pk for pk, _collectivite, _title in own_posts],
        "conversation": list(
            Conversation.objects.filter(Q(person=user) | Q(post__author=user)).values_list("pk", flat=True)
        ),
        "volunteer": list(Volunteer.objects.filter(user=user).values_list("pk", flat=True)),
        "block": list(Block.objects.filter(blocker=user).values_list("pk", flat=True)),
        "announcementpreference": list(AnnouncementPreference.objects.filter(user=user).values_list("pk", flat=True)),
        "alert": list(Alert.objects.filter(user=user).values_list("pk", flat=True)),
    }
    # Their posts, with the conversations, reports and follow-up notes about them (cascade).
    Post.objects.filter(author=user).delete()
    messages = list(Message.objects.filter(author=user).select_related("conversation__post"))
    tenants |= {m.conversation.post.collectivite_id for m in messages}
    for message in messages:
        Message.objects.filter(pk=message.pk).update(author=None, text=_blanked(message.text, pattern))
    Conversation.objects.filter(person=user).update(person_phone="")
    for note in PrivateNote.objects.filter(author=user).only("pk", "text"):
        PrivateNote.objects.filter(pk=note.pk).update(author=None, text=_blanked(note.text, pattern))
    for report in Report.objects.filter(reporter=user).only("pk", "text", "collectivite_id"):
        tenants.add(report.collectivite_id)
        Report.objects.filter(pk=report.pk).update(text=_blanked(report.text, pattern))
    Alert.objects.filter(user=user).delete()
    AnnouncementPreference.objects.filter(user=user).delete()
    Block.objects.filter(blocker=user).delete()
    Volunteer.objects.filter(user=user).delete()
    return {
        "posts": len(own_posts),
        "messages": len(messages),
        "collectivites": sorted(tenants),
        "titles": [title for _pk, _collectivite, title in own_posts],
        "audit_objects": about,
    }


def summary(user) -> dict[str, int]:
    """What erasing the account would do here, for the page that asks to confirm."""
    if user is None:
        return {"posts": 0, "messages": 0}
    return {
        "posts": Post.objects.filter(author=user).count(),
        "messages": Message.objects.filter(author=user).exclude(conversation__post__author=user).count(),
    }
