"""The notification inbox: every provider notification is stored, verified, and applied at
most once — in the same transaction as its effects — whatever the retries, duplicates or
reordering."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification, NotificationStatus
from .providers import InvalidNotification, ProviderError, provider_for

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("content-type", "user-agent", "solidaire-signature", "stripe-signature")


def _headers(headers) -> dict:
    return {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


def receive(
    *, collectivite, provider_name: str, body: bytes, headers, source: str = "provider"
) -> tuple[int, Notification]:
    """Returns the HTTP status to answer and the stored notification."""
    text = body.decode("utf-8", errors="replace")
    try:
        provider = provider_for(collectivite, provider_name)
    except ProviderError:
        return 404, Notification.objects.create(
            collectivite=collectivite,
            provider=provider_name,
            body=text,
            headers=_headers(headers),
            status=NotificationStatus.REJECTED,
            reason="provider not configured for this collectivité",
        )
    try:
        event = provider.parse_notification(body, headers)
    except InvalidNotification as exc:
        logger.warning("%s notification rejected for %s: %s", provider_name, collectivite.slug, exc)
        return 400, Notification.objects.create(
            collectivite=collectivite,
            provider=provider_name,
            body=text,
            headers=_headers(headers),
            status=NotificationStatus.REJECTED,
            reason=str(exc)[:200],
        )
    return apply(
        collectivite=collectivite, provider_name=provider_name, event=event, body=text, headers=_headers(headers)
    )


@transaction.atomic
def apply(*, collectivite, provider_name: str, event, body: str = "", headers=None) -> tuple[int, Notification]:
    """Stores the verified event and applies it, once. A duplicate (same provider and event id)
    changes nothing; a deferred event is tried again when it comes back."""
    from solidaire.donations.actions import Deferred, apply_event

    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                collectivite=collectivite,
                provider=provider_name,
                event_id=event.event_id,
                event_type=event.type,
                body=body,
                headers=headers or {},
                signature_valid=True,
                status=NotificationStatus.DEFERRED,
            )
    except IntegrityError:
        notification = Notification.objects.select_for_update().get(provider=provider_name, event_id=event.event_id)
        Notification.objects.filter(pk=notification.pk).update(deliveries=notification.deliveries + 1)
        if notification.status != NotificationStatus.DEFERRED:
            return 200, notification
    if event.type.startswith("ignored:"):
        status, reason, gift = NotificationStatus.IGNORED, "not a payment event", None
    else:
        try:
            with transaction.atomic():
                status, reason, gift = apply_event(event, collectivite=collectivite, provider_name=provider_name)
        except Deferred as exc:
            notification.reason = str(exc)
            notification.save(update_fields=["reason"])
            return 409, notification
    notification.status, notification.reason, notification.gift = status, reason[:200], gift
    notification.processed_at = timezone.now()
    notification.save(update_fields=["status", "reason", "gift", "processed_at"])
    if status == NotificationStatus.REJECTED:
        logger.warning("%s event %s rejected: %s", provider_name, event.event_id, reason)
    return 200, notification
