"""The request id (core.observability, ADR 0027): taken from a sane X-Request-ID or made, answered
in X-Request-ID, written on every log line with the collectivité, carried into the tasks a request
publishes and made current in the worker; the JSON log lines; Sentry, initialised only with a DSN
and never sent what could name a donor."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import sentry_sdk
from celery import Celery
from celery.worker.request import Request
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from solidaire.celery import app as celery_app
from solidaire.core import observability
from solidaire.core.log_filters import RequestContext
from solidaire.core.observability import HEADER, TASK_HEADER, JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
HEX_ID = re.compile(r"[0-9a-f]{32}")
CSP_REPORT = json.dumps({"csp-report": {"document-uri": "https://a.localhost/", "blocked-uri": "inline"}})

seen_in_tasks: list[observability.Context] = []


@celery_app.task(name="tests.core.observability_probe")
def probe():
    seen_in_tasks.append(observability.current())
    logging.getLogger("tests.probe").warning("in the task")


@pytest.fixture(autouse=True)
def _nothing_seen():
    seen_in_tasks.clear()
    yield
    seen_in_tasks.clear()


@pytest.fixture
def log_lines():
    """JSON lines of the `solidaire.csp` and `tests.probe` loggers, through the filter and
    formatter the settings configure."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContext())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("solidaire.csp"), logging.getLogger("tests.probe")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


# The request id of a request ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one_in_its_answer(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert HEX_ID.fullmatch(first[HEADER]) and HEX_ID.fullmatch(second[HEADER])
    assert first[HEADER] != second[HEADER]


@pytest.mark.django_db
def test_a_sane_id_from_the_caller_is_kept(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.91_0c")[HEADER] == "lb-7f3a.91_0c"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["short", "a" * 65, "abc def ghi", "abcdefgh\nforged log line", "abcdefgh;drop", "é" * 10, ""],
)
def test_an_insane_id_from_the_caller_is_replaced(client, given):
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=given)[HEADER]
    assert HEX_ID.fullmatch(answered)


def test_the_id_is_current_while_the_view_runs_and_forgotten_after():
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="outer-request-1")
    seen = []

    def view(request):
        seen.append(observability.current().request_id)
        return HttpResponse()

    response = observability.observe(request, view, view="tests:view")
    assert seen == ["outer-request-1"] == [response[HEADER]]
    assert observability.current().request_id is None


def test_the_configured_console_handler_writes_the_context():
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, RequestContext) for handler in handlers for f in handler.filters)
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["client_errors", "request_context"]


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id_and_collectivite(personas, client_for, log_lines):
    client = client_for(personas.a)
    response = client.post(
        "/csp-report", CSP_REPORT, content_type="application/csp-report", HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 204 and response[HEADER] == "req-12345678"
    [line] = [line for line in log_lines() if line["logger"] == "solidaire.csp"]
    assert line["request_id"] == "req-12345678"
    assert line["collectivite"] == "grand-est"
    assert "task" not in line


# JSON lines --------------------------------------------------------------------------------------


def test_a_json_line_is_one_object_with_the_fields_operators_read():
    record = logging.LogRecord("solidaire.payments", logging.WARNING, __file__, 1, "rejected %s", ("x",), None)
    record.request_id = "abc12345"
    record.request = object()  # Django's records carry the request: it stays out
    record.data = {"args": ["dora@example.org"]}  # Celery's lines about a task: its arguments stay out
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["level"] == "WARNING" and data["logger"] == "solidaire.payments" and data["message"] == "rejected x"
    assert data["request_id"] == "abc12345"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", data["timestamp"])
    assert "request" not in data and "data" not in data and "dora" not in line


def test_with_json_chosen_the_platform_logs_json_lines():
    """SOLIDAIRE_LOG_FORMAT=json, read by the settings as a process starts."""
    code = "import logging; logging.getLogger('solidaire.probe').warning('hello %s', 'operator')"
    environment = {**os.environ, "SOLIDAIRE_LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "solidaire.settings"}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    [line] = [json.loads(line) for line in done.stderr.splitlines() if "solidaire.probe" in line]
    assert (line["level"], line["logger"], line["message"]) == ("WARNING", "solidaire.probe", "hello operator")
    assert line["request_id"] is None and "timestamp" in line


def test_the_settings_choose_the_json_formatter_by_name():
    assert settings.LOGGING["formatters"]["json"]["()"] == "solidaire.core.observability.JsonFormatter"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.SOLIDAIRE_LOG_FORMAT


# Into tasks ---------------------------------------------------------------------------------------


def test_a_task_published_during_a_request_carries_its_id():
    headers = {}
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="carried-0001")
    observability.observe(request, lambda r: _publish(headers), view="tests:view")
    assert headers[TASK_HEADER] == "carried-0001"


def test_a_task_published_outside_a_request_carries_nothing():
    headers = {}
    observability.carry_request_id(headers=headers)
    assert headers == {}


def _publish(headers):
    observability.carry_request_id(headers=headers)
    return HttpResponse()


@pytest.fixture
def broker(tmp_path):
    """A Celery app on kombu's filesystem transport in tmp_path, with a task like probe; `run()`
    takes the next message and runs it as Celery's worker does."""
    app = Celery("observability-probe", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control"),
    }

    @app.task(name=f"tests.core.worker_probe.{tmp_path.name}")  # Celery wants one callable per name
    def worker_probe():
        probe()

    def run() -> dict:
        with app.connection_for_read() as connection:
            message = connection.default_channel.basic_get("celery")
            Request(message, app=app, task=app.tasks[worker_probe.name]).execute()
            return message.headers

    return types.SimpleNamespace(task=worker_probe, run=run)


def test_the_worker_makes_the_carried_id_current_then_forgets_it(broker, log_lines):
    broker.task.apply_async(headers={TASK_HEADER: "carried-0002"})
    broker.run()
    [seen] = seen_in_tasks
    assert seen.request_id == "carried-0002" and seen.task == broker.task.name
    [line] = log_lines()
    assert line["request_id"] == "carried-0002" and line["task"] == broker.task.name
    assert observability.current() == observability.Context()


def test_a_task_without_a_carried_id_gets_a_new_one(broker):
    broker.task.delay()  # as beat starts it: outside any request
    assert TASK_HEADER not in broker.run()
    broker.task.apply_async(headers={TASK_HEADER: "bad id\nforged"})
    broker.run()
    first, second = (context.request_id for context in seen_in_tasks)
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


@pytest.mark.django_db
def test_a_task_run_in_its_caller_keeps_the_request_id():
    def view(request):
        probe.delay()  # tests run tasks eagerly (tests/conftest.py)
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="eager-00001")
    observability.observe(request, view, view="tests:view")
    [seen] = seen_in_tasks
    assert seen.request_id == "eager-00001"


def test_the_id_travels_through_a_real_broker_to_the_worker(broker):
    """Published on kombu's filesystem transport during a request, then run as Celery's worker
    runs a message: the same id in the task."""

    def view(request):
        broker.task.delay()
        return HttpResponse()

    observability.observe(RequestFactory().get("/", HTTP_X_REQUEST_ID="through-broker-1"), view, view="tests:view")
    assert seen_in_tasks == []  # published, not run
    assert broker.run()[TASK_HEADER] == "through-broker-1"
    [seen] = seen_in_tasks
    assert seen.request_id == "through-broker-1" and seen.task == broker.task.name


# Sentry ------------------------------------------------------------------------------------------


def test_without_a_dsn_sentry_is_not_initialised(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    assert observability.init_sentry("") is False
    assert calls == []


def test_with_a_dsn_sentry_is_initialised_without_personal_data(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    dsn = "https://public@sentry.example.org/42"
    assert observability.init_sentry(dsn, environment="staging", release="1.4.0", traces_sample_rate=0.25)
    [options] = calls
    assert options["dsn"] == dsn
    assert {type(integration) for integration in options["integrations"]} == {DjangoIntegration, CeleryIntegration}
    assert options["send_default_pii"] is False and options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert (options["environment"], options["release"], options["traces_sample_rate"]) == ("staging", "1.4.0", 0.25)
    assert options["before_send"] is observability.scrub is options["before_send_transaction"]


def test_sentry_events_lose_bodies_cookies_credentials_and_email_addresses():
    event = {
        "message": "gift of dora@example.org failed",
        "request": {
            "url": "https://grand-est.localhost/dons/12/",
            "method": "POST",
            "query_string": "t=secret-token",
            "data": {"email": "dora@example.org", "amount": "5"},
            "cookies": {"sessionid": "s3cret"},
            "headers": {"Authorization": "Bearer abc", "Cookie": "sessionid=s3cret", "User-Agent": "Firefox"},
        },
        "exception": {"values": [{"type": "ValueError", "value": "no account for Dora.Smith+tag@mail.example.fr"}]},
        "breadcrumbs": {"values": [{"message": "sent to dan@example.org"}]},
    }
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="sentry-req-1")
    scrubbed = {}
    observability.observe(request, lambda r: scrubbed.update(observability.scrub(event)) or HttpResponse(), view="x")
    assert scrubbed["request"] == {
        "url": "https://grand-est.localhost/dons/12/",
        "method": "POST",
        "headers": {"User-Agent": "Firefox"},
    }
    assert "@" not in json.dumps(scrubbed)
    assert scrubbed["message"] == "gift of [e-mail] failed"
    assert scrubbed["exception"]["values"][0]["value"] == "no account for [e-mail]"
    assert scrubbed["tags"] == {"request_id": "sentry-req-1"}
