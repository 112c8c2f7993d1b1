"""The notification inbox: every provider notification is verified, stored — and committed, so
that it stays as evidence whatever happens next — then applied at most once, in the transaction
that records it applied, whatever the retries, duplicates or reordering.

A valid notification is stored whole. A rejected delivery (bad signature, unreadable body, a
provider the collectivité does not use) is kept only as far as an investigation needs: its
headers, size, SHA-256 and first few KB — anyone may post one, so it must stay small.

The inbox does not know what a payment event means: the package that does (donations) registers
a handler, which is given each verified, normalised event with its collectivité and returns what
became of it."""

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import FINAL_STATUSES, Notification, NotificationStatus
from .providers import InvalidNotification, PaymentEvent, ProviderError, provider_for

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("content-type", "user-agent", "solidaire-signature", "stripe-signature")
# What is kept of a rejected delivery's body (its size and hash are kept too).
REJECTED_EXCERPT_BYTES = 4096
MAX_SIZE = 2**63 - 1  # what the column holds: a declared length may say anything


class Deferred(Exception):
    """The event cannot apply yet (a refund before its payment’s confirmation): it is answered
    409, and applied when the provider sends it again."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str  # applied, ignored or rejected
    reason: str = ""
    gift: object = None


Handler = Callable[..., Outcome]
_handlers: dict[str, Handler] = {}


def register(handler: Handler, *, prefix: str = "") -> None:
    """The function that applies events whose type starts with `prefix` (the longest prefix
    wins; "" for every other event): handler(event, collectivite=…, provider_name=…) → Outcome,
    run inside the inbox's transaction; it raises Deferred when the event must wait. Payments
    are the donations package's, payout transfers ("transfer.") the payouts package's."""
    _handlers[prefix] = handler


def handler_for(event_type: str) -> Handler:
    prefix = max((p for p in _handlers if event_type.startswith(p)), key=len)
    return _handlers[prefix]


def _headers(headers) -> dict:
    return {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


@dataclasses.dataclass(frozen=True)
class Rejection:
    """Why a delivery is refused, and the HTTP status that says so."""

    status: int
    reason: str


def verify(*, collectivite, provider_name: str, body: bytes, headers) -> PaymentEvent | Rejection:
    """The verified, normalised event — or why the delivery is refused. Stores nothing."""
    try:
        provider = provider_for(collectivite, provider_name)
    except ProviderError:
        return Rejection(404, "provider not configured for this collectivité")
    try:
        return provider.parse_notification(body, headers)
    except InvalidNotification as exc:
        logger.warning("%s notification rejected for %s: %s", provider_name, collectivite.slug, exc)
        return Rejection(400, str(exc)[:200])


def receive(
    *, collectivite, provider_name: str, body: bytes, headers, too_many_rejected: Callable[[], bool] | None = None
) -> tuple[int, Notification | None]:
    """Returns the HTTP status to answer and the stored notification. `too_many_rejected`, when
    given, is asked before a rejected delivery is stored (and counts it): when it says yes, the
    answer is 429 and nothing is stored."""
    verdict = verify(collectivite=collectivite, provider_name=provider_name, body=body, headers=headers)
    if isinstance(verdict, Rejection):
        if too_many_rejected is not None and too_many_rejected():
            return 429, None
        return verdict.status, reject(
            collectivite=collectivite, provider_name=provider_name, body=body, headers=headers, reason=verdict.reason
        )
    return apply(
        collectivite=collectivite,
        provider_name=provider_name,
        event=verdict,
        body=body.decode("utf-8", errors="replace"),
        headers=_headers(headers),
    )


def reject(
    *, collectivite, provider_name: str, body: bytes, headers, reason: str, complete: bool = True, size=None
) -> Notification:
    """Stores a rejected delivery in short: its headers, size, SHA-256 and first few KB. When
    `body` is not `complete` (a delivery too large to be read), its hash is unknown and its
    size the declared one (`size`), if any."""
    excerpt = body[:REJECTED_EXCERPT_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return Notification.objects.create(
        collectivite=collectivite,
        provider=provider_name,
        body=excerpt,
        body_size=len(body) if complete else min(size, MAX_SIZE) if size else None,
        body_sha256=hashlib.sha256(body).hexdigest() if complete else "",
        body_truncated=not complete or len(body) > REJECTED_EXCERPT_BYTES,
        headers=_headers(headers),
        status=NotificationStatus.REJECTED,
        reason=reason[:200],
    )


def apply(*, collectivite, provider_name: str, event: PaymentEvent, body: str = "", headers=None):
    """Stores the verified event (its own transaction) and applies it, once: a duplicate of an
    event already applied, ignored or rejected changes nothing; a deferred one is tried again.
    Returns (HTTP status, notification): 200, 409 (deferred: send it again) or 500 (applying it
    failed; the notification stays received and is tried again)."""
    notification, fresh = _store(collectivite, provider_name, event, body, headers)
    if not fresh and notification.status in FINAL_STATUSES:
        return 200, notification
    return _apply(notification, event, collectivite, provider_name)


def _store(collectivite, provider_name, event, body, headers) -> tuple[Notification, bool]:
    try:
        with transaction.atomic():
            return (
                Notification.objects.create(
                    collectivite=collectivite,
                    provider=provider_name,
                    event_id=event.event_id,
                    event_type=event.type,
                    event=event.to_json(),
                    body=body,
                    body_size=len(body.encode()),
                    body_sha256=hashlib.sha256(body.encode()).hexdigest(),
                    headers=headers or {},
                    signature_valid=True,
                    status=NotificationStatus.RECEIVED,
                ),
                True,
            )
    except IntegrityError:
        existing = Notification.objects.filter(
            collectivite=collectivite, provider=provider_name, event_id=event.event_id
        )
        existing.update(deliveries=F("deliveries") + 1)
        return existing.get(), False


class _AppliedMeanwhile(Exception):
    """A concurrent delivery of the same event applied it first: this attempt is rolled back."""


def _apply(notification, event, collectivite, provider_name) -> tuple[int, Notification]:
    """Applies the event in one transaction that ends by recording the outcome on the stored
    notification — only if it is still waiting. Concurrent deliveries of one event are
    serialised by the gift's lock, and the gift's state makes the later ones find nothing to do;
    the last word is this conditional update: an attempt that finds the notification already
    applied rolls back, whatever it did."""
    handler = handler_for(event.type)
    try:
        with transaction.atomic():
            try:
                if event.type.startswith("ignored:"):  # an event of the provider’s we have no use for
                    outcome = Outcome(NotificationStatus.IGNORED, "not a payment event")
                else:
                    outcome = handler(event, collectivite=collectivite, provider_name=provider_name)
            except Deferred as exc:
                _finish(notification, NotificationStatus.DEFERRED, str(exc))
                return 409, notification
            _finish(notification, outcome.status, outcome.reason, outcome.gift)
    except _AppliedMeanwhile:
        notification.refresh_from_db()
        return 200, notification
    except Exception:
        # The notification stays "received" (committed before): the provider’s retry, or the
        # sweep (retry_unfinished), applies it later.
        logger.exception("%s event %s could not be applied", provider_name, event.event_id)
        notification.refresh_from_db()
        return 500, notification
    if notification.status == NotificationStatus.REJECTED:
        logger.warning("%s event %s rejected: %s", provider_name, event.event_id, notification.reason)
    return 200, notification


def _finish(notification, status, reason="", gift=None) -> None:
    waiting = (NotificationStatus.RECEIVED, NotificationStatus.DEFERRED)
    changes = {"status": status, "reason": reason[:200], "processed_at": timezone.now()}
    if gift is not None:
        changes["gift"] = gift
    if not Notification.objects.filter(pk=notification.pk, status__in=waiting).update(**changes):
        raise _AppliedMeanwhile
    for field, value in changes.items():
        setattr(notification, field, value)


def retry_unfinished(*, older_than_seconds: int = 60, limit: int = 200, now=None) -> dict:
    """Applies again the notifications a crash left "received", from the verified event stored
    with them (deferred ones wait for the provider’s next delivery, or for reconciliation)."""
    now = now or timezone.now()
    counts = {"retried": 0, "applied": 0}
    stuck = (
        Notification.objects.filter(
            status=NotificationStatus.RECEIVED, received_at__lte=now - timedelta(seconds=older_than_seconds)
        )
        .select_related("collectivite")
        .order_by("received_at")[:limit]
    )
    for notification in stuck:
        counts["retried"] += 1
        event = PaymentEvent.from_json(notification.event)
        status, _notification = _apply(notification, event, notification.collectivite, notification.provider)
        counts["applied"] += status == 200
    return counts
