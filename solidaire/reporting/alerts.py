"""Alerts about a campaign’s public budget: its finance officers and administrators are e-mailed
when 80 % and 95 % of it are used and when the forecast says it runs out within 7 days — once
each per campaign (reporting.Alert's unique constraint), in each person's language, with a link
to the dashboard on the collectivité’s canonical address."""

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from solidaire.accounts.models import Membership
from solidaire.accounts.roles import Role
from solidaire.campaigns.models import Campaign
from solidaire.core.emails import send_templated
from solidaire.tenants.resolution import tenant_url

from . import figures
from .models import Alert, AlertKind

SOON_DAYS = 7
THRESHOLDS = ((95, AlertKind.USED_95), (80, AlertKind.USED_80))


def due(budget: figures.Budget, forecast, today: date) -> list[str]:
    """The kinds of alert the figures call for (sent or not)."""
    kinds = []
    if budget.budget_cents:
        for percent, kind in THRESHOLDS:
            if budget.used_cents * 100 >= budget.budget_cents * percent:
                kinds.append(kind)
    if forecast.within(today, SOON_DAYS):
        kinds.append(AlertKind.RUNS_OUT_SOON)
    return kinds


def recipients(collectivite):
    return (
        Membership.objects.filter(collectivite=collectivite, role__in=[Role.FINANCE, Role.ADMIN], user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def _send(alert: Alert, campaign, budget, forecast) -> int:
    people = list(recipients(campaign.collectivite))
    for membership in people:
        language = membership.user.language
        with translation.override(language):
            url = tenant_url(campaign.collectivite, reverse("reporting:dashboard", args=[campaign.slug]))
        send_templated(
            to=membership.user.email,
            template="reporting/email/alert",
            language=language,
            context={
                "collectivite": campaign.collectivite,
                "campaign": campaign,
                "kind": alert.kind,
                "budget": budget,
                "forecast": forecast,
                "url": url,
            },
        )
    return len(people)


def check_campaign(campaign, *, today: date | None = None) -> list[Alert]:
    """Sends the alerts the campaign’s figures call for and that were not sent yet."""
    today = today or timezone.localdate()
    budget = figures.budget_of(campaign.collectivite, campaign)
    forecast = figures.campaign_forecast(campaign, budget, today=today)
    sent = []
    already = set(Alert.objects.filter(campaign=campaign).values_list("kind", flat=True))
    for kind in due(budget, forecast, today):
        if kind in already:
            continue
        detail = {"used_percent": budget.used_percent, "forecast": forecast.date.isoformat() if forecast.date else None}
        try:
            with transaction.atomic():
                alert = Alert.objects.create(campaign=campaign, kind=kind, detail=detail)
                alert.recipients = _send(alert, campaign, budget, forecast)
                alert.save(update_fields=["recipients"])
        except IntegrityError:
            continue  # another worker sent it
        sent.append(alert)
    return sent


def check_all(*, today: date | None = None) -> int:
    """Every published campaign; returns how many alerts were sent."""
    count = 0
    for campaign in Campaign.objects.filter(status="published").select_related("collectivite"):
        count += len(check_campaign(campaign, today=today))
    return count
