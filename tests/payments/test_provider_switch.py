"""A collectivité switches payment providers on its settings page while gifts are in flight.

Leaving the sandbox for Stripe, leftover sandbox checkouts can no longer be paid (their hosted
page is gone) and the sandbox's notifications are refused: no gift — and no public money — is
confirmed without money. Stripe moves real money, so after going back to the sandbox its signed
notifications (late confirmations, refunds) are still heard, as long as its keys are configured;
and a refund always goes through the provider the gift was paid with.

Also the sandbox's own edges: a refunded payment cannot be charged back, a charged-back gift's
page says so (not "refunded"), and the cancel address tells the donor the payment was not
completed."""

import html
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone, translation
from django.utils.translation import gettext

from solidaire.core.money import format_cents
from solidaire.donations import refunds
from solidaire.donations.models import Gift
from solidaire.donations.reconciliation import reconcile
from solidaire.payments.models import Notification, PaymentAccount, SandboxCheckout, SandboxEvent
from solidaire.payments.providers import ProviderError, provider_for
from solidaire.payments.providers.sandbox import SandboxProvider
from solidaire.payments.providers.stripe import StripeProvider
from solidaire.payments.tasks import deliver_sandbox_event

from ..campaigns.helpers import text
from ..donations.helpers import chargeback, entry_kinds, pools, refund
from ..gifts import give
from .helpers import STRIPE_ENDPOINT, notify, sandbox_body
from .stripe_fakes import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, charge, event, signed

pytestmark = pytest.mark.django_db

SETTINGS = "/gestion/paiements/"


def switch(client_for, side, provider: str):
    """The admin chooses the provider on the settings page (Stripe's keys are given the first
    time; left empty afterwards, the stored ones are kept)."""
    keys = {"stripe_secret_key": SECRET_KEY, "stripe_webhook_secret": WEBHOOK_SECRET}
    response = client_for(side, side.admin).post(SETTINGS, {"provider": provider, **keys})
    assert response.status_code == 302, text(response)
    assert PaymentAccount.objects.get(collectivite=side.tenant).provider == provider


def fr(message: str, **values) -> str:
    """What the French page says (the English text while the string is not translated yet)."""
    with translation.override("fr"):
        said = gettext(message) % {k: format_cents(v) for k, v in values.items()}
    return said.replace("\u202f", " ").replace("\u00a0", " ")


def shown(response) -> str:
    """The page as read: entities decoded, French non-breaking spaces as plain spaces."""
    return html.unescape(text(response))


@pytest.fixture
def fake_stripe(monkeypatch):
    """Every StripeProvider the product makes talks to a fake Stripe (see stripe_fakes)."""
    fake = FakeStripe()
    original = StripeProvider.__init__

    def init(self, account, http_client=None):
        original(self, account, http_client=http_client or fake)

    monkeypatch.setattr(StripeProvider, "__init__", init)
    return fake


def post_webhook(side, payload: str):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed(payload).items()}
    return Client(HTTP_HOST=side.host).post(STRIPE_ENDPOINT, data=payload, content_type="application/json", **extra)


def give_with_the_form(client_for, side, cafe) -> Gift:
    response = client_for(side).post(
        f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "500", "email": "dora@example.org"},
    )
    assert response.status_code == 302
    return Gift.objects.latest("created_at")


def paid_on_stripe(side, gift, fake_stripe) -> Gift:
    session = fake_stripe.sessions[gift.checkout_id]
    session.update(status="complete", payment_status="paid", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_webhook(side, event("checkout.session.completed", session, f"evt_paid_{gift.pk.hex[:8]}"))
    assert response.status_code == 200
    gift.refresh_from_db()
    return gift


# From the sandbox to Stripe ------------------------------------------------------------------------


def test_a_leftover_sandbox_checkout_cannot_be_paid_once_stripe_is_chosen(personas, client_for, gift):
    switch(client_for, personas.a, "stripe")
    page = f"/sandbox/paiement/{gift.checkout_id}/"
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client_for(personas.a).get(page).status_code == 404
        assert client_for(personas.a).post(page, {"outcome": "success"}).status_code == 404
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).status == "open"
    assert not SandboxEvent.objects.exists()
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert pools(gift.campaign)[0] == 0


def test_sandbox_notifications_are_refused_once_stripe_is_chosen(personas, client_for, gift):
    """Paid on the sandbox's page just before the switch, notified just after: refused, and the
    sandbox keeps trying (the answer is not a 2xx)."""
    checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the notification is not sent yet
        (succeeded,) = provider_for(personas.a.tenant).pay(checkout.pk, "success")
    switch(client_for, personas.a, "stripe")

    deliver_sandbox_event(succeeded.pk)
    succeeded.refresh_from_db()
    assert (succeeded.delivered_at, succeeded.last_status) == (None, "404")
    # A notification signed with the sandbox's own secret is refused the same way.
    assert notify(personas.a, sandbox_body(gift, event_id="evt_forged_after_switch")).status_code == 404

    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("pending", 0)
    assert entry_kinds(gift) == []
    assert pools(gift.campaign)[0] == 0  # no public money used
    assert not mail.outbox
    refused = Notification.objects.filter(provider="sandbox")
    assert {(n.status, n.reason) for n in refused} == {("rejected", "provider not configured for this collectivité")}
    assert refused.count() == 2


def test_reconciliation_does_not_ask_the_sandbox_once_stripe_is_chosen(personas, client_for, gift):
    """The sandbox's page says "paid", but no money moved: the gift is not confirmed; it can
    never be paid now, so it ends as expired and its reserved public money is released."""
    checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
    with TestCase.captureOnCommitCallbacks(execute=False):
        provider_for(personas.a.tenant).pay(checkout.pk, "success")
    switch(client_for, personas.a, "stripe")

    later = timezone.now() + timedelta(hours=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = reconcile(now=later)
        again = reconcile(now=later)
    assert (counts["checked"], counts["applied"], counts["errors"]) == (1, 1, 0)
    assert again["checked"] == 0
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("expired", 0)
    assert entry_kinds(gift) == []
    assert pools(gift.campaign) == (0, 0)
    assert not mail.outbox
    page = shown(client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}"))
    assert fr("The payment did not go through. No money was taken.") in page
    assert gift.checkout_url not in page


def test_a_sandbox_gift_is_not_refunded_through_stripe(personas, client_for, cafe, fake_stripe):
    gift = give(cafe, 500)
    switch(client_for, personas.a, "stripe")
    response = client_for(personas.a, personas.a.finance).post(
        f"/gestion/dons/{gift.pk}/", {"amount": "5", "reason": "Doublon", "confirmed": "True"}
    )
    assert response.status_code == 400
    assert "the sandbox is not this collectivité’s provider any more" in shown(response)
    assert fake_stripe.requests == []
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert SandboxCheckout.objects.get(pk=gift.checkout_id).refunded_cents == 0


# From Stripe back to the sandbox -------------------------------------------------------------------


def test_stripe_still_confirms_and_refunds_after_going_back_to_the_sandbox(personas, client_for, cafe, fake_stripe):
    switch(client_for, personas.a, "stripe")
    gift = give_with_the_form(client_for, personas.a, cafe)
    assert (gift.provider, gift.match_promised_cents) == ("stripe", 500)
    switch(client_for, personas.a, "sandbox")

    # A late confirmation: real money was taken, the gift and its match are confirmed.
    gift = paid_on_stripe(personas.a, gift, fake_stripe)
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    # Stripe's fee is read after the confirmation, by a task.
    assert entry_kinds(gift) == ["gift.received", "match.posted", "gift.fee"]
    assert [m.to for m in mail.outbox] == [["dora@example.org"]]

    # The refund is asked of Stripe, not of the sandbox, and applied when Stripe says so.
    response = client_for(personas.a, personas.a.finance).post(
        f"/gestion/dons/{gift.pk}/", {"amount": "5", "reason": "Doublon", "confirmed": "True"}
    )
    assert response.status_code == 302
    refund_request = fake_stripe.requests[-1]
    assert (refund_request["path"], refund_request["form"]["payment_intent"]) == (
        "/v1/refunds",
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    )
    assert not SandboxCheckout.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert post_webhook(personas.a, event("charge.refunded", charge(), "evt_refunded")).status_code == 200
    gift.refresh_from_db()
    assert gift.status == "refunded"
    assert entry_kinds(gift) == ["gift.received", "match.posted", "gift.fee", "gift.refunded", "match.reversed"]
    assert pools(cafe.campaign) == (0, 0)


def test_new_gifts_go_to_the_sandbox_again(personas, client_for, cafe, fake_stripe):
    switch(client_for, personas.a, "stripe")
    switch(client_for, personas.a, "sandbox")
    gift = give_with_the_form(client_for, personas.a, cafe)
    assert gift.provider == "sandbox"
    assert gift.checkout_url == f"http://grand-est.localhost/sandbox/paiement/{gift.checkout_id}/"
    assert fake_stripe.requests == []


def test_without_stripe_keys_stripe_notifications_are_not_heard(personas, client_for, cafe, fake_stripe):
    """Stripe's webhook secret is what makes its notifications trustworthy: without it, none
    is applied — and nothing moves."""
    switch(client_for, personas.a, "stripe")
    gift = give_with_the_form(client_for, personas.a, cafe)
    PaymentAccount.objects.filter(collectivite=personas.a.tenant).update(provider="sandbox", stripe_webhook_secret="")
    session = fake_stripe.sessions[gift.checkout_id]
    session.update(status="complete", payment_status="paid", payment_intent="pi_3MtwBwLkdIwHu7ix28a3tqPa")
    response = post_webhook(personas.a, event("checkout.session.completed", session, "evt_unheard"))
    assert response.status_code == 404
    assert Gift.objects.get(pk=gift.pk).status == "pending"
    assert Notification.objects.get().status == "rejected"


@pytest.mark.parametrize(
    ("current", "keys", "expected"),
    [
        ("sandbox", False, {None: SandboxProvider, "sandbox": SandboxProvider, "stripe": ProviderError}),
        ("stripe", True, {None: StripeProvider, "sandbox": ProviderError, "stripe": StripeProvider}),
        ("sandbox", True, {None: SandboxProvider, "sandbox": SandboxProvider, "stripe": StripeProvider}),
    ],
    ids=["sandbox only", "stripe now", "back to the sandbox"],
)
def test_provider_for_a_gift_is_the_one_it_was_paid_with(personas, current, keys, expected):
    account, _ = PaymentAccount.objects.get_or_create(collectivite=personas.a.tenant)
    account.provider = current
    if keys:
        account.stripe_secret_key, account.stripe_webhook_secret = SECRET_KEY, WEBHOOK_SECRET
    account.save()
    for name, answer in expected.items():
        if answer is ProviderError:
            with pytest.raises(ProviderError):
                provider_for(personas.a.tenant, name)
        else:
            assert isinstance(provider_for(personas.a.tenant, name), answer), name


# The sandbox's own edges ----------------------------------------------------------------------------


def dispute(client, gift):
    """The card holder’s bank opens a dispute on the sandbox's hosted page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/sandbox/paiement/{gift.checkout_id}/", {"outcome": "dispute"})


def test_a_refunded_sandbox_payment_cannot_be_disputed(personas, client_for, cafe):
    gift = refund(give(cafe, 500))
    assert gift.status == "refunded"
    mail.outbox.clear()

    response = dispute(client_for(personas.a), gift)
    assert response.status_code == 400
    with pytest.raises(ProviderError):
        provider_for(personas.a.tenant).open_dispute(gift.checkout_id)
    assert not SandboxEvent.objects.filter(type="dispute.opened").exists()
    assert "dispute.opened" not in entry_kinds(gift)
    assert Gift.objects.get(pk=gift.pk).status == "refunded"
    assert not mail.outbox


def test_a_payment_with_a_refund_on_its_way_can_be_disputed_for_what_is_left(personas, cafe):
    """The sandbox has made the refund but its notification has not arrived: the bank can only
    dispute what was not refunded (nothing here)."""
    gift = give(cafe, 500)
    with TestCase.captureOnCommitCallbacks(execute=False):  # the sandbox has not answered yet
        refunds.request_refund(gift=gift, actor=personas.a.finance, reason="Doublon")
    with pytest.raises(ProviderError):
        provider_for(personas.a.tenant).open_dispute(gift.checkout_id)
    assert Gift.objects.get(pk=gift.pk).status == "refund_requested"


def test_a_chargeback_notification_for_a_refunded_gift_changes_nothing(personas, cafe):
    """Even signed by the sandbox (as a replay, or in a race with the refund)."""
    gift = refund(give(cafe, 500))
    kinds = entry_kinds(gift)
    response = notify(
        personas.a, sandbox_body(gift, "dispute.opened", dispute_id="dp_late", disputed_cents=500, fee_cents=0)
    )
    assert response.status_code == 200
    assert json.loads(response.content)["status"] == "ignored"
    assert Gift.objects.get(pk=gift.pk).status == "refunded"
    assert entry_kinds(gift) == kinds


def test_a_charged_back_gifts_page_says_it_was_disputed_not_refunded(personas, client_for, cafe):
    gift = chargeback(give(cafe, 500))
    assert gift.status == "charged_back"
    page = shown(client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}"))
    assert fr("This gift of %(amount)s was disputed with the card’s bank and reversed.", amount=500) in page
    assert fr("This gift of %(amount)s was refunded.", amount=500) not in page
    assert fr("Thank you!") not in page


def test_the_sandboxs_cancel_address_says_the_payment_was_not_completed(personas, client_for, cafe):
    gift = give_with_the_form(client_for, personas.a, cafe)
    checkout = SandboxCheckout.objects.get(pk=gift.checkout_id)
    page = f"http://grand-est.localhost/dons/{gift.pk}/?t={gift.token}"
    assert (checkout.success_url, checkout.cancel_url) == (page + "&returned=1", page + "&cancelled=1")

    donor = client_for(personas.a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = donor.post(f"/sandbox/paiement/{checkout.pk}/", {"outcome": "decline"})
    assert response["Location"] == checkout.cancel_url
    page = shown(donor.get(checkout.cancel_url))
    assert fr("The payment was not completed.") in page
    assert fr("The payment did not go through. No money was taken.") in page


def test_coming_back_without_paying_the_gift_can_still_be_paid(personas, client_for, cafe):
    """Back from the provider’s page without paying: said so, and the payment link is still there."""
    gift = give_with_the_form(client_for, personas.a, cafe)
    page = shown(client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}&cancelled=1"))
    assert fr("The payment was not completed.") in page
    assert gift.checkout_url in page


def test_a_paid_gift_never_says_its_payment_was_not_completed(personas, client_for, cafe):
    """The cancel address reached after paying (another tab, the back button): the page tells
    the truth — the gift is confirmed."""
    gift = give(cafe, 500)
    page = shown(client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}&cancelled=1"))
    assert fr("The payment was not completed.") not in page
    assert fr("Thank you!") in page
