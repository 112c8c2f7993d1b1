"""E-mails are rendered in the recipient's language while the request is still here, then sent
by a background task after the transaction commits."""

import base64

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


def send_templated(
    *, to: str, template: str, context: dict, language: str | None = None, reply_to=None, attachments=()
) -> None:
    """Renders `<template>_subject.txt` and `<template>_message.txt` in `language`.
    `attachments` are (file name, bytes, MIME type) triples."""
    context = {"platform_name": settings.SOLIDAIRE_PLATFORM_NAME, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_message.txt", context)
    enqueue(
        {
            "subject": f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            "body": body,
            "to": [to],
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "reply_to": [reply_to] if reply_to else [],
            "headers": {},
            "html": None,
            "attachments": [
                {"name": name, "content": base64.b64encode(content).decode(), "type": mimetype}
                for name, content, mimetype in attachments
            ],
        }
    )
