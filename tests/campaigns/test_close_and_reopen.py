"""Closing a campaign asks first and says what closing does; an admin may reopen a closed campaign
until its closing date, and the audit log tells it. The moves follow one table
(solidaire/campaigns/states.py), through one write path (campaigns.actions)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from solidaire.audit.events import ACTION_LABELS
from solidaire.audit.models import AuditEvent
from solidaire.campaigns import states
from solidaire.campaigns.actions import close_campaign, publish_campaign, reopen_campaign
from solidaire.campaigns.models import Campaign
from solidaire.core.errors import ActionError
from tests.factories import CampaignFactory
from tests.gifts import approved_registration, pay, start

from .helpers import audit_actions, text

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "True"}


@pytest.fixture
def published(personas):
    return CampaignFactory(collectivite=personas.a.tenant, slug="cafe-solidaire")


@pytest.fixture
def closed(published, personas):
    return close_campaign(campaign=published, actor=personas.a.admin)


def url(campaign, what, language=""):
    return f"{language}/gestion/campagnes/{campaign.slug}/{what}/"


def last_message(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)][-1]


# Closing asks first --------------------------------------------------------------------------------


def test_the_campaign_pages_button_asks_for_confirmation_instead_of_closing(personas, client_for, published):
    admin = client_for(personas.a, personas.a.admin)
    page = admin.get(f"/gestion/campagnes/{published.slug}/").content.decode()
    button = page[page.index(f'action="{url(published, "cloturer")}"') :]
    assert 'name="confirmed"' not in button[: button.index("</form>")]  # the button only asks
    response = admin.post(url(published, "cloturer"))
    assert response.status_code == 200
    assert 'name="confirmed"' in response.content.decode()
    assert Campaign.objects.get().status == "published"


def test_the_confirmation_says_what_closing_does(personas, client_for, published):
    response = client_for(personas.a, personas.a.admin).post(url(published, "cloturer", "/en"))
    assert response.status_code == 200
    page = text(response)
    assert "No one can start a gift any more" in page
    assert "reservations not paid by then are released" in page
    assert "the vouchers given to donors stay valid" in page
    assert "an administrator can reopen it" in page
    assert Campaign.objects.get().status == "published"


def test_the_confirmation_is_in_french_by_default(personas, client_for, published):
    page = text(client_for(personas.a, personas.a.admin).post(url(published, "cloturer")))
    assert "Clôturer « " in page
    assert "les bons d’achat remis aux donateurs restent valables" in page


def test_a_post_without_the_confirmation_closes_nothing(personas, client_for, published):
    response = client_for(personas.a, personas.a.admin).post(url(published, "cloturer"))
    assert response.status_code == 200
    assert Campaign.objects.get().status == "published"
    assert not AuditEvent.objects.exists()


def test_the_confirmed_close_closes_and_says_so(personas, client_for, published):
    response = client_for(personas.a, personas.a.admin).post(url(published, "cloturer"), CONFIRMED)
    assert response.status_code == 302
    assert last_message(response)[0] == "success"
    assert Campaign.objects.get().status == "closed"


def test_a_draft_gets_no_close_confirmation(personas, client_for):
    draft = CampaignFactory(collectivite=personas.a.tenant, status="draft", published_at=None)
    response = client_for(personas.a, personas.a.admin).post(url(draft, "cloturer"))
    assert response.status_code == 302
    assert last_message(response)[0] == "error"


# What the confirmation promises is what closing does ------------------------------------------------


def test_a_donor_paying_when_the_campaign_closes_keeps_the_promised_match(personas, published):
    gift = start(approved_registration(published), 500)
    assert gift.match_promised_cents == 500
    close_campaign(campaign=published, actor=personas.a.admin)
    assert pay(gift).match_cents == 500


def test_a_reservation_not_paid_in_time_after_closing_is_released_and_not_matched(personas, published):
    from solidaire.matching.engine import expire_holds
    from solidaire.matching.models import Allocation

    gift = start(approved_registration(published), 500)
    close_campaign(campaign=published, actor=personas.a.admin)
    assert expire_holds(now=timezone.now() + timedelta(hours=1)) == 1
    assert Allocation.objects.get(gift=gift).status == "released"
    assert pay(gift).match_cents == 0


def test_vouchers_stay_valid_after_closing(personas, published):
    from tests.vouchers.helpers import approved_offer, voucher_for

    cafe = approved_registration(published)
    approved_offer(cafe)
    voucher = voucher_for(cafe, 1000)
    close_campaign(campaign=published, actor=personas.a.admin)
    voucher.refresh_from_db()
    assert voucher.status == "active"


# Reopening ---------------------------------------------------------------------------------------


def test_admin_reopens_a_closed_campaign_before_its_closing_date(personas, client_for, closed):
    response = client_for(personas.a, personas.a.admin).post(url(closed, "rouvrir"), CONFIRMED)
    assert response.status_code == 302
    assert last_message(response)[0] == "success"
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.closed_at, campaign.phase()) == ("published", None, "open")
    assert audit_actions(campaign) == ["campaign.closed", "campaign.reopened"]
    assert AuditEvent.objects.get(action="campaign.reopened").actor == personas.a.admin


def test_a_reopened_campaign_takes_gifts_again(personas, closed):
    cafe = approved_registration(closed)
    reopen_campaign(campaign=closed, actor=personas.a.admin)
    assert pay(start(cafe, 500)).match_cents == 500


def test_the_reopen_page_says_what_reopening_does(personas, client_for, closed):
    response = client_for(personas.a, personas.a.admin).post(url(closed, "rouvrir", "/en"))
    assert response.status_code == 200
    page = text(response)
    assert "Residents can give again until the closing date" in page
    assert "recorded in the audit log" in page
    assert Campaign.objects.get().status == "closed"


def test_a_closed_campaign_page_offers_reopening_until_its_closing_date(personas, client_for, closed):
    admin = client_for(personas.a, personas.a.admin)
    assert f'action="{url(closed, "rouvrir")}"' in admin.get(f"/gestion/campagnes/{closed.slug}/").content.decode()
    Campaign.objects.filter(pk=closed.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert f'action="{url(closed, "rouvrir")}"' not in admin.get(f"/gestion/campagnes/{closed.slug}/").content.decode()
    response = admin.post(url(closed, "rouvrir"))
    assert last_message(response)[0] == "error"


def test_reopening_after_the_closing_date_is_refused(personas, client_for, closed):
    Campaign.objects.filter(pk=closed.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError) as refused:
        reopen_campaign(campaign=closed, actor=personas.a.admin)
    assert refused.value.code == "ended"
    response = client_for(personas.a, personas.a.admin).post(url(closed, "rouvrir"), CONFIRMED)
    assert last_message(response)[0] == "error"
    assert Campaign.objects.get().status == "closed"
    assert audit_actions(closed) == ["campaign.closed"]


def test_only_a_closed_campaign_can_be_reopened(personas, published):
    with pytest.raises(ActionError) as refused:
        reopen_campaign(campaign=published, actor=personas.a.admin)
    assert refused.value.code == "not_closed"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("person", ["moderator", "finance", "viewer"])
def test_only_an_admin_reopens(personas, client_for, closed, person):
    response = client_for(personas.a, getattr(personas.a, person)).post(url(closed, "rouvrir"), CONFIRMED)
    assert response.status_code == 403
    assert Campaign.objects.get().status == "closed"


def test_the_audit_log_names_the_reopening(personas, client_for, closed):
    reopen_campaign(campaign=closed, actor=personas.a.admin)
    assert "campaign.reopened" in ACTION_LABELS
    page = text(client_for(personas.a, personas.a.admin).get("/en/gestion/journal/"))
    assert "Campaign reopened" in page


# One table ---------------------------------------------------------------------------------------

MOVES = {states.PUBLISH: publish_campaign, states.CLOSE: close_campaign, states.REOPEN: reopen_campaign}


@pytest.mark.parametrize("status", ["draft", "published", "closed"])
@pytest.mark.parametrize("action", sorted(MOVES))
def test_the_write_path_follows_the_state_table(personas, status, action):
    campaign = CampaignFactory(collectivite=personas.a.tenant, status=status)
    expected = states.target(status, action)
    if expected is None:
        with pytest.raises(ActionError):
            MOVES[action](campaign=campaign, actor=personas.a.admin)
        assert Campaign.objects.get().status == status
        assert not AuditEvent.objects.exists()
    else:
        MOVES[action](campaign=campaign, actor=personas.a.admin)
        assert Campaign.objects.get().status == expected
        assert audit_actions(campaign) == [states.EVENTS[action]]
