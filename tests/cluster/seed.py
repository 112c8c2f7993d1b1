"""What the cluster run serves: a collectivité on the sandbox provider (its default, as for every
new collectivité), one published campaign and a few dozen approved cafés — made through the same
forms and actions as the back office (and the benchmark) use."""

from datetime import timedelta

TENANT = "cluster"
CAMPAIGN = "cafe-solidaire"


def _campaign_data(now) -> dict:
    fmt = "%Y-%m-%dT%H:%M"
    return {
        "title": "Café Solidaire",
        "slug": CAMPAIGN,
        "kind": "businesses",
        "summary": "Cluster run",
        "description": "Gifts made by tests/cluster/run.py",
        "territory_scope": "all",
        "categories": ["bar", "cafe", "bar_tabac"],
        "starts_at": (now - timedelta(days=1)).strftime(fmt),
        "ends_at": (now + timedelta(days=30)).strftime(fmt),
        "registration_opens_at": (now - timedelta(days=10)).strftime(fmt),
        "registration_closes_at": (now + timedelta(days=20)).strftime(fmt),
        "min_gift_cents": "3",
        "max_gift_cents": "10",
        "suggested_gifts_cents": "5 ; 10",
        "matching_ratio_percent": 100,
        # A budget the run uses up partly: full, partial and no matches all happen.
        "matching_budget_cents": "1000",
        "beneficiary_cap_cents": "",
        "donor_limit_cents": "",
        "counterpart_policy": "optional",
    }


def seed(establishments: int) -> list[int]:
    """Creates the collectivité, its campaign and `establishments` approved cafés; returns the
    cafés' establishment ids (those donors give to)."""
    from django.utils import timezone

    from solidaire.accounts.actions import ensure_verified_user
    from solidaire.beneficiaries.models import Registration
    from solidaire.campaigns import actions as campaign_actions
    from solidaire.campaigns.forms import CampaignForm
    from solidaire.demo.cafes import seed_cafes
    from solidaire.payments.models import PaymentAccount
    from solidaire.tenants.actions import create_collectivite
    from solidaire.tenants.forms import CollectiviteCreationForm

    form = CollectiviteCreationForm(
        data={
            "slug": TENANT,
            "kind": "region",
            "name": "Région Grand Est",
            "siren": "200052264",
            "insee_code": "44",
            "main_colour": "#00597a",
            "admin_email": "admin@cluster.example",
        }
    )
    if not form.is_valid():
        raise RuntimeError(f"collectivité refused: {form.errors.as_text()}")
    collectivite = create_collectivite(form=form)
    account = PaymentAccount.objects.get(collectivite=collectivite)
    if account.provider != "sandbox":
        raise RuntimeError(f"the new collectivité pays with {account.provider}, not the sandbox")
    campaign_form = CampaignForm(collectivite=collectivite, data=_campaign_data(timezone.localtime()))
    if not campaign_form.is_valid():
        raise RuntimeError(f"campaign refused: {campaign_form.errors.as_text()}")
    campaign = campaign_actions.save_campaign(
        campaign=campaign_form.save(commit=False), territory=campaign_form.territory(), actor=None
    )
    campaign = campaign_actions.publish_campaign(campaign=campaign, actor=None)
    moderator, _created = ensure_verified_user(email="moderation@cluster.example")
    seed_cafes(collectivite, campaign, moderator, count=establishments)
    return list(
        Registration.objects.approved()
        .filter(campaign=campaign)
        .order_by("pk")
        .values_list("establishment_id", flat=True)
    )
