"""Notifications per collectivité: each collectivité has its own provider account (its own sandbox
secret, its own Stripe account), whose event ids may meet another's. An event is one per
(collectivité, provider, event id): a delivery rejected for one collectivité never prevents
another from applying the same id; each is stored in its own collectivité’s inbox."""

import pytest

from solidaire.demo.seed import DEMO_SANDBOX_SECRETS, TENANTS, _tenant
from solidaire.donations.models import Gift
from solidaire.payments.models import Notification, PaymentAccount

from ..factories import CampaignFactory
from ..gifts import approved_registration, start
from .helpers import notify, post_notification, sandbox_body, secret_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def metz_gift(personas):
    return start(approved_registration(CampaignFactory(collectivite=personas.b.tenant), commune="57463"), 500)


def statuses():
    return set(Notification.objects.values_list("collectivite__slug", "event_id", "status"))


def test_an_event_id_rejected_at_one_collectivite_is_applied_at_another(personas, gift, metz_gift):
    """Grand Est receives evt_same with an amount that is not the checkout's: rejected. Metz's
    own, genuine evt_same is applied all the same."""
    notify(personas.a, sandbox_body(gift, event_id="evt_same", amount_cents=9_999))
    notify(personas.b, sandbox_body(metz_gift, event_id="evt_same"))

    assert statuses() == {("grand-est", "evt_same", "rejected"), ("metz", "evt_same", "applied")}
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert Gift.objects.get(pk=metz_gift.pk).status == "confirmed"


def test_a_forged_delivery_at_one_collectivite_does_not_block_the_genuine_one_elsewhere(personas, gift, metz_gift):
    body = sandbox_body(metz_gift, event_id="evt_target")
    assert post_notification(personas.a.host, body, secret="whsec_guessed").status_code == 400
    assert notify(personas.b, body).status_code == 200
    assert Gift.objects.get(pk=metz_gift.pk).status == "confirmed"
    assert ("metz", "evt_target", "applied") in statuses()


def test_a_notification_signed_with_the_other_collectivites_secret_is_refused(personas, gift):
    body = sandbox_body(gift, event_id="evt_wrong_secret")
    response = post_notification(personas.a.host, body, secret=secret_of(personas.b.tenant))
    assert response.status_code == 400
    assert Gift.objects.get(pk=gift.pk).status == "pending"


def test_a_gift_of_another_collectivite_is_unknown_here_even_with_a_good_signature(personas, metz_gift):
    """Grand Est's inbox only finds Grand Est's gifts: Metz's checkout named there is "unknown"."""
    notify(personas.a, sandbox_body(metz_gift, event_id="evt_elsewhere"))
    notification = Notification.objects.get(event_id="evt_elsewhere")
    assert (notification.collectivite.slug, notification.status, notification.reason) == (
        "grand-est",
        "rejected",
        "unknown payment",
    )
    assert Gift.objects.get(pk=metz_gift.pk).status == "pending"


def test_each_collectivite_of_the_demo_has_its_own_sandbox_secret(db):
    for spec in TENANTS:
        _tenant(spec)
    secrets = dict(PaymentAccount.objects.values_list("collectivite__slug", "sandbox_secret"))
    assert secrets == DEMO_SANDBOX_SECRETS
    assert len(set(secrets.values())) == len(TENANTS)
