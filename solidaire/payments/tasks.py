import logging
import urllib.error
import urllib.request

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import signature
from .models import SandboxEvent
from .providers import base

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


def http_transport(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own endpoint
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def transport():
    """How sandbox notifications travel: HTTP, unless a test plugs in its own transport."""
    path = settings.SOLIDAIRE_SANDBOX_TRANSPORT
    return http_transport if path == "http" else import_string(path)


@shared_task(bind=True, ignore_result=True, max_retries=MAX_ATTEMPTS)
def deliver_sandbox_event(self, event_id: str) -> None:
    """Sends one signed notification; anything but a 2xx answer is retried with backoff, as a
    real provider does (the receiving side tolerates duplicates)."""
    event = SandboxEvent.objects.select_related("checkout__collectivite__payment_account").filter(pk=event_id).first()
    if event is None:
        return
    checkout = event.checkout
    secret = checkout.collectivite.payment_account.sandbox_secret
    body = event.body.encode()
    headers = {"Content-Type": "application/json", signature.HEADER: signature.sign(body, secret)}
    SandboxEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    try:
        status = transport()(checkout.notify_url, body, headers)
    except OSError as exc:
        status, detail = None, exc.__class__.__name__
    else:
        detail = str(status)
    SandboxEvent.objects.filter(pk=event.pk).update(last_status=detail[:60])
    if status is not None and 200 <= status < 300:
        SandboxEvent.objects.filter(pk=event.pk, delivered_at=None).update(delivered_at=timezone.now())
        if event.type in (base.SUCCEEDED, base.FAILED):
            checkout.__class__.objects.filter(pk=checkout.pk, status="processing").update(
                status="paid" if event.type == base.SUCCEEDED else "failed"
            )
        return
    logger.info("sandbox notification %s not acknowledged (%s); retrying", event.pk, detail)
    if self.request.is_eager or self.request.called_directly:
        return  # run in-process (tests): the caller decides whether to send again
    raise self.retry(countdown=min(2 ** (self.request.retries + 1), 300))


def inprocess_transport(url: str, body: bytes, headers: dict) -> int:
    """Delivers a sandbox notification without a socket, straight into the same inbox (and the
    same signature check) as HTTP: used to seed the demo before any server runs."""
    from urllib.parse import urlsplit

    from solidaire.tenants.resolution import resolve_tenant

    from . import inbox

    parts = urlsplit(url)
    provider = parts.path.rstrip("/").rsplit("/", 1)[-1]
    tenant = resolve_tenant(parts.hostname or "")
    if tenant is None:
        return 404
    status, _notification = inbox.receive(collectivite=tenant, provider_name=provider, body=body, headers=headers)
    return status
