"""What the establishment receives, told honestly when the payment provider takes a fee (issue
10, item 15): "about" the gift and its match until the fee is known, the exact figure once the
provider has said what it kept (the sandbox takes 1.4 % + 0.25 €: 0,32 € on 5 €)."""

import pytest
from django.core import mail
from django.test import TestCase

from solidaire.donations.books import beneficiary_share
from solidaire.donations.models import Gift

from ..campaigns.helpers import text
from ..gifts import give

pytestmark = pytest.mark.django_db


def page(client, gift) -> str:
    return text(client.get(f"/dons/{gift.pk}/?t={gift.token}"))


def test_before_paying_the_page_says_about_what_the_establishment_will_receive(personas, client_for, gift):
    shown = page(client_for(personas.a), gift)
    assert "La Région Grand Est ajoute 5 € : l’établissement recevra environ 10 € (des frais de paiement" in shown
    assert "recevra 10 €." not in shown


def test_once_the_fee_is_known_the_page_says_exactly_what_the_establishment_receives(personas, client_for, cafe):
    gift = give(cafe, 500)
    assert gift.fee_cents == 32 and not gift.details_pending
    shown = page(client_for(personas.a), gift)
    assert "l’établissement reçoit 9,68 € au total, une fois déduits 0,32 € de frais de paiement" in shown
    assert "reçoit 10 € au total" not in shown


def test_while_the_fee_is_not_known_the_page_says_about(personas, client_for, cafe):
    gift = give(cafe, 500)
    Gift.objects.filter(pk=gift.pk).update(details_pending=True)
    shown = page(client_for(personas.a), gift)
    assert "l’établissement reçoit environ 10 € au total" in shown


def test_with_connect_the_establishment_loses_only_the_application_fee(cafe):
    gift = give(cafe, 500)
    gift.transferred_cents, gift.application_fee_cents = 500, 0
    assert beneficiary_share(gift).net_cents == 1000
    gift.application_fee_cents = 20
    assert beneficiary_share(gift).net_cents == 980


def test_the_receipt_says_what_the_establishment_receives_after_fees(cafe):
    with TestCase.captureOnCommitCallbacks(execute=True):
        give(cafe, 500)
    body = mail.outbox[-1].body.replace("\u202f", " ").replace("\u00a0", " ")
    assert "9,68 €" in body and "0,32 €" in body
