from celery import shared_task

from . import actions, alerts, announcements, reminders


@shared_task(ignore_result=True)
def expire_posts() -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): posts past their end date leave the network, and the
    authors of those ending within two days are told, once (mutualaid.reminders)."""
    reminders.remind_expiring_posts()
    return actions.expire_due_posts()


@shared_task(ignore_result=True)
def send_announcement(announcement_id: int) -> int:
    """After an announcement is published: e-mails it to the members who asked for it (once)."""
    return announcements.send(announcement_id)


@shared_task(ignore_result=True)
def send_alerts(post_id: int) -> int:
    """After a post is listed: e-mails it to the immediate alerts it matches (once each)."""
    return alerts.send_immediate(post_id)


@shared_task(ignore_result=True)
def send_alert_digests() -> int:
    """Every hour (CELERY_BEAT_SCHEDULE): the daily digests of alerts that are due."""
    return alerts.send_digests()
