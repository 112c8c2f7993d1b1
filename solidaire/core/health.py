"""What /healthz reports: can we reach the database and the task queue?"""

from collections.abc import Callable

from django.db import connection

# What other packages add to /healthz for information (they do not decide the HTTP status: a
# probe must not take a web process out of service for, say, books that disagree).
_reports: dict[str, Callable[[], str]] = {}


def register(name: str, report: Callable[[], str]) -> None:
    _reports[name] = report


def reports() -> dict[str, str]:
    found = {}
    for name, report in sorted(_reports.items()):
        try:
            found[name] = report()
        except Exception as exc:  # noqa: BLE001 - a report that fails says so, the probe answers
            found[name] = f"error: {exc.__class__.__name__}"
    return found


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"; the message says why
        return f"error: {exc.__class__.__name__}"
    return "ok"


def task_queue_status() -> str:
    from solidaire.celery import app

    if app.conf.task_always_eager:
        return "ok (eager)"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"
