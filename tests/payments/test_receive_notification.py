"""POST /paiements/notifications/sandbox/ on a collectivité’s host (payments.inbox.receive):
every notification is stored with its raw body and headers; a valid one is applied once,
whatever the replays; a forged, tampered or stale one is answered 400, stored as rejected, and
changes nothing — nor does one signed with another collectivité’s secret, nor one whose amount
or currency differs from the checkout."""

import time

import pytest
from django.core import mail
from django.test import Client

from solidaire.donations.models import Gift
from solidaire.ledger.models import Entry
from solidaire.matching.models import Allocation, Pool
from solidaire.payments import signature
from solidaire.payments.models import Notification

from ..factories import CampaignFactory
from ..gifts import approved_registration, start
from .helpers import SANDBOX_ENDPOINT, STRIPE_ENDPOINT, entry_kinds, notify, post_notification, sandbox_body, secret_of

pytestmark = pytest.mark.django_db


def assert_unchanged(gift):
    """The gift is still waiting for its payment, its match still only reserved."""
    fresh = Gift.objects.get(pk=gift.pk)
    assert (fresh.status, fresh.match_cents, fresh.confirmed_at) == ("pending", 0, None)
    assert fresh.match_promised_cents == 500
    assert Allocation.objects.get(gift=gift).status == "held"
    assert not Entry.objects.filter(gift=gift).exists()
    assert sum(p.used_cents for p in Pool.objects.filter(campaign=gift.campaign)) == 0


def test_valid_notification_confirms_the_gift_and_posts_its_match(personas, gift, django_capture_on_commit_callbacks):
    body = sandbox_body(gift, event_id="evt_valid")
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(personas.a, body)
    assert response.status_code == 200
    assert response.json() == {"status": "applied", "id": "evt_valid"}
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents, gift.fee_cents, gift.payment_id) == ("confirmed", 500, 32, "pay_test")
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert [m.to for m in mail.outbox] == [["dora@example.org"]]


def test_notification_is_stored_with_its_raw_body_and_signature_header(personas, gift):
    body = sandbox_body(gift, event_id="evt_stored")
    notify(personas.a, body)
    notification = Notification.objects.get()
    assert notification.body == body.decode()
    assert notification.headers["Solidaire-Signature"].startswith("t=")
    assert (notification.provider, notification.event_id, notification.event_type) == (
        "sandbox",
        "evt_stored",
        "payment.succeeded",
    )
    assert (notification.status, notification.signature_valid, notification.gift) == ("applied", True, gift)
    assert notification.collectivite == personas.a.tenant
    assert notification.processed_at is not None


def test_forged_notification_signed_with_a_wrong_secret_is_rejected(personas, gift):
    response = post_notification(personas.a.host, sandbox_body(gift), secret="whsec_guessed")
    assert response.status_code == 400
    notification = Notification.objects.get()
    assert (notification.status, notification.signature_valid, notification.event_id) == ("rejected", False, None)
    assert notification.reason == "bad or stale signature"
    assert_unchanged(gift)


def test_tampered_body_is_rejected(personas, gift):
    """Someone captured a genuine 5 € notification and raised its amount to 500 €."""
    body = sandbox_body(gift)
    genuine = signature.sign(body, secret_of(personas.a.tenant))
    tampered = body.replace(b'"amount_cents":500', b'"amount_cents":50000')
    assert tampered != body
    response = post_notification(personas.a.host, tampered, header=genuine)
    assert response.status_code == 400
    assert Notification.objects.get().status == "rejected"
    assert_unchanged(gift)


@pytest.mark.parametrize("seconds", [-301, 301, -3600])
def test_stale_or_future_timestamp_is_rejected(personas, gift, seconds):
    response = notify(personas.a, sandbox_body(gift), timestamp=int(time.time()) + seconds)
    assert response.status_code == 400
    assert Notification.objects.get().status == "rejected"
    assert_unchanged(gift)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=abc,v1=abc", "t=²,v1=abc", "t=1,v1=é"])
def test_missing_or_garbled_signature_header_is_rejected_not_a_server_error(personas, gift, header):
    response = post_notification(personas.a.host, sandbox_body(gift), header=header)
    assert response.status_code == 400
    assert Notification.objects.get().status == "rejected"
    assert_unchanged(gift)


def test_unreadable_body_with_a_valid_signature_is_rejected(personas, gift):
    response = notify(personas.a, b"not json")
    assert response.status_code == 400
    assert Notification.objects.get().reason == "unreadable body"
    assert_unchanged(gift)


def test_unknown_event_type_is_rejected(personas, gift):
    response = notify(personas.a, sandbox_body(gift, "payment.teleported"))
    assert response.status_code == 400
    assert Notification.objects.get().status == "rejected"
    assert_unchanged(gift)


@pytest.mark.parametrize("copies", [2, 5])
def test_replayed_notification_is_applied_once_and_its_deliveries_counted(
    personas, gift, copies, django_capture_on_commit_callbacks
):
    body = sandbox_body(gift, event_id="evt_replayed")
    with django_capture_on_commit_callbacks(execute=True):
        responses = [notify(personas.a, body) for _ in range(copies)]
    assert [r.status_code for r in responses] == [200] * copies
    notification = Notification.objects.get()
    assert (notification.status, notification.deliveries) == ("applied", copies)
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]
    assert len(mail.outbox) == 1
    assert sum(p.used_cents for p in Pool.objects.filter(campaign=gift.campaign)) == 500


def test_replay_of_the_exact_same_request_later_still_changes_nothing(personas, gift):
    """A captured request replayed byte for byte (same signature header) within the tolerance."""
    body = sandbox_body(gift, event_id="evt_captured")
    header = signature.sign(body, secret_of(personas.a.tenant))
    first = post_notification(personas.a.host, body, header=header)
    again = post_notification(personas.a.host, body, header=header)
    assert (first.status_code, again.status_code) == (200, 200)
    assert Notification.objects.get().deliveries == 2
    assert Entry.objects.filter(gift=gift, kind="gift.received").count() == 1


def test_notification_signed_with_the_other_collectivites_secret_is_rejected(personas, gift):
    """Metz's sandbox secret is not Grand Est's: Metz cannot confirm Grand Est's gifts."""
    response = post_notification(personas.a.host, sandbox_body(gift), secret=secret_of(personas.b.tenant))
    assert response.status_code == 400
    assert Notification.objects.get().collectivite == personas.a.tenant
    assert_unchanged(gift)


def test_valid_notification_about_a_gift_of_another_collectivite_changes_nothing(personas, gift):
    """Signed with Metz's own secret and posted to Metz's host, about a Grand Est checkout."""
    response = notify(personas.b, sandbox_body(gift))
    assert response.status_code == 200
    notification = Notification.objects.get()
    assert (notification.status, notification.reason, notification.gift) == ("rejected", "unknown payment", None)
    assert notification.collectivite == personas.b.tenant
    assert_unchanged(gift)


def test_the_same_event_id_at_two_collectivites_is_two_events(personas, gift):
    """Each collectivité has its own provider account (its own sandbox secret, its own Stripe
    account), whose event ids may meet another's: an event is one per (collectivité, provider)."""
    notify(personas.a, sandbox_body(gift, event_id="evt_shared"))
    other = start(approved_registration(CampaignFactory(collectivite=personas.b.tenant), commune="57463"), 500)
    response = notify(personas.b, sandbox_body(other, event_id="evt_shared"))
    assert response.status_code == 200
    assert set(Notification.objects.values_list("collectivite__slug", "status")) == {
        ("grand-est", "applied"),
        ("metz", "applied"),
    }
    other.refresh_from_db()
    assert other.status == "confirmed"


def test_amount_different_from_the_checkout_is_rejected_and_changes_nothing(personas, gift):
    response = notify(personas.a, sandbox_body(gift, amount_cents=300))
    assert response.status_code == 200  # acknowledged, so that the provider stops sending it
    notification = Notification.objects.get()
    assert (notification.status, notification.signature_valid, notification.gift) == ("rejected", True, gift)
    assert notification.reason == "amount 300 differs from 500"
    assert_unchanged(gift)
    assert not mail.outbox


def test_currency_different_from_the_checkout_is_rejected_and_changes_nothing(personas, gift):
    response = notify(personas.a, sandbox_body(gift, currency="USD"))
    assert response.status_code == 200
    notification = Notification.objects.get()
    assert (notification.status, notification.reason) == ("rejected", "currency USD differs from EUR")
    assert_unchanged(gift)


def test_notification_about_an_unknown_checkout_is_rejected(personas, gift):
    notify(personas.a, sandbox_body(gift, checkout_id="cs_test_nowhere", payment_id="pay_nowhere"))
    assert Notification.objects.get().reason == "unknown payment"
    assert_unchanged(gift)


def test_notification_for_a_provider_the_collectivite_does_not_use_is_refused(personas, gift):
    response = Client(HTTP_HOST=personas.a.host).post(
        STRIPE_ENDPOINT, data=sandbox_body(gift), content_type="application/json"
    )
    assert response.status_code == 404
    assert Notification.objects.filter(provider="stripe", status="rejected").count() == 1


def test_only_post_is_accepted(personas, client_for):
    assert client_for(personas.a).get(SANDBOX_ENDPOINT).status_code == 405


def test_endpoint_needs_no_csrf_token(personas, gift):
    body = sandbox_body(gift)
    response = Client(HTTP_HOST=personas.a.host, enforce_csrf_checks=True).post(
        SANDBOX_ENDPOINT,
        data=body,
        content_type="application/json",
        HTTP_SOLIDAIRE_SIGNATURE=signature.sign(body, secret_of(personas.a.tenant)),
    )
    assert response.status_code == 200
