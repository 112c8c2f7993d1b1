"""E-mails are rendered in the recipient's language while the request is still here, then sent
by a background task after the transaction commits.

Every e-mail is a collectivité’s: it comes from the collectivité’s name at the address it set
(`email_from`, the platform’s DEFAULT_FROM_EMAIL when empty), answers go to its contact e-mail
(Reply-To), and it ends with its signature. allauth's e-mails (solidaire.accounts.adapter) go
through the same `sender`, `reply_to_for` and `sign`."""

import base64
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .tasks import send_email


def message_dict(email) -> dict:
    """A Django EmailMessage as plain data that a task can carry."""
    html = None
    for content, mimetype in getattr(email, "alternatives", []) or []:
        if mimetype == "text/html":
            html = content
    return {
        "subject": email.subject,
        "body": email.body,
        "to": list(email.to),
        "from_email": email.from_email,
        "reply_to": list(email.reply_to),
        "headers": dict(email.extra_headers),
        "html": html,
    }


def enqueue(message: dict) -> None:
    transaction.on_commit(lambda: send_email.delay(message))


def sender(collectivite) -> str:
    """The From of a collectivité’s e-mails: its name, at the address it set or the platform’s."""
    if collectivite is None:
        return settings.DEFAULT_FROM_EMAIL
    _name, platform_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    address = getattr(collectivite, "email_from", "") or platform_address
    name = " ".join(collectivite.name.split()).replace("\\", "").replace('"', "")
    return f'"{name}" <{address}>'


def reply_to_for(collectivite, reply_to: str | None = None) -> list[str]:
    """Where answers go: `reply_to` when given, else the collectivité’s contact e-mail."""
    address = reply_to or (getattr(collectivite, "contact_email", "") if collectivite is not None else "")
    return [address] if address else []


def sign(body: str, collectivite) -> str:
    """The body followed by the signature: who writes (the collectivité, or the platform)."""
    signature = render_to_string(
        "emails/signature.txt", {"collectivite": collectivite, "platform_name": settings.SOLIDAIRE_PLATFORM_NAME}
    ).strip("\n")
    return f"{body.rstrip()}\n\n{signature}\n"


def render(*, template: str, context: dict, collectivite=None, language: str | None = None) -> tuple[str, str]:
    """The (subject, body) of `<template>_subject.txt` and `<template>_message.txt` in
    `language`, the body signed. The context gets `platform_name` and `collectivite`."""
    context = {"platform_name": settings.SOLIDAIRE_PLATFORM_NAME, "collectivite": collectivite, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = sign(render_to_string(f"{template}_message.txt", context), context["collectivite"])
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def send_templated(
    *,
    to: str,
    template: str,
    context: dict,
    collectivite=None,
    language: str | None = None,
    reply_to=None,
    attachments=(),
    unsubscribe_url: str = "",
) -> None:
    """Renders `<template>_subject.txt` and `<template>_message.txt` in `language` and sends
    them on behalf of `collectivite` (by default the context's). `attachments` are (file name,
    bytes, MIME type) triples. `unsubscribe_url`, for e-mails a person chose to receive, goes in
    the List-Unsubscribe headers (RFC 2369, and RFC 8058's one-click POST: the page it names
    must take a POST without a CSRF token)."""
    if collectivite is None:
        collectivite = context.get("collectivite")
    subject, body = render(template=template, context=context, collectivite=collectivite, language=language)
    enqueue(
        {
            "subject": subject,
            "body": body,
            "to": [to],
            "from_email": sender(collectivite),
            "reply_to": reply_to_for(collectivite, reply_to),
            "headers": (
                {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
                if unsubscribe_url
                else {}
            ),
            "html": None,
            "attachments": [
                {"name": name, "content": base64.b64encode(content).decode(), "type": mimetype}
                for name, content, mimetype in attachments
            ],
        }
    )
