import logging

from celery import shared_task

from . import retention as jobs

logger = logging.getLogger(__name__)


@shared_task
def retention() -> dict[str, int]:
    """Daily: every retention job (privacy.retention)."""
    done = jobs.run_all()
    logger.info("retention: %s", done)
    return done
