"""/healthz says how the last check of the books went — "not checked yet", "ok" or "N problems" —
without a figure of money, and books that disagree do not take the platform out of service: the
database and the task queue decide the HTTP status."""

import re

import pytest
from django.db.models import F
from django.test import Client

from solidaire.beneficiaries.models import Registration
from solidaire.ledger.models import CheckRun
from solidaire.ledger.tasks import run_checks

from ..gifts import approved_registration
from ..matching.helpers import campaign_for


@pytest.fixture
def probe(db):
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def cafe(personas):
    return approved_registration(campaign_for(personas.a))


def ledger(probe) -> tuple[int, str]:
    response = probe.get("/healthz")
    return response.status_code, response.json()["ledger"]


def test_before_any_run_the_ledger_is_not_checked_yet(probe):
    assert ledger(probe) == (200, "not checked yet")


def test_after_a_clean_run_the_ledger_is_ok(probe, cafe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_checks()

    assert ledger(probe) == (200, "ok")


def test_after_a_run_with_two_problems_it_says_how_many_and_no_amount(
    probe, personas, cafe, django_capture_on_commit_callbacks
):
    # Two registrations say they received 4 321 € and 7 654 €; no gift says so.
    Registration.objects.filter(pk=cafe.pk).update(gifts_total_cents=432_100)
    other = approved_registration(cafe.campaign)
    Registration.objects.filter(pk=other.pk).update(gifts_total_cents=765_400, gifts_count=F("gifts_count") + 7)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_checks()
    assert run.problems == 2
    assert any("432100" in violation["detail"] for violation in run.violations)

    response = probe.get("/healthz")

    # The books disagree, the platform still serves: the database and the task queue decide.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["ledger"] == "2 problems"
    assert re.findall(r"\d+", body["ledger"]) == ["2"]
    page = response.content.decode()
    assert "432100" not in page and "765400" not in page and "registration" not in page


def test_the_last_run_is_what_counts(probe, cafe, django_capture_on_commit_callbacks):
    Registration.objects.filter(pk=cafe.pk).update(gifts_total_cents=100)
    with django_capture_on_commit_callbacks(execute=True):
        run_checks()
    assert ledger(probe) == (200, "1 problem")

    Registration.objects.filter(pk=cafe.pk).update(gifts_total_cents=0)
    with django_capture_on_commit_callbacks(execute=True):
        run_checks()

    assert CheckRun.objects.count() == 2
    assert ledger(probe) == (200, "ok")
