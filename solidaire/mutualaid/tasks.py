from celery import shared_task

from . import actions


@shared_task(ignore_result=True)
def expire_posts() -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): posts past their end date leave the network."""
    return actions.expire_due_posts()


@shared_task(ignore_result=True)
def send_announcement(announcement_id: int) -> int:
    """After an announcement is published: e-mails it to the members who asked for it (once)."""
    from . import announcements

    return announcements.send(announcement_id)
