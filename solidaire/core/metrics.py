"""Prometheus metrics (issue 13, docs/adr/0027), read at /metrics with SOLIDAIRE_METRICS_TOKEN.

Counted as things happen, in each process: requests by method, view name and status class, with
their duration by view; tasks by name and outcome, with their duration; gift confirmations. Web
and worker processes are many: when PROMETHEUS_MULTIPROC_DIR names a directory they all share
(emptied before they start), prometheus_client writes each process's counts there and a scrape
adds them up; otherwise each process answers with its own.

Measured when scraped, by the collectors packages register (`register`, as core.health's
reports): the task queue's depth (here), each running campaign's public budget (reporting).
Labels only take values from short, fixed lists — view names, task names, collectivités and
their campaigns — never a path, a person or an amount."""

import hmac
import logging
import os
import time

from celery.signals import task_postrun, task_prerun
from kombu.exceptions import ChannelError
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from solidaire.celery import app as celery_app

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "solidaire_http_requests",
    "HTTP requests answered, by method, view name and status class.",
    ["method", "view", "status"],
)
REQUEST_SECONDS = Histogram(
    "solidaire_http_request_duration_seconds", "Time to answer an HTTP request, by view name.", ["view"]
)
TASKS = Counter(
    "solidaire_tasks", "Background tasks run, by task name and outcome (success, failure, retry).", ["task", "outcome"]
)
TASK_SECONDS = Histogram(
    "solidaire_task_duration_seconds",
    "Time a background task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, float("inf")),
)
CONFIRMATIONS = Counter("solidaire_gift_confirmations", "Gift payments confirmed (the match posted), once committed.")


def observe_request(method: str, view: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method if method in METHODS else "other", view, f"{status // 100}xx").inc()
    REQUEST_SECONDS.labels(view).observe(seconds)


# Tasks -------------------------------------------------------------------------------------------

OUTCOMES = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}
# task id → when it started. A task run eagerly that raises never reaches task_postrun (Celery
# re-raises first): beyond this many entries, they are all forgotten (those running go unmeasured).
_task_started: dict[str, float] = {}
STARTED_ENTRIES = 10_000


@task_prerun.connect(dispatch_uid="solidaire.metrics.prerun")
def task_started(task_id=None, **_kwargs) -> None:
    if len(_task_started) >= STARTED_ENTRIES:
        _task_started.clear()
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect(dispatch_uid="solidaire.metrics.postrun")
def task_finished(task_id=None, task=None, state=None, **_kwargs) -> None:
    started = _task_started.pop(task_id, None)
    name = getattr(task, "name", None) or "unknown"
    TASKS.labels(name, OUTCOMES.get(state, str(state).lower())).inc()
    if started is not None:
        TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


# Scrapes -----------------------------------------------------------------------------------------

# name → collector (an object with collect() yielding metric families), measured at each scrape.
_collectors: dict[str, object] = {}


def register(name: str, collector) -> None:
    """A collector measured at each scrape, in the process that answers it."""
    _collectors[name] = collector


class _ThisProcess:
    """The default registry's metrics (this process's counts and its own figures)."""

    def collect(self):
        yield from REGISTRY.collect()


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def scrape_registry() -> CollectorRegistry:
    """What a scrape reads: every process's counts (multiprocess mode) or this process's, then
    the registered collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in _collectors.values():
        registry.register(collector)
    return registry


def exposition() -> bytes:
    return generate_latest(scrape_registry())


def token_matches(authorization: str, token: str) -> bool:
    """Whether an Authorization header is `Bearer <token>` (compared in constant time)."""
    scheme, _space, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


# The task queue ----------------------------------------------------------------------------------


class QueueDepth:
    """Messages waiting in each of the Celery app's queues, asked of the broker at each scrape
    (kombu's passive queue declaration: LLEN of the queue's lists on Redis, the files waiting in
    the filesystem broker's folder). A broker that does not answer gives no sample but
    solidaire_task_queue_up 0, and a warning in the log: the scrape itself never fails."""

    def __init__(self, app=celery_app, timeout: float = 2.0):
        self.app = app
        self.timeout = timeout

    def queues(self) -> list[str]:
        return sorted(self.app.amqp.queues) or [self.app.conf.task_default_queue]

    def collect(self):
        if self.app.conf.task_always_eager:
            return  # tasks run in their caller: there is no queue
        up = GaugeMetricFamily("solidaire_task_queue_up", "Whether the task broker answered the scrape (1) or not (0).")
        depth = GaugeMetricFamily(
            "solidaire_task_queue_depth", "Messages waiting in the task queue, by queue.", labels=["queue"]
        )
        try:
            counts = self.depths()
        except Exception as exc:  # noqa: BLE001 - any broker failure: say so, the scrape answers
            logger.warning("task queue depth unknown: %s: %s", exc.__class__.__name__, exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue, count in counts.items():
            depth.add_metric([queue], count)
        yield up
        yield depth

    def depths(self) -> dict[str, int]:
        counts = {}
        with self.app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=self.timeout)
            channel = connection.default_channel
            for queue in self.queues():
                try:
                    counts[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except ChannelError:  # never declared: nothing was ever sent to it
                    counts[queue] = 0
        return counts


register("task_queue", QueueDepth())
