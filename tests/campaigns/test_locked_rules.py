"""Once gifts exist (a donor has started one: the campaign has a Gift row), the rules donors and
beneficiaries rely on are locked — through actions.save_campaign and through the edit form, where
those fields are disabled. The public budget may only grow, the closing date may only move later,
and the title and text can still change."""

from datetime import timedelta

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.actions import save_campaign
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from solidaire.geo.models import Commune, Departement
from tests.factories import CampaignFactory
from tests.gifts import approved_registration, give

from .helpers import edit_data, edit_url, form_errors, row_counts, typed

pytestmark = pytest.mark.django_db

WHOLE = ("all", [], [])


@pytest.fixture
def campaign(personas):
    """Café Solidaire on the Bas-Rhin, with gifts already made."""
    campaign = CampaignFactory(
        collectivite=personas.a.tenant,
        slug="cafe-solidaire",
        territory_scope="departements",
        beneficiary_cap_cents=500_000,
        donor_limit_cents=5000,
        matching_budget_cents=10_000_000,
    )
    campaign.departements.set(["67"])
    give(approved_registration(campaign), 500)
    return Campaign.objects.get(pk=campaign.pk)


@pytest.fixture
def admin_a(personas, client_for):
    return client_for(personas.a, personas.a.admin)


BAS_RHIN = ("departements", ["67"], [])

LOCKED_CHANGES = {
    "min_gift_cents": 500,
    "max_gift_cents": 2000,
    "matching_ratio_percent": 50,
    "beneficiary_cap_cents": None,
    "donor_limit_cents": 10_000,
    "categories": ["bar", "cafe", "restaurant"],
    "counterpart_policy": "required",
    "kind": "associations",
}


def territory(scope, departements=(), communes=()):
    return (
        scope,
        list(Departement.objects.filter(code__in=departements)),
        list(Commune.objects.filter(insee_code__in=communes)),
    )


def snapshot(campaign):
    campaign = Campaign.objects.get(pk=campaign.pk)
    values = {field: getattr(campaign, field) for field in (*LOCKED_CHANGES, "starts_at", "ends_at")}
    values["territory"] = (
        campaign.territory_scope,
        sorted(campaign.departements.values_list("code", flat=True)),
        sorted(campaign.communes.values_list("insee_code", flat=True)),
    )
    values["budget"] = campaign.matching_budget_cents
    return values


# Through the action -------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", LOCKED_CHANGES.items(), ids=LOCKED_CHANGES.keys())
def test_locked_rule_cannot_change_through_the_action(campaign, field, value):
    before, rows = snapshot(campaign), row_counts()
    setattr(campaign, field, value)
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert (refused.value.field, refused.value.code) == (field, "locked")
    assert snapshot(campaign) == before
    assert row_counts() == rows


def test_gifts_opening_date_cannot_move_through_the_action(campaign):
    before = snapshot(campaign)
    campaign.starts_at -= timedelta(days=1)
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert refused.value.field == "starts_at"
    assert snapshot(campaign) == before


@pytest.mark.parametrize(
    "new_territory",
    [("all", [], []), ("departements", ["67", "68"], []), ("departements", ["68"], []), ("communes", [], ["67482"])],
    ids=["whole territory", "one more département", "another département", "one commune"],
)
def test_territory_cannot_change_through_the_action(campaign, new_territory):
    before = snapshot(campaign)
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=territory(*new_territory), actor=None)
    assert refused.value.field == "territory_scope"
    assert snapshot(campaign) == before


def test_budget_cannot_shrink_through_the_action(campaign):
    campaign.matching_budget_cents = 9_999_999
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert refused.value.field == "matching_budget_cents"
    assert Campaign.objects.get().matching_budget_cents == 10_000_000


def test_budget_may_grow_through_the_action(campaign):
    campaign.matching_budget_cents = 15_000_000
    save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert Campaign.objects.get().matching_budget_cents == 15_000_000


def test_closing_date_cannot_move_earlier_through_the_action(campaign):
    campaign.ends_at -= timedelta(days=1)
    with pytest.raises(ActionError) as refused:
        save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert refused.value.field == "ends_at"


def test_closing_date_may_move_later_through_the_action(campaign):
    later = campaign.ends_at + timedelta(days=14)
    campaign.ends_at = later
    save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    assert Campaign.objects.get().ends_at == later


def test_title_and_text_can_still_change_through_the_action(campaign):
    campaign.title = "Café Solidaire, prolongé"
    campaign.description = "Merci pour vos premiers dons !"
    save_campaign(campaign=campaign, territory=territory(*BAS_RHIN), actor=None)
    campaign = Campaign.objects.get()
    assert (campaign.title, campaign.description) == ("Café Solidaire, prolongé", "Merci pour vos premiers dons !")


def test_rules_are_free_to_change_before_the_first_gift(campaign):
    campaign = CampaignFactory(collectivite=campaign.collectivite, slug="sans-dons", territory_scope="departements")
    campaign.departements.set(["67"])
    campaign.min_gift_cents = 500
    campaign.matching_budget_cents = 5_000_000
    campaign.ends_at -= timedelta(days=1)
    campaign.registration_closes_at -= timedelta(days=1)
    save_campaign(campaign=campaign, territory=territory("all"), actor=None)
    campaign = Campaign.objects.get(slug="sans-dons")
    assert (campaign.min_gift_cents, campaign.matching_budget_cents, campaign.territory_scope) == (
        500,
        5_000_000,
        "all",
    )


# Through the edit form ----------------------------------------------------------------------------

FORM_LOCKED = {
    "min_gift_cents": "5",
    "max_gift_cents": "20",
    "matching_ratio_percent": "50",
    "beneficiary_cap_cents": "",
    "donor_limit_cents": "100",
    "categories": ["restaurant"],
    "counterpart_policy": "required",
    "kind": "associations",
    "territory_scope": "all",
    "departements": ["68"],
    "communes": "67482",
}


def test_locked_fields_are_disabled_in_the_form(admin_a, campaign):
    form = admin_a.get(edit_url(campaign)).context["form"]
    locked = {name for name, field in form.fields.items() if field.disabled}
    assert locked >= {*FORM_LOCKED, "starts_at"}
    assert not {"title", "summary", "description", "picture", "matching_budget_cents", "ends_at"} & locked


def test_form_with_gifts_submitted_unchanged_is_accepted(admin_a, campaign):
    response = admin_a.post(edit_url(campaign), edit_data(campaign))
    assert response.status_code == 302, form_errors(response)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("field, value", FORM_LOCKED.items(), ids=FORM_LOCKED.keys())
def test_locked_rule_posted_anyway_is_ignored_by_the_form(admin_a, campaign, field, value):
    before = snapshot(campaign)
    response = admin_a.post(edit_url(campaign), edit_data(campaign, **{field: value, "title": "Nouveau titre"}))
    assert response.status_code == 302, form_errors(response)
    assert snapshot(campaign) == before
    assert Campaign.objects.get().title == "Nouveau titre"


def test_gifts_opening_date_posted_anyway_is_ignored_by_the_form(admin_a, campaign):
    before = snapshot(campaign)
    admin_a.post(edit_url(campaign), edit_data(campaign, starts_at=typed(campaign.starts_at - timedelta(days=3))))
    assert snapshot(campaign) == before


def test_budget_cannot_shrink_through_the_form(admin_a, campaign):
    rows = row_counts()
    response = admin_a.post(edit_url(campaign), edit_data(campaign, matching_budget_cents="99 999"))
    assert response.status_code == 400
    assert "matching_budget_cents" in form_errors(response)
    assert Campaign.objects.get().matching_budget_cents == 10_000_000
    assert row_counts() == rows


def test_budget_may_grow_through_the_form(admin_a, campaign):
    response = admin_a.post(edit_url(campaign), edit_data(campaign, matching_budget_cents="150 000"))
    assert response.status_code == 302
    assert Campaign.objects.get().matching_budget_cents == 15_000_000
    assert AuditEvent.objects.get().data["changes"] == {"matching_budget_cents": {"from": 10_000_000, "to": 15_000_000}}


def test_closing_date_cannot_move_earlier_through_the_form(admin_a, campaign):
    earlier = campaign.ends_at - timedelta(days=1)
    response = admin_a.post(
        edit_url(campaign),
        edit_data(campaign, ends_at=typed(earlier), registration_closes_at=typed(earlier - timedelta(days=1))),
    )
    assert response.status_code == 400
    assert "ends_at" in form_errors(response)
    assert Campaign.objects.get().ends_at == campaign.ends_at


def test_closing_date_may_move_later_through_the_form(admin_a, campaign):
    later = campaign.ends_at + timedelta(days=7)
    response = admin_a.post(edit_url(campaign), edit_data(campaign, ends_at=typed(later)))
    assert response.status_code == 302
    assert Campaign.objects.get().ends_at == later


def test_title_and_text_can_still_change_through_the_form(admin_a, campaign):
    response = admin_a.post(
        edit_url(campaign), edit_data(campaign, title="Café Solidaire, prolongé", description="Merci !")
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.title, campaign.description) == ("Café Solidaire, prolongé", "Merci !")


def test_form_says_why_rules_are_locked(admin_a, campaign):
    page = admin_a.get(edit_url(campaign)).content.decode()
    assert 'class="notice"' in page
