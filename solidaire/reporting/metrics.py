"""What reporting adds to the operators' Prometheus metrics (core.metrics, docs/adr/0027): each
running campaign's public budget, measured at each scrape from the same counters as the
dashboards (figures.running_budgets, one query). Confirmations are counted by their write path
(donations.actions)."""

from prometheus_client.core import GaugeMetricFamily

from .figures import running_budgets

LABELS = ["collectivite", "campaign"]


class CampaignBudgets:
    """solidaire_campaign_budget_cents, _used_cents (the match committed: confirmed gifts) and
    _reserved_cents (held for checkouts under way), per published campaign."""

    def collect(self):
        families = {
            "budget": GaugeMetricFamily(
                "solidaire_campaign_budget_cents", "Public budget of a running campaign.", labels=LABELS
            ),
            "used": GaugeMetricFamily(
                "solidaire_campaign_used_cents", "Public money committed to confirmed gifts.", labels=LABELS
            ),
            "reserved": GaugeMetricFamily(
                "solidaire_campaign_reserved_cents", "Public money held for gifts being paid.", labels=LABELS
            ),
        }
        for collectivite, campaign, budget in running_budgets():
            families["budget"].add_metric([collectivite, campaign], budget.budget_cents)
            families["used"].add_metric([collectivite, campaign], budget.used_cents)
            families["reserved"].add_metric([collectivite, campaign], budget.reserved_cents)
        yield from families.values()

