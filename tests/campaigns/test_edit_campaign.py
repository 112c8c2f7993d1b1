"""Changing a campaign through POST /gestion/campagnes/<slug>/modifier/: the form shows the saved
values, changes are saved and logged, invalid input changes nothing, and the web address of a
published campaign stays put."""

import pytest

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.models import Campaign
from tests.factories import CampaignFactory

from .helpers import CREATE_URL, edit_data, edit_url, form_data, form_errors, picture, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas):
    return CampaignFactory(
        collectivite=personas.a.tenant,
        slug="cafe-solidaire",
        title="Café Solidaire",
        matching_budget_cents=10_000_000,
        beneficiary_cap_cents=150_050,
    )


@pytest.fixture
def admin_a(personas, client_for):
    return client_for(personas.a, personas.a.admin)


def test_form_shows_saved_amounts_in_euros(admin_a, campaign):
    page = admin_a.get(edit_url(campaign)).content.decode()
    assert 'name="matching_budget_cents" value="100000"' in page
    assert 'name="beneficiary_cap_cents" value="1500.50"' in page
    assert 'name="suggested_gifts_cents" value="5 ; 10"' in page


def test_submitting_the_form_unchanged_changes_nothing(admin_a, campaign):
    response = admin_a.post(edit_url(campaign), edit_data(campaign))
    assert response.status_code == 302
    assert not AuditEvent.objects.exists()


def test_admin_changes_text_and_rules_and_the_log_lists_the_changed_fields(personas, admin_a, campaign):
    response = admin_a.post(
        edit_url(campaign),
        edit_data(campaign, title="Café Solidaire — hiver", description="Nouveau texte.", max_gift_cents="20"),
    )
    assert response.status_code == 302
    assert response["Location"] == "/gestion/campagnes/cafe-solidaire/"
    campaign.refresh_from_db()
    assert (campaign.title, campaign.description, campaign.max_gift_cents) == (
        "Café Solidaire — hiver",
        "Nouveau texte.",
        2000,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("campaign.updated", personas.a.admin)
    assert set(event.data["changes"]) == {"title", "description", "max_gift_cents"}
    assert event.data["changes"]["max_gift_cents"] == {"from": 1000, "to": 2000}


def test_territory_can_change_before_gifts(admin_a, campaign):
    admin_a.post(edit_url(campaign), edit_data(campaign, territory_scope="communes", communes="67482"))
    campaign.refresh_from_db()
    assert campaign.territory_scope == "communes"
    assert list(campaign.communes.values_list("insee_code", flat=True)) == ["67482"]
    assert "territory" in AuditEvent.objects.get().data["changes"]


def test_picture_is_kept_when_no_new_one_is_sent(personas, admin_a):
    admin_a.post(CREATE_URL, form_data(picture=picture("PNG"), picture_alt="La terrasse"))
    campaign = Campaign.objects.get()
    stored = campaign.picture.name
    assert stored
    response = admin_a.post(edit_url(campaign), edit_data(campaign, title="Nouveau titre"))
    assert response.status_code == 302
    assert Campaign.objects.get().picture.name == stored
    assert set(AuditEvent.objects.get(action="campaign.updated").data["changes"]) == {"title"}


def test_invalid_change_is_shown_and_changes_nothing(admin_a, campaign):
    before = row_counts()
    response = admin_a.post(edit_url(campaign), edit_data(campaign, title="Autre titre", max_gift_cents="1"))
    assert response.status_code == 400
    assert "max_gift_cents" in form_errors(response)
    assert row_counts() == before
    assert Campaign.objects.get().title == "Café Solidaire"


def test_web_address_of_a_published_campaign_cannot_be_changed(admin_a, campaign):
    response = admin_a.post(edit_url(campaign), edit_data(campaign, slug="autre-adresse", title="Nouveau"))
    assert response.status_code == 302
    assert Campaign.objects.get().slug == "cafe-solidaire"
    assert Campaign.objects.get().title == "Nouveau"


def test_web_address_of_a_draft_can_be_changed(personas, admin_a):
    draft = CampaignFactory(collectivite=personas.a.tenant, slug="brouillon", status="draft", published_at=None)
    response = admin_a.post(edit_url(draft), edit_data(draft, slug="cafe-solidaire-2026"))
    assert response["Location"] == "/gestion/campagnes/cafe-solidaire-2026/"
    assert Campaign.objects.get().slug == "cafe-solidaire-2026"


def test_web_address_of_another_campaign_of_the_collectivite_is_refused(personas, admin_a):
    CampaignFactory(collectivite=personas.a.tenant, slug="pris")
    draft = CampaignFactory(collectivite=personas.a.tenant, slug="brouillon", status="draft", published_at=None)
    response = admin_a.post(edit_url(draft), edit_data(draft, slug="pris"))
    assert response.status_code == 400
    assert "slug" in form_errors(response)
    assert Campaign.objects.filter(slug="brouillon").exists()


def test_campaign_of_another_collectivite_cannot_be_edited_by_slug(personas, admin_a):
    theirs = CampaignFactory(collectivite=personas.b.tenant, slug="metz-solidaire", title="Metz Solidaire")
    response = admin_a.post(edit_url(theirs), edit_data(theirs, title="Piraté"))
    assert response.status_code == 404
    assert Campaign.objects.get(pk=theirs.pk).title == "Metz Solidaire"
