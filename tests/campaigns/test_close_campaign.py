"""Closing a published campaign (actions.close_campaign, POST …/cloturer/ once confirmed): published →
closed once; a draft is not closed; a closed campaign stays public and can no longer be edited.
The confirmation page and reopening: test_close_and_reopen.py."""

import pytest
from django.contrib.messages import get_messages

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.actions import close_campaign, publish_campaign, save_campaign
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from tests.factories import CampaignFactory

from .helpers import audit_actions, edit_data, edit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(personas):
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire")


def close_url(campaign):
    return f"/gestion/campagnes/{campaign.slug}/cloturer/"


CONFIRMED = {"confirmed": "True"}


def test_admin_closes_a_published_campaign(personas, client_for, published):
    response = client_for(personas.a, personas.a.admin).post(close_url(published), CONFIRMED)
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == "closed"
    assert published.closed_at is not None
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("campaign.closed", personas.a.admin, str(published.pk))


def test_closed_campaign_stays_on_the_public_site_marked_closed(personas, client_for, published):
    close_campaign(campaign=published, actor=personas.a.admin)
    response = client_for(personas.a).get("/campagnes/cafe-solidaire/")
    assert response.status_code == 200
    assert "phase-closed" in response.content.decode()


def test_closing_twice_is_refused_and_recorded_once(personas, client_for, published):
    admin = client_for(personas.a, personas.a.admin)
    admin.post(close_url(published), CONFIRMED)
    closed_at = Campaign.objects.get().closed_at
    response = admin.post(close_url(published), CONFIRMED)
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    assert Campaign.objects.get().closed_at == closed_at
    assert audit_actions(published) == ["campaign.closed"]


def test_draft_cannot_be_closed(personas):
    draft = CampaignFactory(collectivite=personas.a.tenant, status="draft", published_at=None)
    with pytest.raises(ActionError) as refused:
        close_campaign(campaign=draft, actor=personas.a.admin)
    assert refused.value.code == "not_published"
    assert Campaign.objects.get().status == "draft"
    assert not AuditEvent.objects.exists()


def test_closed_campaign_cannot_be_edited(personas, client_for, published):
    close_campaign(campaign=published, actor=personas.a.admin)
    admin = client_for(personas.a, personas.a.admin)
    assert admin.get(edit_url(published)).status_code == 302
    response = admin.post(edit_url(published), edit_data(published, title="Rouvert ?"))
    assert response.status_code == 302
    assert Campaign.objects.get().title != "Rouvert ?"


def test_a_campaign_lives_draft_published_closed_and_the_log_tells_it(personas):
    draft = CampaignFactory.build(collectivite=personas.a.tenant, status="draft", published_at=None)
    campaign = save_campaign(campaign=draft, territory=("all", [], []), actor=personas.a.admin)
    campaign.title = "Café Solidaire — deuxième vague"
    save_campaign(campaign=campaign, territory=("all", [], []), actor=personas.a.admin)
    publish_campaign(campaign=campaign, actor=personas.a.admin)
    close_campaign(campaign=campaign, actor=personas.a.admin)
    assert audit_actions(campaign) == ["campaign.created", "campaign.updated", "campaign.published", "campaign.closed"]
    assert Campaign.objects.get().status == "closed"


def test_close_is_only_a_post_and_only_once_confirmed(personas, client_for, published):
    admin = client_for(personas.a, personas.a.admin)
    assert admin.get(close_url(published)).status_code == 405
    assert admin.post(close_url(published)).status_code == 200  # asks to confirm
    assert Campaign.objects.get().status == "published"
