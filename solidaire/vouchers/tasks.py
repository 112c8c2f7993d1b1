from celery import shared_task


@shared_task(ignore_result=True)
def daily() -> dict:
    """Expires what is past its date and reminds donors who asked, a week ahead (hourly is fine:
    both are idempotent)."""
    from .actions import expire_vouchers, send_reminders

    return {"expired": expire_vouchers(), "reminded": send_reminders()}
