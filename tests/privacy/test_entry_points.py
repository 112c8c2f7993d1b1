"""A donor finds their own space without knowing its address: from every page's footer (through
the privacy page), from the gift's thank-you page, from the receipt e-mail and from "my account"."""

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from ..gifts import give

pytestmark = pytest.mark.django_db

with translation.override("fr"):
    ASK = reverse("privacy:ask")


@pytest.fixture(autouse=True)
def _french():
    """Addresses are reversed in French (a request of an earlier test may leave another language active)."""
    with translation.override("fr"):
        yield


def hrefs(response) -> list[str]:
    return re.findall(r'href="([^"]*)"', response.content.decode())


def test_every_page_leads_to_the_privacy_page_which_leads_to_the_space(personas, client_for, cafe_a):
    client = client_for(personas.a)
    for page in ("/", reverse("beneficiaries:directory", args=[cafe_a.campaign.slug])):
        assert reverse("tenants:privacy") in hrefs(client.get(page)), page
    assert ASK in hrefs(client.get(reverse("tenants:privacy")))


def test_the_thank_you_page_leads_to_the_space(personas, client_for, cafe_a):
    gift = give(cafe_a, 500, email="jean@example.org")
    page = client_for(personas.a).get(f"{reverse('donations:gift', args=[gift.pk])}?t={gift.token}")
    assert page.status_code == 200
    assert ASK in hrefs(page)


def test_the_receipt_leads_to_the_space_on_the_collectivites_address(personas, cafe_a, cafe_b):
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        give(cafe_a, 500, email="jean@example.org")
        give(cafe_b, 500, email="jean@example.org", language="en")
    receipts = {message.subject: message.body for message in mail.outbox}
    assert len(receipts) == 2
    french, english = sorted(receipts.values(), key=lambda body: "Thank you" in body)
    assert f"http://grand-est.localhost{ASK}" in french
    with translation.override("en"):
        assert f"http://metz.localhost{reverse('privacy:ask')}" in english


def test_my_account_leads_to_the_space(personas, client_for):
    page = client_for(personas.a, personas.a.donor).get(reverse("accounts:my_account"))
    assert reverse("privacy:space") in hrefs(page)
