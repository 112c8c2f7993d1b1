from celery import shared_task

from . import notifications


@shared_task(ignore_result=True)
def send_payment_sent(batch_id: int) -> None:
    notifications.send_payment_sent(batch_id)
