"""Publishing a draft (actions.publish_campaign, POST …/publier/): a campaign goes draft → published
once, and only while its closing date is ahead and its territory holds communes."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.campaigns.actions import publish_campaign
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from tests.factories import CampaignFactory, CollectiviteFactory

from .helpers import audit_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(personas):
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire", status="draft", published_at=None)


def publish_url(campaign):
    return f"/gestion/campagnes/{campaign.slug}/publier/"


def test_admin_publishes_a_draft(personas, client_for, draft):
    response = client_for(personas.a, personas.a.admin).post(publish_url(draft))
    assert response.status_code == 302
    assert response["Location"] == "/gestion/campagnes/cafe-solidaire/"
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("campaign.published", personas.a.admin, str(draft.pk))


def test_published_campaign_appears_to_the_public(personas, client_for, draft):
    public = client_for(personas.a)
    assert public.get("/campagnes/cafe-solidaire/").status_code == 404
    publish_campaign(campaign=draft, actor=personas.a.admin)
    assert public.get("/campagnes/cafe-solidaire/").status_code == 200
    assert "cafe-solidaire" in public.get("/").content.decode()


def test_publishing_twice_is_refused_and_recorded_once(personas, client_for, draft):
    admin = client_for(personas.a, personas.a.admin)
    admin.post(publish_url(draft))
    published_at = Campaign.objects.get().published_at
    response = admin.post(publish_url(draft))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)][-1] == "error"
    assert Campaign.objects.get().published_at == published_at
    assert audit_actions(draft) == ["campaign.published"]


def test_published_campaign_cannot_be_published_again(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant)
    with pytest.raises(ActionError) as refused:
        publish_campaign(campaign=campaign, actor=personas.a.admin)
    assert refused.value.code == "not_draft"
    assert not AuditEvent.objects.exists()


def test_closed_campaign_cannot_be_published_again(personas):
    campaign = CampaignFactory(collectivite=personas.a.tenant, status="closed", closed_at=timezone.now())
    with pytest.raises(ActionError):
        publish_campaign(campaign=campaign, actor=personas.a.admin)
    assert Campaign.objects.get().status == "closed"
    assert not AuditEvent.objects.exists()


def test_draft_whose_closing_date_has_passed_is_not_published(personas, draft):
    now = timezone.now()
    Campaign.objects.filter(pk=draft.pk).update(
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(minutes=1),
        registration_opens_at=now - timedelta(days=40),
        registration_closes_at=now - timedelta(days=10),
    )
    with pytest.raises(ActionError) as refused:
        publish_campaign(campaign=draft, actor=personas.a.admin)
    assert refused.value.field == "ends_at"
    assert Campaign.objects.get().status == "draft"


def test_draft_whose_territory_holds_no_commune_is_not_published(personas):
    empty = CollectiviteFactory(departements=[])
    draft = CampaignFactory(collectivite=empty, status="draft", published_at=None)
    with pytest.raises(ActionError) as refused:
        publish_campaign(campaign=draft, actor=None)
    assert refused.value.field == "territory_scope"
    assert Campaign.objects.get().status == "draft"


def test_draft_breaking_a_rule_is_not_published(personas, draft):
    Campaign.objects.filter(pk=draft.pk).update(categories=[])
    with pytest.raises(ActionError) as refused:
        publish_campaign(campaign=draft, actor=None)
    assert refused.value.field == "categories"
    assert Campaign.objects.get().status == "draft"


def test_publish_is_only_a_post(personas, client_for, draft):
    response = client_for(personas.a, personas.a.admin).get(publish_url(draft))
    assert response.status_code == 405
    assert Campaign.objects.get().status == "draft"


def test_moderator_cannot_publish(personas, client_for, draft):
    response = client_for(personas.a, personas.a.moderator).post(publish_url(draft))
    assert response.status_code == 403
    assert Campaign.objects.get().status == "draft"
