"""The books checked on a schedule: every run of the ledger checks is kept, /healthz says how it
went, and each collectivité’s finance officers are e-mailed when their books disagree — once per
new set of problems, not at every run."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.accounts.models import Membership
from solidaire.accounts.roles import Role
from solidaire.core.emails import send_templated
from solidaire.tenants.models import Collectivite
from solidaire.tenants.resolution import tenant_url

from .checks import check_all
from .models import CheckRun

logger = logging.getLogger(__name__)


def run_checks(*, now=None) -> CheckRun:
    started = now or timezone.now()
    violations = check_all()
    previous = CheckRun.objects.first()
    run = CheckRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        problems=len(violations),
        violations=[
            {"invariant": v.invariant, "detail": v.detail, "collectivite_id": v.collectivite_id} for v in violations
        ],
    )
    if violations:
        logger.error("ledger check: %s problems, first: %s", len(violations), violations[0])
    _tell_finance_officers(run, previous)
    return run


def _by_collectivite(run) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for violation in run.violations if run else []:
        if violation["collectivite_id"] is not None:
            found.setdefault(violation["collectivite_id"], []).append(violation)
    return found


def _problems(violations: list[dict]) -> set[tuple[str, str]]:
    """What a collectivité’s officers were told: the set of problems, whatever their order."""
    return {(violation["invariant"], violation["detail"]) for violation in violations}


def _tell_finance_officers(run, previous) -> None:
    before = _by_collectivite(previous)
    for collectivite_id, violations in _by_collectivite(run).items():
        if _problems(before.get(collectivite_id, [])) == _problems(violations):
            continue  # already told about exactly these
        collectivite = Collectivite.objects.get(pk=collectivite_id)
        officers = Membership.objects.filter(
            collectivite=collectivite, role=Role.FINANCE, user__is_active=True
        ).select_related("user")
        for membership in officers:
            with translation.override(membership.user.language):
                url = tenant_url(collectivite, reverse("donations:finance_gifts"))
            send_templated(
                to=membership.user.email,
                template="ledger/email/problems",
                language=membership.user.language,
                context={"collectivite": collectivite, "violations": violations, "run": run, "url": url},
            )


@shared_task(ignore_result=True)
def check_books() -> int:
    return run_checks().problems


def health_report() -> str:
    """For /healthz: how the last run went, without a figure of money."""
    last = CheckRun.objects.only("problems").first()
    if last is None:
        return "not checked yet"
    if last.problems == 0:
        return "ok"
    return "1 problem" if last.problems == 1 else f"{last.problems} problems"
