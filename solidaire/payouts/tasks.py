import logging

from celery import shared_task

from . import notifications, transfers

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_payment_sent(batch_id: int) -> None:
    notifications.send_payment_sent(batch_id)


@shared_task(ignore_result=True, bind=True, max_retries=8)
def send_transfers(self, batch_id: int) -> None:
    """The provider batch's transfers, asked again with backoff while the provider cannot be
    reached (each line's idempotency key makes a retry the same transfer)."""
    _asked, failed = transfers.send_transfers(batch_id)
    if failed and not (self.request.is_eager or self.request.called_directly):
        raise self.retry(countdown=min(60 * 2**self.request.retries, 3600))
