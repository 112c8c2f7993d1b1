import base64

from celery import shared_task
from django.core.mail import EmailMultiAlternatives, get_connection


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
