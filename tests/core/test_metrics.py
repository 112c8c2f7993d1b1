"""Prometheus metrics (core.metrics, reporting.metrics, ADR 0027): /metrics only for the bearer of
SOLIDAIRE_METRICS_TOKEN, on any host; requests counted by route name, tasks by outcome, gift
confirmations once committed; the task queue's depth and each running campaign's budget measured
when scraped; several processes added up in PROMETHEUS_MULTIPROC_DIR."""

import subprocess
import sys
from pathlib import Path

import pytest
from celery import Celery
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from solidaire.celery import app as celery_app
from solidaire.core import metrics, pagecache
from solidaire.matching.models import Pool
from solidaire.payments import inbox
from solidaire.reporting.metrics import CampaignBudgets

from ..factories import CampaignFactory
from ..gifts import approved_registration, give, start
from ..matching.helpers import SUCCEEDED, event

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-metrics-token-for-tests"


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(client) -> dict:
    """name → {labels: value} of a scrape."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.status_code
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


@celery_app.task(name="tests.core.metrics_ok")
def works():
    return 1


@celery_app.task(name="tests.core.metrics_fails")
def fails():
    raise RuntimeError("no")


# The endpoint ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_configured_there_are_no_metrics(client, settings):
    settings.SOLIDAIRE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN]
)
def test_another_token_is_refused(client, settings, authorization):
    settings.SOLIDAIRE_METRICS_TOKEN = TOKEN
    extra = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"solidaire_" not in response.content


@pytest.mark.django_db
def test_the_token_opens_them_on_any_host_and_nothing_keeps_them(personas, settings, client_for, client):
    settings.SOLIDAIRE_METRICS_TOKEN = TOKEN
    settings.SOLIDAIRE_PUBLIC_PAGE_SECONDS = 5
    for answer in (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="localhost"),  # no collectivité
        client_for(personas.a).get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}"),
    ):
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("text/plain; version=")
        assert "no-store" in answer["Cache-Control"]
        types = {line.split()[2] for line in answer.content.decode().splitlines() if line.startswith("# TYPE ")}
        assert types >= {
            "solidaire_http_requests_total",
            "solidaire_http_request_duration_seconds",
            "solidaire_tasks_total",
            "solidaire_task_duration_seconds",
            "solidaire_gift_confirmations_total",
            "solidaire_campaign_budget_cents",
            "solidaire_campaign_used_cents",
            "solidaire_campaign_reserved_cents",
        }


# Requests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_never_by_path(personas, client_for):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafes")
    page = reverse("campaigns:public_detail", args=[campaign.slug])
    labels = {"method": "GET", "view": "campaigns:public_detail", "status": "2xx"}
    before = value("solidaire_http_requests_total", **labels)
    seconds_before = value("solidaire_http_request_duration_seconds_count", view="campaigns:public_detail")
    client = client_for(personas.a)
    assert client.get(page).status_code == 200
    assert client.get(page + "?page=2").status_code == 200
    assert value("solidaire_http_requests_total", **labels) == before + 2
    assert value("solidaire_http_request_duration_seconds_count", view="campaigns:public_detail") == seconds_before + 2

    missing = {"method": "GET", "view": "unresolved", "status": "4xx"}
    before = value("solidaire_http_requests_total", **missing)
    client.get("/nowhere-12345/")
    client.generic("BREW", page)
    assert value("solidaire_http_requests_total", **missing) == before + 1
    methods = {
        s.labels["method"] for f in REGISTRY.collect() for s in f.samples if s.name == "solidaire_http_requests_total"
    }
    assert "other" in methods and "BREW" not in methods
    paths = [s for f in REGISTRY.collect() for s in f.samples if "nowhere" in str(s.labels) or "/" in str(s.labels)]
    assert paths == []


@pytest.mark.django_db
def test_a_page_from_the_public_cache_has_its_own_id_and_is_counted(personas, client_for, settings):
    settings.SOLIDAIRE_PUBLIC_PAGE_SECONDS = 5
    pagecache._local.clear()
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafes")
    page = reverse("campaigns:public_detail", args=[campaign.slug])
    labels = {"method": "GET", "view": "campaigns:public_detail", "status": "2xx"}
    client = client_for(personas.a)
    first = client.get(page)
    before = value("solidaire_http_requests_total", **labels)
    again = client.get(page, HTTP_X_REQUEST_ID="from-the-cache-1")
    pagecache._local.clear()
    assert again.content == first.content  # the kept copy
    assert again["X-Request-ID"] == "from-the-cache-1" != first["X-Request-ID"]
    assert value("solidaire_http_requests_total", **labels) == before + 1


# Tasks -------------------------------------------------------------------------------------------


def test_tasks_are_counted_by_name_and_outcome():
    ok = {"task": "tests.core.metrics_ok", "outcome": "success"}
    failed = {"task": "tests.core.metrics_fails", "outcome": "failure"}
    before_ok, before_failed = value("solidaire_tasks_total", **ok), value("solidaire_tasks_total", **failed)
    runs = value("solidaire_task_duration_seconds_count", task="tests.core.metrics_ok")
    works.delay()
    works.delay()
    fails.apply(throw=False)  # as the worker runs it: the error recorded, not raised
    assert value("solidaire_tasks_total", **ok) == before_ok + 2
    assert value("solidaire_tasks_total", **failed) == before_failed + 1
    assert value("solidaire_task_duration_seconds_count", task="tests.core.metrics_ok") == runs + 2


# Money -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_confirmed_gift_is_counted_and_shows_in_its_campaigns_budget(personas, settings, client):
    settings.SOLIDAIRE_METRICS_TOKEN = TOKEN
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafes", matching_budget_cents=50_000)
    key = (("campaign", "cafes"), ("collectivite", "grand-est"))
    before = scraped(client)
    assert before["solidaire_campaign_budget_cents"][key] == 50_000
    assert before["solidaire_campaign_used_cents"][key] == 0
    confirmations = value("solidaire_gift_confirmations_total")

    gift = give(approved_registration(campaign), 700)

    assert gift.status == "confirmed" and gift.match_cents == 700
    assert value("solidaire_gift_confirmations_total") == confirmations + 1
    after = scraped(client)
    assert after["solidaire_campaign_used_cents"][key] == 700
    assert after["solidaire_campaign_reserved_cents"][key] == 0
    assert after["solidaire_gift_confirmations_total"][()] == confirmations + 1


@pytest.mark.django_db
def test_a_confirmation_counts_once_committed(personas):
    """Counted by the confirmation's write path when its transaction commits: one rolled back
    (as the inbox does when a concurrent delivery applied the event first) never counts."""
    registration = approved_registration(CampaignFactory(collectivite=personas.a.tenant))
    confirmations = value("solidaire_gift_confirmations_total")
    for rolled_back in (True, False):
        gift = start(registration, 500, email=f"rolled-back-{rolled_back}@example.org")
        with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
            status, _notification = inbox.apply(
                collectivite=gift.collectivite, provider_name=gift.provider, event=event(gift, SUCCEEDED)
            )
            assert status == 200
            transaction.set_rollback(rolled_back)
    assert value("solidaire_gift_confirmations_total") == confirmations + 1


@pytest.mark.django_db
def test_a_gift_that_fails_is_no_confirmation(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant)
    confirmations = value("solidaire_gift_confirmations_total")
    gift = give(approved_registration(campaign), 500, outcome="decline")
    assert gift.status == "failed"
    assert value("solidaire_gift_confirmations_total") == confirmations


@pytest.mark.django_db
def test_budgets_are_one_query_for_running_campaigns_only(personas, django_assert_num_queries):
    for n in range(3):
        CampaignFactory(collectivite=personas.a.tenant, slug=f"running-{n}", matching_budget_cents=1000 * (n + 1))
    CampaignFactory(collectivite=personas.b.tenant, slug="running-metz")
    CampaignFactory(collectivite=personas.a.tenant, slug="draft", status="draft")
    CampaignFactory(collectivite=personas.a.tenant, slug="closed", status="closed")
    Pool.objects.filter(campaign__slug="running-1").update(used_cents=150)
    with django_assert_num_queries(1):
        families = {family.name: family for family in CampaignBudgets().collect()}
    used = {tuple(s.labels.values()): s.value for s in families["solidaire_campaign_used_cents"].samples}
    assert used == {
        ("grand-est", "running-0"): 0,
        ("grand-est", "running-1"): 150,
        ("grand-est", "running-2"): 0,
        ("metz", "running-metz"): 0,
    }
    budgets = {tuple(s.labels.values()): s.value for s in families["solidaire_campaign_budget_cents"].samples}
    assert budgets[("grand-est", "running-2")] == 3000


# The task queue ----------------------------------------------------------------------------------


def _filesystem_app(folder: Path) -> Celery:
    app = Celery("queue-depth-probe", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
    }
    return app


def _samples(collector) -> dict:
    return {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in collector.collect()
        for sample in family.samples
    }


def test_the_queue_depth_of_the_filesystem_broker(tmp_path):
    app = _filesystem_app(tmp_path)
    collector = metrics.QueueDepth(app)
    assert _samples(collector) == {("solidaire_task_queue_up", ()): 1, ("solidaire_task_queue_depth", ("celery",)): 0}
    for _ in range(3):
        app.send_task("solidaire.core.tasks.send_email", args=[{}])
    assert _samples(collector)[("solidaire_task_queue_depth", ("celery",))] == 3
    assert len([p for p in tmp_path.iterdir() if p.is_file()]) == 3  # measured, not consumed


def test_a_broker_that_does_not_answer_leaves_the_scrape_standing(caplog):
    app = Celery("queue-down-probe", broker="redis://127.0.0.1:1/0", set_as_current=False)
    collector = metrics.QueueDepth(app, timeout=0.5)
    with caplog.at_level("WARNING", logger="solidaire.core.metrics"):
        assert _samples(collector) == {("solidaire_task_queue_up", ()): 0}
    assert "task queue depth unknown" in caplog.text


def test_eager_tasks_have_no_queue():
    assert celery_app.conf.task_always_eager  # tests/conftest.py
    assert _samples(metrics.QueueDepth(celery_app)) == {}


# Several processes -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_several_processes_are_added_up(tmp_path, monkeypatch):
    """Two processes (as gunicorn's workers) count in PROMETHEUS_MULTIPROC_DIR; a scrape in a third
    reads their sum."""
    count = (
        "from solidaire.core import metrics; "
        "metrics.observe_request('GET', 'tests:multiprocess', 200, 0.01); "
        "metrics.observe_request('GET', 'tests:multiprocess', 200, 0.01)"
    )
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], check=True, env=environment, cwd=ROOT)  # noqa: S603
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    registry = metrics.scrape_registry()
    labels = {"method": "GET", "view": "tests:multiprocess", "status": "2xx"}
    assert registry.get_sample_value("solidaire_http_requests_total", labels) == 4
    assert (
        registry.get_sample_value("solidaire_http_request_duration_seconds_count", {"view": "tests:multiprocess"}) == 4
    )
