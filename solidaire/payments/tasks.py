import logging
import urllib.error
import urllib.request
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import signature
from .models import SandboxEvent

logger = logging.getLogger(__name__)

# Real providers retry for days (Stripe: three days); so does the sandbox, less and less often.
GIVE_UP_AFTER = timedelta(days=3)
# How long one attempt may take before the outbox sends the event again.
ATTEMPT_TIMEOUT = timedelta(seconds=60)
DUE_PER_RUN = 200


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


def backoff(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s … then every hour."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


def _send(event) -> tuple[int | None, str]:
    origin = event.origin
    secret = origin.collectivite.payment_account.sandbox_secret
    body = event.body.encode()
    headers = {"Content-Type": "application/json", signature.HEADER: signature.sign(body, secret)}
    try:
        status = transport()(origin.notify_url, body, headers)
    except OSError as exc:
        return None, exc.__class__.__name__
    return status, str(status)


def _event(event_id: str):
    return (
        SandboxEvent.objects.select_related(
            "checkout__collectivite__payment_account", "transfer__collectivite__payment_account"
        )
        .filter(pk=event_id)
        .first()
    )


@shared_task(ignore_result=True)
def deliver_sandbox_event(event_id: str, duplicate: bool = False) -> None:
    """Sends one signed notification. The event is claimed first (its next attempt pushed past
    this one), so that the outbox's sweep does not send it at the same time; anything but a 2xx
    answer schedules the next attempt, as a real provider does (the receiving side tolerates
    duplicates). A `duplicate` is sent whatever the event's state, and changes nothing."""
    if duplicate:
        event = _event(event_id)
        if event is not None:
            _send(event)
        return
    now = timezone.now()
    claimed = SandboxEvent.objects.filter(pk=event_id, delivered_at=None, next_attempt_at__isnull=False).update(
        next_attempt_at=now + ATTEMPT_TIMEOUT
    )
    if not claimed:
        return  # delivered, or given up
    event = _event(event_id)
    attempts = event.attempts + 1
    status, detail = _send(event)
    done = status is not None and 200 <= status < 300
    if done:
        changes = {"delivered_at": timezone.now(), "next_attempt_at": None}
    elif timezone.now() - event.created_at > GIVE_UP_AFTER:
        changes = {"next_attempt_at": None}
        logger.warning("sandbox notification %s given up after %s attempts (%s)", event.pk, attempts, detail)
    else:
        changes = {"next_attempt_at": timezone.now() + backoff(attempts)}
        logger.info("sandbox notification %s not acknowledged (%s); sent again later", event.pk, detail)
    SandboxEvent.objects.filter(pk=event.pk).update(attempts=attempts, last_status=detail[:60], **changes)


@shared_task(ignore_result=True)
def send_due_sandbox_events() -> int:
    """The outbox's sweep (every few seconds, by beat): sends again what was not acknowledged —
    also what a crash of the worker or of the broker lost."""
    now = timezone.now()
    due = list(
        SandboxEvent.objects.filter(Q(next_attempt_at__lte=now), delivered_at=None)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:DUE_PER_RUN]
    )
    for event_id in due:
        deliver_sandbox_event.delay(event_id)
    return len(due)


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
