"""Filters of the logging configuration (settings.LOGGING)."""

import logging


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
