import base64
import os
from pathlib import Path

from celery import shared_task
from celery.signals import worker_ready
from django.core.mail import EmailMultiAlternatives, get_connection


@worker_ready.connect
def tell_serve_the_worker_is_ready(**kwargs) -> None:
    """`solidaire serve` prints its welcome (the demo's logins) after what the worker says as it starts."""
    path = os.environ.get("SOLIDAIRE_WORKER_READY_FILE")
    if path:
        Path(path).touch()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def send_email(self, message: dict) -> None:
    """Sends one e-mail rendered by `solidaire.core.emails`; retried with backoff when the SMTP
    server cannot be reached."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        to=message["to"],
        from_email=message.get("from_email"),
        reply_to=message.get("reply_to") or None,
        headers=message.get("headers") or None,
        connection=get_connection(),
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    for attachment in message.get("attachments") or []:
        email.attach(attachment["name"], base64.b64decode(attachment["content"]), attachment["type"])
    email.send()
