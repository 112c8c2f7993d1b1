from celery import shared_task

from . import alerts


@shared_task(ignore_result=True)
def check_budget_alerts() -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): the alerts about the campaigns' public budgets."""
    return alerts.check_all()
