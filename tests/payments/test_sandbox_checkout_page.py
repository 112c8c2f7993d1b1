"""The sandbox's hosted payment page (GET/POST /sandbox/paiement/<checkout>/): it shows the
amount and four test outcomes; choosing one (a button, or a scripted form POST) sends the
donor back to the site and the signed notifications to the inbox, which moves the gift."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation
from solidaire.payments.models import PaymentAccount, SandboxCheckout, SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event

from ..campaigns.helpers import text
from ..gifts import start

pytestmark = pytest.mark.django_db


def page_url(gift) -> str:
    return f"/sandbox/paiement/{gift.checkout_id}/"


def choose(client, gift, outcome, capture, card="4242"):
    with capture(execute=True):
        return client.post(page_url(gift), {"outcome": outcome, "card": card})


def test_checkout_url_of_a_gift_is_the_sandbox_page_on_the_collectivites_host(gift):
    assert gift.checkout_url == f"http://grand-est.localhost{page_url(gift)}"


def test_page_shows_the_amount_the_establishment_and_the_four_outcomes(personas, client_for, gift):
    response = client_for(personas.a).get(page_url(gift))
    assert response.status_code == 200
    page = text(response)
    assert "Pay 5 €" in page or "Payer 5 €" in page
    assert "Café de la Gare — Café Solidaire" in page
    assert "dora@example.org" in page
    for outcome in ("success", "decline", "pending_success", "pending_failure"):
        assert f'name="outcome" value="{outcome}"' in page


def test_success_confirms_the_gift_and_sends_the_donor_back(
    personas, client_for, gift, django_capture_on_commit_callbacks
):
    response = choose(client_for(personas.a), gift, "success", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == f"http://grand-est.localhost/dons/{gift.pk}/?t={gift.token}"
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "paid"


def test_decline_fails_the_gift_and_releases_its_match(personas, client_for, gift, django_capture_on_commit_callbacks):
    response = choose(client_for(personas.a), gift, "decline", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("failed", 0)
    assert Allocation.objects.get(gift=gift).status == "released"
    assert not gift.entries.exists()


def deliver_one_by_one(client, gift, outcome):
    """Chooses `outcome` without delivering; returns the events to deliver in order."""
    client.post(page_url(gift), {"outcome": outcome})
    return list(SandboxEvent.objects.filter(checkout_id=gift.checkout_id).order_by("created_at", "pk"))


def test_pending_then_success_shows_processing_then_confirmed(personas, client_for, gift):
    pending, succeeded = deliver_one_by_one(client_for(personas.a), gift, "pending_success")
    # Settled at the provider when the payer acted; the notifications only tell it afterwards.
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "paid"
    deliver_sandbox_event(pending.pk)
    assert Gift.objects.get(pk=gift.pk).status == "processing"
    deliver_sandbox_event(succeeded.pk)
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "paid"


def test_pending_then_failure_shows_processing_then_failed(personas, client_for, gift):
    pending, failed = deliver_one_by_one(client_for(personas.a), gift, "pending_failure")
    deliver_sandbox_event(pending.pk)
    assert Gift.objects.get(pk=gift.pk).status == "processing"
    deliver_sandbox_event(failed.pk)
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("failed", 0)
    assert Allocation.objects.get(gift=gift).status == "released"
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "failed"


def test_scripted_post_without_the_page_works(personas, gift, django_capture_on_commit_callbacks):
    """A script (the demo, a browser test) may post the outcome without loading the page."""
    from django.test import Client

    client = Client(HTTP_HOST=personas.a.host)
    choose(client, gift, "success", django_capture_on_commit_callbacks)
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_same_test_card_gives_the_same_fingerprint(personas, client_for, cafe, django_capture_on_commit_callbacks):
    first, second = start(cafe, 500, email="a@example.org"), start(cafe, 500, email="b@example.org")
    client = client_for(personas.a)
    choose(client, first, "success", django_capture_on_commit_callbacks, card="4000 0000 0000 0002")
    choose(client, second, "success", django_capture_on_commit_callbacks, card="4000 0000 0000 0002")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.card_key and first.card_key == second.card_key


def test_a_closed_checkout_cannot_be_paid_again(personas, client_for, gift, django_capture_on_commit_callbacks):
    client = client_for(personas.a)
    choose(client, gift, "success", django_capture_on_commit_callbacks)
    again = choose(client, gift, "success", django_capture_on_commit_callbacks)
    assert again.status_code == 400
    with translation.override("fr"):
        assert gettext("This payment page is closed.") in text(again).replace("&#x27;", "'")
    assert SandboxEvent.objects.count() == 1
    assert gift.entries.filter(kind="gift.received").count() == 1


def test_a_checkout_past_its_expiry_cannot_be_paid(personas, client_for, gift, django_capture_on_commit_callbacks):
    SandboxCheckout.objects.filter(pk=gift.checkout_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = choose(client_for(personas.a), gift, "success", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert not SandboxEvent.objects.exists()
    assert Gift.objects.get(pk=gift.pk).status == "pending"


def test_an_unknown_outcome_is_refused(personas, client_for, gift, django_capture_on_commit_callbacks):
    response = choose(client_for(personas.a), gift, "free_money", django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "open"
    assert not SandboxEvent.objects.exists()


def test_closed_checkout_page_says_so(personas, client_for, gift, django_capture_on_commit_callbacks):
    client = client_for(personas.a)
    choose(client, gift, "decline", django_capture_on_commit_callbacks)
    page = text(client.get(page_url(gift)))
    assert 'name="outcome"' not in page


def test_checkout_of_another_collectivite_is_not_found(personas, client_for, gift):
    assert client_for(personas.b).get(page_url(gift)).status_code == 404
    assert client_for(personas.b).post(page_url(gift), {"outcome": "success"}).status_code == 404
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "open"


def test_unknown_checkout_is_not_found(personas, client_for):
    assert client_for(personas.a).get("/sandbox/paiement/cs_test_nothing/").status_code == 404


def test_sandbox_page_is_gone_once_the_collectivite_uses_stripe(personas, client_for, gift):
    PaymentAccount.objects.filter(collectivite=personas.a.tenant).update(provider="stripe")
    assert client_for(personas.a).get(page_url(gift)).status_code == 404
