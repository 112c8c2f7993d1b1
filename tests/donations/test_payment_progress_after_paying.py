"""Back from the provider’s page, the donor’s gift page shows the payment’s progress (issue 10,
item 10): while the provider’s first notification has not arrived, the gift is still "pending",
but the page says the payment is being confirmed — never "Pay 7 €" again — and asks for its
status by itself (gift-status.js, data-* attributes only: no inline script) or through a refresh
link without JavaScript. Once the provider has spoken, the page is at its own address."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import TestCase
from django.utils import translation
from django.utils.translation import gettext

from solidaire.donations.models import Gift
from solidaire.payments.models import SandboxEvent
from solidaire.payments.tasks import deliver_sandbox_event

from ..campaigns.helpers import text

pytestmark = pytest.mark.django_db


def fr(message: str, **values) -> str:
    with translation.override("fr"):
        said = gettext(message) % values if values else gettext(message)
    return said.replace("\u202f", " ").replace("\u00a0", " ")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def start_and_pay(client, cafe, amount="7") -> tuple[Gift, str]:
    """The form, then the sandbox's hosted page, paid: its notifications are not delivered yet
    (they go after the commit, which a test's transaction never reaches). Returns the gift and
    where the provider sends the donor back."""
    client.post(
        f"/campagnes/{cafe.campaign.slug}/etablissements/{cafe.establishment_id}/don/",
        {"amount_choice": "other", "amount_other": amount, "email": "dora@example.org"},
    )
    gift = Gift.objects.get()
    paid = client.post(path_of(gift.checkout_url), {"outcome": "success", "card": "4242"})
    assert paid.status_code == 302
    gift.refresh_from_db()
    assert gift.status == "pending"
    return gift, paid["Location"]


def test_the_provider_sends_the_donor_back_with_a_mark_that_they_paid(personas, client_for, cafe):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    assert path_of(back) == f"/dons/{gift.pk}/?t={gift.token}&returned=1"


def test_back_from_paying_the_page_says_the_payment_is_being_confirmed_not_pay(personas, client_for, cafe):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    page = text(client.get(path_of(back)))
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert fr("Your payment is being confirmed") in heading
    assert (
        fr(
            "Back from the payment page: the payment provider is confirming your payment. This page updates by "
            "itself; you will also receive an e-mail."
        )
        .replace("\u00a0", " ")
        .replace("'", "&#x27;")
        in page
    )
    assert gift.checkout_url not in page
    with translation.override("fr"):
        pay_button = gettext("Pay %(amount)s on the secure payment page") % {"amount": "7 €"}
    assert pay_button.replace("\u00a0", " ") not in page
    assert "Pay 7 €" not in page and "Payer 7 €" not in page
    assert fr("Cancel this gift") not in page  # a paid gift is not cancelled from here


def test_back_from_paying_the_page_asks_for_its_status_and_offers_a_refresh_link(personas, client_for, cafe):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    page = text(client.get(path_of(back)))
    assert f'data-refresh="/dons/{gift.pk}/?t={gift.token}&amp;returned=1&amp;fragment=status"' in page
    assert 'data-status="pending"' in page
    assert f'<a href="/dons/{gift.pk}/?t={gift.token}&amp;returned=1" data-refresh-link>' in page
    assert "solidaire/gift-status" in page and ".js" in page
    assert "<script>" not in page and not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script


def test_the_status_fragment_of_a_returned_donor_says_being_confirmed_until_the_provider_speaks(
    personas, client_for, cafe
):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    fragment = client.get(path_of(back) + "&fragment=status")
    assert fragment["X-Gift-Status"] == "pending"
    assert gift.checkout_url not in text(fragment)
    assert fr("Your payment is being confirmed") in text(fragment)

    pay_notifications_arrive(gift)
    fragment = client.get(path_of(back) + "&fragment=status")
    assert fragment.status_code == 200 and fragment["X-Gift-Status"] == "confirmed"


def pay_notifications_arrive(gift):
    """The sandbox's notifications for the payment made on its page, delivered now."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        for event in SandboxEvent.objects.filter(checkout_id=gift.checkout_id, delivered_at=None).order_by("pk"):
            deliver_sandbox_event(event.pk)
    gift.refresh_from_db()


def test_once_confirmed_the_mark_leads_to_the_pages_own_address(personas, client_for, cafe):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    pay_notifications_arrive(gift)
    assert gift.status == "confirmed"
    response = client.get(path_of(back))
    assert response.status_code == 302
    assert response["Location"] == f"/dons/{gift.pk}/?t={gift.token}"
    page = text(client.get(response["Location"]))
    assert fr("Thank you!") in page


def test_a_pending_gift_without_the_mark_still_asks_for_payment(personas, client_for, gift):
    page = text(client_for(personas.a).get(f"/dons/{gift.pk}/?t={gift.token}"))
    assert gift.checkout_url in page
    assert fr("Your payment is being confirmed") not in page


def test_the_mark_does_not_open_a_gift_without_its_token(personas, client_for, gift):
    assert client_for(personas.a).get(f"/dons/{gift.pk}/?returned=1").status_code == 404


def test_processing_gift_is_unchanged_by_the_mark(personas, client_for, cafe):
    client = client_for(personas.a)
    gift, back = start_and_pay(client, cafe)
    Gift.objects.filter(pk=gift.pk).update(status="processing")
    response = client.get(path_of(back))
    assert response.status_code == 302 and response["Location"] == f"/dons/{gift.pk}/?t={gift.token}"
