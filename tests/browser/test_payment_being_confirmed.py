"""Back from paying, before the provider has said anything (issue 10, item 10), in a real browser:
the donor pays 5 € on the sandbox's hosted page, but none of its notifications has arrived yet.
The gift's page does not ask "Pay 5 €" again: it says the payment is being confirmed, then updates
by itself (gift-status.js, no reload) once the notifications arrive. Checked with axe-core."""

import json

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from solidaire.donations.models import Gift
from solidaire.payments.models import SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event
from tests.beneficiaries.helpers import cafe_campaign
from tests.gifts import approved_registration

from .test_give import DONOR, NAME, fr, open_the_establishment, pay

UPDATE_TIMEOUT = 15_000  # ms: the page asks every 3 s


def holding_everything(url: str, body: bytes, headers: dict) -> int:
    """SOLIDAIRE_SANDBOX_TRANSPORT that delivers nothing yet (503: the outbox tries later)."""
    assert json.loads(body)["type"]
    return 503


@pytest.fixture
def cafe(personas):
    return approved_registration(cafe_campaign(personas.a, matching_budget_cents=100_000), name=NAME)


def test_back_from_paying_the_page_says_being_confirmed_then_updates_by_itself(personas, open_page, cafe):
    donor = open_page(personas.a)
    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT=f"{__name__}.holding_everything"):
        open_the_establishment(donor)
        donor.fill("#id_email", DONOR)
        donor.follow(donor.locator("form.gift-form button[type=submit]"))
        gift = Gift.objects.get()
        donor.follow(donor.locator(f"main a[href='{gift.checkout_url}']"))
        pay(donor, "success")

    gift.refresh_from_db()
    assert gift.status == "pending"
    assert donor.path == f"/dons/{gift.pk}/?t={gift.token}&returned=1"
    assert donor.locator("h1").inner_text() == fr("Your payment is being confirmed")
    assert donor.locator(f"main a[href='{gift.checkout_url}']").count() == 0
    assert fr("Cancel this gift") not in donor.locator("main").inner_text()
    expect(donor.locator("[data-refresh-link]")).to_be_visible()
    donor.check_accessibility()

    with override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.gifts.client_transport"):
        for event in SandboxEvent.objects.filter(checkout_id=gift.checkout_id, delivered_at=None).order_by("pk"):
            deliver_sandbox_event(event.pk)
    gift.refresh_from_db()
    assert gift.status == "confirmed"

    expect(donor.locator("h1")).to_have_text(fr("Thank you!"), timeout=UPDATE_TIMEOUT)
    expect(donor.locator("[role=status].gift-status")).to_have_class("gift-status gift-status-confirmed")
    expect(donor.locator("p[data-while-waiting]")).to_be_hidden()
    donor.check_accessibility()
