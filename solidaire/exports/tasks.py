from celery import shared_task

from . import actions, jobs


@shared_task(name="solidaire.exports.tasks.build_export")
def build_export(pk: int) -> None:
    """Builds one export (queued by actions.request_export)."""
    jobs.run(pk)


@shared_task(name="solidaire.exports.tasks.delete_expired")
def delete_expired() -> int:
    """Deletes the files of expired exports (beat, hourly)."""
    return actions.delete_expired()
