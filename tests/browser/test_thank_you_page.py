"""The thank-you page of a payment that is confirmed late, in a real browser: the donor pays on the
sandbox's hosted page with "Pending, then succeeds", but only the `payment.pending` notification
arrives at first. The gift's page says the payment is being processed and what the Région will
add once it is confirmed. When the `payment.succeeded` notification finally arrives, the page
updates by itself (gift-status.js asks for its status region every few seconds) — no reload — to
the confirmed gift with its match; without JavaScript, its "Refresh this page" link does the same
by hand. Every page reached, and the updated page, is checked with axe-core.

The sandbox's notifications travel as in test_give.py (within the live server's request, through
tests.gifts.client_transport), except that `payment.succeeded` is held back: the transport does
not deliver it (the outbox keeps it for a later attempt) until the test sends it itself with
payments.tasks.deliver_sandbox_event, into the live server's database."""

import json

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from solidaire.donations.models import Gift
from solidaire.payments.models import SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event
from tests.beneficiaries.helpers import cafe_campaign
from tests.gifts import approved_registration, client_transport

from .test_give import DONOR, NAME, fr, open_the_establishment, pay

HELD_BACK = "payment.succeeded"
UPDATE_TIMEOUT = 15_000  # ms: the page asks every 3 s
REGION = "Région Grand Est"


def holding_transport(url: str, body: bytes, headers: dict) -> int:
    """SOLIDAIRE_SANDBOX_TRANSPORT that delivers every notification but `payment.succeeded`,
    which is not acknowledged (503): the outbox keeps it for a later attempt."""
    if json.loads(body)["type"] == HELD_BACK:
        return 503
    return client_transport(url, body, headers)


@pytest.fixture
def cafe(personas):
    campaign = cafe_campaign(personas.a, matching_budget_cents=100_000)
    return approved_registration(campaign, name=NAME)


@pytest.fixture
def succeeded_held_back():
    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT=f"{__name__}.holding_transport"):
        yield


def pays_pending_then_success(donor) -> Gift:
    """From the café's page, 5 € (the first amount, matched 1:1), paid with "Pending, then
    succeeds"; back on the gift's page, the payment is being processed."""
    open_the_establishment(donor)
    donor.fill("#id_email", DONOR)
    donor.follow(donor.locator("form.gift-form button[type=submit]"))
    gift = Gift.objects.get()
    donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
    pay(donor, "pending_success")

    gift.refresh_from_db()
    assert (gift.status, gift.amount_cents, gift.match_promised_cents, gift.match_cents) == ("processing", 500, 500, 0)
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"
    assert donor.locator("h1").inner_text() == fr("Your payment is being processed")
    status = donor.locator(".gift-status").inner_text()
    assert (
        fr("%(collectivite)s will add %(match)s once it is confirmed.", collectivite="La " + REGION, match=500)
        in status
    )
    assert fr("Thank you!") not in donor.locator("main").inner_text()
    assert donor.locator("meta[http-equiv=refresh]").count() == 0
    return gift


def deliver_the_success(gift) -> None:
    """The provider’s held-back `payment.succeeded`, sent now into the live server's database."""
    event = SandboxEvent.objects.get(checkout_id=gift.checkout_id, type=HELD_BACK, delivered_at=None)
    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.gifts.client_transport"):
        deliver_sandbox_event(event.pk)
    event.refresh_from_db()
    assert event.delivered_at is not None
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents) == ("confirmed", 500)


def confirmed_with_the_match() -> tuple[str, str]:
    return (
        fr("Your gift of %(amount)s to %(name)s is confirmed.", amount=500, name=NAME),
        fr(
            "%(collectivite)s adds %(match)s: the establishment receives %(net)s in all, once %(fee)s of payment fees "
            "are taken.",
            collectivite=REGION,
            match=500,
            net=968,
            fee=32,
        ),
    )


def test_the_thank_you_page_updates_by_itself_once_the_payment_is_confirmed(
    personas, open_page, cafe, succeeded_held_back
):
    donor = open_page(personas.a)
    gift = pays_pending_then_success(donor)
    refresh_link = donor.locator("[data-refresh-link]")
    expect(refresh_link).to_be_visible()
    donor.evaluate("() => { window.sameDocument = true; }")  # gone if the page were reloaded
    documents = len(donor.documents)

    deliver_the_success(gift)

    region = donor.locator("[role=status].gift-status")
    confirmed, match = confirmed_with_the_match()
    expect(region).to_contain_text(confirmed, timeout=UPDATE_TIMEOUT)
    expect(region).to_contain_text(match)
    expect(region).to_have_class("gift-status gift-status-confirmed")
    expect(donor.locator("h1")).to_have_text(fr("Thank you!"))
    expect(refresh_link).to_be_hidden()
    expect(donor.locator("p[data-while-waiting]")).to_be_hidden()
    assert donor.evaluate("() => window.sameDocument") is True
    assert len(donor.documents) == documents
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"
    donor.check_accessibility()  # the page as updated in place


def test_without_javascript_the_refresh_link_shows_the_confirmed_gift(personas, open_page, cafe, succeeded_held_back):
    donor = open_page(personas.a, java_script_enabled=False)
    gift = pays_pending_then_success(donor)
    refresh_link = donor.locator("a[data-refresh-link]")
    assert refresh_link.inner_text() == fr("Refresh this page")
    assert refresh_link.get_attribute("href") == f"/dons/{gift.pk}/?t={gift.token}"

    deliver_the_success(gift)

    # Nothing changes by itself without JavaScript; the link asks for the page again.
    assert donor.locator("h1").inner_text() == fr("Your payment is being processed")
    donor.follow(refresh_link)
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}"
    assert donor.locator("h1").inner_text() == fr("Thank you!")
    status = donor.locator(".gift-status-confirmed").inner_text()
    for text in confirmed_with_the_match():
        assert text in status
    assert donor.locator("[data-refresh-link]").count() == 0
