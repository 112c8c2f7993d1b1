"""The donor’s receipt (donations.notifications.receipt): sent once, when the payment is
confirmed — never for a pending or failed payment, never again for a duplicate notification —
in the language the donor gave in, with the amount, the match and the link to the gift's page."""

import pytest
from django.core import mail

from solidaire.vouchers.models import Offer

from ..gifts import approved_registration, give, pay, start
from ..payments.helpers import notify, sandbox_body

pytestmark = pytest.mark.django_db


def test_receipt_is_sent_to_the_donor_on_confirmation(cafe):
    give(cafe, 500, email="dora@example.org")
    (receipt,) = mail.outbox
    assert receipt.to == ["dora@example.org"]
    assert "Café de la Gare" in receipt.subject
    assert "5 €" in receipt.subject


@pytest.mark.parametrize(
    ("language", "greeting", "amount", "total", "prefix"),
    [
        ("fr", "Bonjour,", "5 €", "9,68 €", ""),
        ("en", "Hello,", "€5", "€9.68", "/en"),
        ("de", "Guten Tag,", "5 €", "9,68 €", "/de"),
    ],
)
def test_receipt_is_in_the_donors_language(cafe, language, greeting, amount, total, prefix):
    gift = give(cafe, 500, language=language)
    (receipt,) = mail.outbox
    body = receipt.body.replace("\u00a0", " ").replace("\u202f", " ")
    assert body.startswith(greeting)
    assert amount in receipt.subject.replace("\u00a0", " ")
    assert f"adds {amount}" in body or amount in body
    assert total in body
    assert f"http://grand-est.localhost{prefix}/dons/{gift.pk}/?t={gift.token}" in body


def test_receipt_carries_the_reference_the_beneficiary_and_the_counterpart(cafe):
    Offer.objects.create(
        registration=cafe, kind="item", item_label="Un café offert", validity_days=180, status="approved"
    )
    gift = give(cafe, 750)
    body = mail.outbox[0].body
    assert str(gift.pk) in body
    assert "Café de la Gare, 67000 Strasbourg" in body
    assert "Un café offert" in body


def test_receipt_does_not_claim_a_match_when_there_is_none(personas, campaign):
    own = approved_registration(campaign, owner=personas.a.owner)
    give(own, 500, email=personas.a.owner.email)
    body = mail.outbox[0].body
    assert "adds" not in body and "ajoute" not in body


def test_no_receipt_while_the_payment_is_pending_or_when_it_fails(cafe):
    start(cafe, 500)
    assert mail.outbox == []
    give(cafe, 500, outcome="decline")
    give(cafe, 500, outcome="pending_failure")
    assert mail.outbox == []


def test_pending_then_success_sends_one_receipt(cafe):
    give(cafe, 500, outcome="pending_success")
    assert len(mail.outbox) == 1


def test_duplicate_confirmations_send_no_second_receipt(personas, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    with django_capture_on_commit_callbacks(execute=True):
        notify(personas.a, sandbox_body(gift, "payment.succeeded", payment_id=gift.payment_id))
        notify(personas.a, sandbox_body(gift, "payment.succeeded", payment_id=gift.payment_id))
    assert len(mail.outbox) == 1


def test_replayed_confirmation_sends_no_second_receipt(personas, gift, django_capture_on_commit_callbacks):
    body = sandbox_body(gift, event_id="evt_once")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            notify(personas.a, body)
    assert len(mail.outbox) == 1


def test_a_receipt_is_not_sent_for_a_rejected_notification(personas, gift, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(personas.a, sandbox_body(gift, amount_cents=1000))
    assert mail.outbox == []
    pay(gift)
    assert len(mail.outbox) == 1
