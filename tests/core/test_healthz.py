"""GET /healthz: what a load balancer or monitoring probe reads."""

import pytest
from django.db import OperationalError
from django.test import Client

from solidaire.celery import app as celery_app
from solidaire.core import health


@pytest.fixture
def probe(db):
    return Client(HTTP_HOST="127.0.0.1")


def test_healthy_platform_answers_200_with_each_check(probe):
    response = probe.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["task_queue"].startswith("ok")


def test_health_is_never_cached(probe):
    response = probe.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_database_failure_answers_503_with_error_status(probe, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = probe.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: OperationalError"
    assert body["task_queue"].startswith("ok")
    # The probe does not leak the database's error message.
    assert "connection refused" not in response.content.decode()


def test_unreachable_task_broker_answers_503(probe, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no broker")

    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(celery_app, "connection_for_write", refuse)
    response = probe.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["task_queue"] == "error: ConnectionRefusedError"


def test_post_is_not_allowed(probe):
    assert probe.post("/healthz").status_code == 405


def test_healthz_answers_on_a_collectivites_host_too(personas, client_for):
    response = client_for(personas.a).get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
