"""What operators see of a running Solidaire (issue 13, docs/adr/0027): a request id on every
answer and log line, carried into the tasks a request starts; logs as JSON lines when asked;
errors reported to Sentry when a DSN is configured, without donors' data.

The request id is the caller's `X-Request-ID` when it is a sane token (a load balancer's, a
client's), else a new one; it is in a context variable while the request is answered, so that
the logging filter (log_filters.RequestContext) writes it on every line. A task published meanwhile
carries it in a message header; the worker makes it current while the task runs (a task started
by beat gets a new one). `RequestObservability`, the second middleware, sets it, answers with it
and counts the request (core.metrics); the public page cache, first, does the same for the
answers it serves itself."""

import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

import sentry_sdk
from celery.signals import before_task_publish, task_postrun, task_prerun
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from . import metrics

HEADER = "X-Request-ID"
# The message header a published task carries the request id in.
TASK_HEADER = "solidaire_request_id"
# What is accepted of a caller's id: letters, digits, "-", "_", ".", 8 to 64 of them (a UUID, a
# load balancer's trace id); anything else (a log line forged with a newline, a megabyte) is replaced.
SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


@dataclass(frozen=True)
class Context:
    """What the current log lines are about: a request id, and the request (for its collectivité)
    or the task being run."""

    request_id: str | None = None
    request: object = None
    task: str | None = None

    @property
    def collectivite(self) -> str | None:
        tenant = getattr(self.request, "tenant", None)
        return getattr(tenant, "slug", None)


_current: ContextVar[Context] = ContextVar("solidaire_observability", default=Context())  # noqa: B039 - frozen


def current() -> Context:
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def sane(value) -> str | None:
    """The id if it is one we may write in our logs and answers, else None."""
    if isinstance(value, str) and SANE_ID.fullmatch(value):
        return value
    return None


# Requests ----------------------------------------------------------------------------------------


def observe(request, respond: Callable, view: str | None = None):
    """Answers the request with `respond(request)`, the request id current meanwhile; the answer
    carries the id in X-Request-ID and is counted by view (`view`, or the one the URL resolved to)."""
    request.request_id = sane(request.headers.get(HEADER)) or new_id()
    token = _current.set(Context(request_id=request.request_id, request=request))
    started = time.perf_counter()
    try:
        response = respond(request)
    finally:
        _current.reset(token)
    response[HEADER] = request.request_id
    metrics.observe_request(
        request.method, view or route_name(request), response.status_code, time.perf_counter() - started
    )
    return response


def route_name(request) -> str:
    """The URL pattern's name ("campaigns:public_detail"), never the path: a label with a value per
    campaign, gift or misspelt address would grow without end."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unresolved"


class RequestObservability:
    """Second middleware, after the public page cache (which calls `observe` for what it serves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return observe(request, self.get_response)


# Tasks -------------------------------------------------------------------------------------------

# task id → the token that restores what was current before it ran.
_task_tokens: dict[str, object] = {}


@before_task_publish.connect(dispatch_uid="solidaire.request_id.publish")
def carry_request_id(headers=None, **_kwargs) -> None:
    """A task published while a request (or a task) is answered carries its id."""
    request_id = current().request_id
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def _carried(task) -> str | None:
    request = getattr(task, "request", None)
    found = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return sane(found)


@task_prerun.connect(dispatch_uid="solidaire.request_id.prerun")
def task_started(task_id=None, task=None, **_kwargs) -> None:
    """In the worker: the id the task was published with, else a new one (a task started by beat).
    A task run in its caller (eager: tests, SOLIDAIRE_TASKS_EAGER) keeps the caller's context as it
    is: an eager task that raises is never told it ended, and would leave its own behind."""
    if getattr(task.request, "is_eager", False):
        return
    request_id = _carried(task) or new_id()
    _task_tokens[task_id] = _current.set(Context(request_id=request_id, task=task.name))


@task_postrun.connect(dispatch_uid="solidaire.request_id.postrun")
def task_finished(task_id=None, **_kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)


# Logs --------------------------------------------------------------------------------------------


class JsonFormatter(_JsonFormatter):
    """One JSON object per line (SOLIDAIRE_LOG_FORMAT=json): timestamp (UTC, ISO 8601), level,
    logger, message, request_id, and collectivite or task when known (log_filters.RequestContext),
    with any `extra` a caller gave. Left out: the request object Django's records carry (its
    address may hold a gift's token; the request id names it) and the `data` of Celery's lines
    about a task, which holds its arguments (a receipt's recipient and text)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time", "data"])
        super().__init__(*args, **kwargs)


# Sentry ------------------------------------------------------------------------------------------

# What never leaves for Sentry: the request's body, cookies and query (a gift's page carries its
# token there), the headers that authenticate, and any e-mail address anywhere in the event.
DROPPED_REQUEST_KEYS = ("data", "cookies", "query_string", "env")
DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-csrftoken"})
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_REPLACEMENT = "[e-mail]"


def init_sentry(dsn: str, *, environment: str = "", release: str = "", traces_sample_rate: float = 0.0) -> bool:
    """Sends errors (web and tasks) to Sentry when a DSN is given; does nothing otherwise. Whether
    it did."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,  # a frame's variables hold gifts, e-mails, IBANs
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
    )
    return True


def scrub(event: dict, _hint=None) -> dict:
    """The event without what could name a donor or let anyone in (see DROPPED_…), tagged with
    the request id so that it leads to the log lines."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in DROPPED_REQUEST_KEYS:
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}
    event = _without_emails(event)
    request_id = current().request_id
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def _without_emails(value):
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_REPLACEMENT, value)
    if isinstance(value, dict):
        return {key: _without_emails(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_emails(item) for item in value)
    return value
