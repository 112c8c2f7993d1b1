from celery import shared_task
from django.utils import timezone


@shared_task(ignore_result=True)
def expire_holds() -> int:
    """Releases matches held for payments that did not arrive in time."""
    from solidaire.matching.engine import expire_holds as expire

    return expire(now=timezone.now())


@shared_task(ignore_result=True)
def reconcile() -> int:
    """Asks the providers about gifts left pending and applies what they say."""
    from .reconciliation import reconcile_pending

    return reconcile_pending(older_than_minutes=15)["applied"]


@shared_task(ignore_result=True)
def send_gift_email(gift_id: str, kind: str) -> None:
    from .models import Gift
    from .notifications import send

    gift = (
        Gift.objects.select_related("collectivite", "campaign", "registration__establishment__commune")
        .filter(pk=gift_id)
        .first()
    )
    if gift is not None:
        send(gift, kind)
