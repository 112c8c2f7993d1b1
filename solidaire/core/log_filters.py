"""Filters of the logging configuration (settings.LOGGING)."""

import logging

from . import observability


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer is the visitor's mistake, not the server's: Django logs it ("Forbidden
    (Permission denied): /gestion/") with the traceback of the exception that produced it. Keep
    the one line, drop the traceback; 5xx errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if (status is not None and status < 500) or record.name.startswith("django.security"):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class RequestContext(logging.Filter):
    """Writes on every record what it is about (core.observability): `request_id` (None outside a
    request or a task), and `collectivite` (the request's, once known) or `task` when there is one."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = observability.current()
        record.request_id = context.request_id
        collectivite = context.collectivite
        if collectivite:
            record.collectivite = collectivite
        if context.task:
            record.task = context.task
        return True
