"""The finance officer's log of provider notifications (/gestion/paiements/notifications/):
every notification, applied or rejected — with the reason — visible to finance officers and
admins of the collectivité only."""

import pytest

from solidaire.payments.models import Notification

from ..campaigns.helpers import text
from .helpers import notify, post_notification, sandbox_body

pytestmark = pytest.mark.django_db

URL = "/gestion/paiements/notifications/"


def test_finance_officer_sees_a_rejected_amount_and_why(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, amount_cents=1, event_id="evt_wrong_amount"))
    response = client_for(personas.a, personas.a.finance).get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "evt_wrong_amount" in page
    assert "amount 1 differs from 500" in page
    assert f"/gestion/dons/{gift.pk}/" in page


def test_forged_notifications_are_listed_too(personas, client_for, gift):
    post_notification(personas.a.host, sandbox_body(gift), secret="whsec_forged")
    page = text(client_for(personas.a, personas.a.admin).get(URL))
    assert "bad or stale signature" in page


def test_the_list_filters_by_status(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, currency="GBP", event_id="evt_rejected"))
    notify(personas.a, sandbox_body(gift, event_id="evt_applied"))
    client = client_for(personas.a, personas.a.finance)
    rejected = text(client.get(URL, {"status": "rejected"}))
    assert "evt_rejected" in rejected and "evt_applied" not in rejected
    applied = text(client.get(URL, {"status": "applied"}))
    assert "evt_applied" in applied and "evt_rejected" not in applied


def test_the_other_collectivites_notifications_are_not_shown(personas, client_for, gift):
    notify(personas.a, sandbox_body(gift, event_id="evt_grand_est"))
    assert Notification.objects.count() == 1
    page = text(client_for(personas.b, personas.b.finance).get(URL))
    assert "evt_grand_est" not in page


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_other_team_roles_are_refused(personas, client_for, role):
    assert client_for(personas.a, getattr(personas.a, role)).get(URL).status_code == 403


def test_finance_officer_of_another_collectivite_is_refused(personas, client_for):
    assert client_for(personas.a, personas.b.finance).get(URL).status_code == 403
