"""Finance officers and administrators are e-mailed once when 80 % and 95 % of the public
budget are used, and once when the forecast says it runs out within 7 days — in their language,
with a link on the collectivité’s canonical address."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import TestCase

from solidaire.reporting import alerts, tasks
from solidaire.reporting.models import Alert, AlertKind

from ..gifts import give
from .helpers import beneficiaries, campaign_for, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _send_at_once(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def check(campaign):
    """Checks the campaign; the e-mails go when its transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return alerts.check_campaign(campaign)


def run_task():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.check_budget_alerts()


def kinds(campaign) -> set[str]:
    return set(Alert.objects.filter(campaign=campaign).values_list("kind", flat=True))


def test_nothing_to_say_of_a_fresh_campaign(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=100_000)
    give(beneficiaries(campaign)[0], 500)
    mail.outbox.clear()

    assert check(campaign) == []
    assert mail.outbox == []


def test_80_then_95_percent_each_told_once_to_finance_and_admins(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=2_000)
    cafe = beneficiaries(campaign)[0]
    give(cafe, 1000, email="ana@example.org")
    give(cafe, 600, email="ben@example.org")  # 1,600 of 2,000: 80 %
    mail.outbox.clear()

    sent = check(campaign)

    assert AlertKind.USED_80 in {alert.kind for alert in sent}
    assert AlertKind.USED_95 not in kinds(campaign)
    told = sorted(message.to[0] for message in mail.outbox)
    assert told == sorted([personas.a.admin.email, personas.a.finance.email] * len(sent))
    message = next(m for m in mail.outbox if "80" in m.subject)
    assert "http://grand-est.localhost" in message.body and "/tableau-de-bord/" in message.body

    mail.outbox.clear()
    assert check(campaign) == []  # said once
    assert mail.outbox == []

    give(cafe, 300, email="chloe@example.org")  # 1,900: 95 %
    check(campaign)
    assert {AlertKind.USED_80, AlertKind.USED_95} <= kinds(campaign)
    assert Alert.objects.filter(campaign=campaign, kind=AlertKind.USED_95).get().recipients == 2


def test_runs_out_within_a_week(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=20_000)
    cafe = beneficiaries(campaign)[0]
    campaign.starts_at = campaign.starts_at.replace(year=campaign.starts_at.year - 1)
    campaign.save(update_fields=["starts_at"])
    for ago in range(1, 11):
        days_ago(give(cafe, 1000, email=f"d{ago}@example.org"), ago)  # 10 € a day, 10 days: 100 € left
    mail.outbox.clear()

    check(campaign)
    assert AlertKind.RUNS_OUT_SOON not in kinds(campaign)  # 10 days left at this pace

    for ago in range(1, 5):
        days_ago(give(cafe, 1000, email=f"e{ago}@example.org"), ago)  # 60 € left, faster lately
    check(campaign)
    assert AlertKind.RUNS_OUT_SOON in kinds(campaign)
    assert any("7" in message.subject for message in mail.outbox)


def test_each_person_is_told_in_their_language(personas):
    personas.a.finance.language = "en"
    personas.a.finance.save()
    personas.a.admin.language = "fr"
    personas.a.admin.save()
    campaign = campaign_for(personas.a, matching_budget_cents=1_000, title="Café Solidaire")
    give(beneficiaries(campaign)[0], 1000)
    mail.outbox.clear()

    check(campaign)

    english = [m for m in mail.outbox if m.to == [personas.a.finance.email]]
    assert english and all("public budget" in m.subject for m in english)


def test_the_periodic_task_checks_every_published_campaign_and_the_constraint_holds(personas):
    campaign = campaign_for(personas.a, matching_budget_cents=1_000)
    draft = campaign_for(personas.a, matching_budget_cents=1_000, status="draft", published_at=None)
    give(beneficiaries(campaign)[0], 1000)

    assert run_task() >= 2  # 80 % and 95 % at once
    assert kinds(draft) == set()
    assert run_task() == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(campaign=campaign, kind=AlertKind.USED_80)
