"""actions.save_campaign, the one write path for creating and changing a campaign (the back office,
the command line and the demo all call it): checks the rules and the territory, keeps web addresses
unique per collectivité, never overwrites the gift counters, and records what changed."""

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.actions import save_campaign
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune, Departement
from solidaire.matching.models import Pool
from tests.factories import CampaignFactory
from tests.gifts import approved_registration, give

from .helpers import row_counts

pytestmark = pytest.mark.django_db

WHOLE = ("all", [], [])


def new_campaign(tenant, **fields):
    return CampaignFactory.build(**{"collectivite": tenant, "status": "draft", "published_at": None, **fields})


def test_new_campaign_is_saved_as_a_draft_with_its_author_whatever_status_it_claims(personas):
    campaign = new_campaign(personas.a.tenant, status="published")
    save_campaign(campaign=campaign, territory=WHOLE, actor=personas.a.admin)
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    assert campaign.created_by == personas.a.admin
    assert [e.action for e in AuditEvent.objects.all()] == ["campaign.created"]


def test_web_address_taken_in_the_collectivite_is_refused_without_a_database_error(personas):
    CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire")
    before = row_counts()
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=new_campaign(personas.a.tenant, slug="cafe-solidaire"), territory=WHOLE, actor=None)
    assert refused.value.field == "slug"
    assert row_counts() == before


def test_same_web_address_in_another_collectivite_is_fine(personas):
    CampaignFactory(collectivite=personas.b.tenant, slug="cafe-solidaire")
    save_campaign(campaign=new_campaign(personas.a.tenant, slug="cafe-solidaire"), territory=WHOLE, actor=None)
    assert Campaign.objects.filter(slug="cafe-solidaire").count() == 2


def test_departement_outside_the_territory_is_refused_by_the_action_too(personas):
    moselle = Departement.objects.get(code="57")
    before = row_counts()
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=new_campaign(personas.a.tenant), territory=("departements", [moselle], []), actor=None)
    assert refused.value.field == "departements"
    assert row_counts() == before


def test_commune_outside_the_territory_is_refused_by_the_action_too(personas):
    metz = Commune.objects.get(insee_code="57463")
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=new_campaign(personas.a.tenant), territory=("communes", [metz], []), actor=None)
    assert refused.value.field == "communes"
    with pytest.raises(ActionError):
        save_campaign(campaign=new_campaign(personas.a.tenant), territory=("communes", [], [metz]), actor=None)
    assert not Campaign.objects.exists()


def test_broken_rule_is_refused_on_its_field_and_nothing_is_saved(personas):
    before = row_counts()
    with pytest.raises(ActionError) as refused:
        save_campaign(
            campaign=new_campaign(personas.a.tenant, min_gift_cents=1000, max_gift_cents=500, suggested_gifts_cents=[]),
            territory=WHOLE,
            actor=None,
        )
    assert refused.value.field == "max_gift_cents"
    assert row_counts() == before


def test_changes_are_recorded_field_by_field(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, title="Café Solidaire", matching_budget_cents=10_000_000)
    campaign.title = "Café Solidaire 2"
    campaign.matching_budget_cents = 12_000_000
    save_campaign(campaign=campaign, territory=WHOLE, actor=personas.a.admin)
    event = AuditEvent.objects.get()
    assert event.action == "campaign.updated"
    assert event.actor == personas.a.admin
    assert event.data == {
        "changes": {
            "title": {"from": "Café Solidaire", "to": "Café Solidaire 2"},
            "matching_budget_cents": {"from": 10_000_000, "to": 12_000_000},
        }
    }


def test_territory_change_is_recorded(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, status="draft")
    save_campaign(campaign=campaign, territory=("departements", [Departement.objects.get(code="67")], []), actor=None)
    change = AuditEvent.objects.get().data["changes"]
    assert change["territory_scope"] == {"from": "all", "to": "departements"}
    assert change["territory"]["to"] == ["departements", ["67"], []]


def test_saving_without_change_records_nothing(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant)
    save_campaign(campaign=campaign, territory=WHOLE, actor=personas.a.admin)
    assert not AuditEvent.objects.exists()


def test_saving_keeps_the_public_money_already_matched(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant)
    give(approved_registration(campaign), 500)
    campaign.title = "Nouveau titre"
    campaign.matching_budget_cents += 100_000
    save_campaign(campaign=campaign, territory=WHOLE, actor=None)
    pools = Pool.objects.filter(campaign=campaign)
    assert sum(p.capacity_cents for p in pools) == campaign.matching_budget_cents
    assert sum(p.used_cents for p in pools) == 500
    assert Campaign.objects.get(pk=campaign.pk).title == "Nouveau titre"


def test_web_address_cannot_change_once_published(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire")
    campaign.slug = "autre-adresse"
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=WHOLE, actor=None)
    assert refused.value.field == "slug"
    assert Campaign.objects.get().slug == "cafe-solidaire"


def test_web_address_of_a_draft_may_change(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", status="draft")
    campaign.slug = "cafe-solidaire-2025"
    save_campaign(campaign=campaign, territory=WHOLE, actor=None)
    assert Campaign.objects.get().slug == "cafe-solidaire-2025"


def test_status_cannot_be_changed_through_a_save(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, status="draft", published_at=None)
    campaign.status = "published"
    save_campaign(campaign=campaign, territory=WHOLE, actor=None)
    assert Campaign.objects.get().status == "draft"


def test_campaign_without_author_can_be_saved(personas):
    """The command line without --as, or a campaign whose author's account was deleted."""
    campaign = save_campaign(campaign=new_campaign(personas.a.tenant), territory=WHOLE, actor=None)
    assert campaign.created_by is None
    campaign.title = "Nouveau titre"
    save_campaign(campaign=campaign, territory=WHOLE, actor=None)
    assert AuditEvent.objects.filter(action="campaign.updated", actor_label="system").exists()
