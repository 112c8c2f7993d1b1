"""A voucher is issued when the gift's payment is confirmed (donations' confirmation calls
vouchers.actions.issue_for in the same transaction): exactly once per gift, with its value,
validity and terms frozen from the offer in force, and attached as a PDF to the receipt e-mail
in the donor’s language."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from solidaire.core.money import format_cents
from solidaire.donations.models import Gift
from solidaire.payments.models import Notification, PaymentAccount
from solidaire.vouchers import actions, codes
from solidaire.vouchers.models import Offer, Voucher

from ..gifts import give, pay, start
from ..payments.helpers import notify, sandbox_body
from .helpers import approved_offer, flat, next_30_june, pdf_text, propose, shown

pytestmark = pytest.mark.django_db


def date_in(language, day) -> str:
    with translation.override(language):
        return flat(formats.date_format(day, "DATE_FORMAT"))


def the_pdf(email) -> tuple[str, bytes]:
    (attachment,) = email.attachments
    name, content, mimetype = attachment
    assert mimetype == "application/pdf"
    return name, content


# The issue's example -----------------------------------------------------------------------------


def test_a_10_euro_gift_gets_a_12_euro_voucher_valid_until_30_june_in_the_receipt(personas, cafe):
    """“For each gift, a voucher worth the gift + 20 %, valid until 30 June”; a donor gives 10 €."""
    approved_offer(cafe, personas.a.moderator, terms="Valable sur place, hors alcool.")
    gift = give(cafe, 1000, email="dora@example.org")

    voucher = Voucher.objects.get()
    assert voucher.gift == gift
    assert (voucher.kind, voucher.value_cents, voucher.remaining_cents) == ("value", 1200, 1200)
    assert (voucher.valid_from, voucher.valid_until) == (timezone.localdate(), next_30_june())
    assert voucher.status == "active" and voucher.partial_use is True
    assert voucher.terms == "Valable sur place, hors alcool."
    assert codes.normalise(voucher.code) == voucher.code
    assert (voucher.registration, voucher.collectivite) == (cafe, personas.a.tenant)

    (receipt,) = mail.outbox
    assert receipt.to == ["dora@example.org"]
    name, content = the_pdf(receipt)
    assert name == f"bon-{codes.display(voucher.code)}.pdf"
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert codes.display(voucher.code) in text
    assert "Café de la Gare" in text
    assert flat(format_cents(1200, "fr")) in text
    assert date_in("fr", next_30_june()) in text
    assert "Valable sur place, hors alcool." in text
    assert "dora" not in text  # the voucher does not say who holds it
    assert f"http://grand-est.localhost/bons/{voucher.pk}/?t={voucher.token}" in receipt.body


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en"), ("de", "/de")])
def test_the_receipt_and_its_voucher_are_in_the_donors_language(personas, cafe, language, prefix):
    approved_offer(cafe, personas.a.moderator)
    give(cafe, 1000, language=language)
    voucher = Voucher.objects.get()
    (receipt,) = mail.outbox
    assert f"http://grand-est.localhost{prefix}/bons/{voucher.pk}/?t={voucher.token}" in receipt.body
    assert shown(language, "To thank you, your voucher is attached to this e-mail (PDF). Its state, at any time:") in (
        flat(receipt.body)
    )
    text = pdf_text(the_pdf(receipt)[1])
    assert date_in(language, next_30_june()) in text
    assert flat(format_cents(1200, language)) in text
    validity = shown(
        language,
        "Valid from %(start)s to %(end)s, only at this establishment.",
        start=date_in(language, voucher.valid_from),
        end=date_in(language, voucher.valid_until),
    )
    assert validity in text
    assert shown(language, "Show this code or the QR code at the counter.") in text


def test_the_pdf_carries_the_qr_code_image(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    give(cafe, 1000)
    content = the_pdf(mail.outbox[0])[1]
    assert b"/Subtype /Image" in content


# When a voucher is issued ------------------------------------------------------------------------


def test_no_voucher_without_an_approved_offer(personas, cafe):
    give(cafe, 1000)
    propose(cafe)  # waiting for moderation
    give(cafe, 1000, email="eve@example.org")
    actions.decide_offer(offer=Offer.objects.get(), moderator=personas.a.moderator, approve=False, message="Non.")
    give(cafe, 1000, email="fred@example.org")
    assert Gift.objects.filter(status="confirmed").count() == 3
    assert not Voucher.objects.exists()
    assert [email.attachments for email in mail.outbox] == [[], [], []]


def test_no_voucher_when_the_offer_is_no_counterpart(personas, cafe):
    approved_offer(cafe, personas.a.moderator, kind="none")
    give(cafe, 1000)
    assert not Voucher.objects.exists()
    assert mail.outbox[0].attachments == []


def test_no_voucher_for_a_payment_that_fails_or_is_still_pending(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    give(cafe, 1000, outcome="decline")
    pending = pay(start(cafe, 1000, email="eve@example.org"), "pending_failure")
    assert pending.status == "failed"
    assert not Voucher.objects.exists()


def test_the_vouchers_of_another_establishment_are_its_own(personas, cafe, other_cafe):
    approved_offer(cafe, personas.a.moderator)
    give(other_cafe, 1000)
    assert not Voucher.objects.exists()


def test_a_gift_below_the_minimum_gets_no_voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator, min_gift_cents=500)
    small = give(cafe, 400)
    enough = give(cafe, 500, email="eve@example.org")
    assert not Voucher.objects.filter(gift=small).exists()
    assert Voucher.objects.get(gift=enough).value_cents == 600


def test_when_the_stock_is_exhausted_gifts_get_no_voucher(personas, cafe):
    offer = approved_offer(cafe, personas.a.moderator, stock=2)
    gifts = [give(cafe, 500, email=f"donor{i}@example.org") for i in range(3)]
    assert [Voucher.objects.filter(gift=g).exists() for g in gifts] == [True, True, False]
    offer.refresh_from_db()
    assert offer.issued_count == 2
    assert all(g.status == "confirmed" for g in gifts)
    assert [len(email.attachments) for email in mail.outbox] == [1, 1, 0]


def test_a_fixed_value_voucher_used_in_one_go(personas, cafe):
    approved_offer(cafe, personas.a.moderator, value_mode="fixed", fixed_value_cents=800, partial_use=False)
    give(cafe, 300)
    voucher = Voucher.objects.get()
    assert (voucher.value_cents, voucher.remaining_cents, voucher.partial_use) == (800, 800, False)


def test_an_item_voucher(personas, cafe):
    approved_offer(
        cafe, personas.a.moderator, kind="item", item_label="Un café offert", valid_until=None, validity_days=60
    )
    give(cafe, 300)
    voucher = Voucher.objects.get()
    assert (voucher.kind, voucher.item_label, voucher.value_cents, voucher.partial_use) == (
        "item",
        "Un café offert",
        0,
        False,
    )
    assert voucher.valid_until == timezone.localdate() + timedelta(days=60)
    assert "Un café offert" in pdf_text(the_pdf(mail.outbox[0])[1])


def test_validity_may_start_later_than_the_gift(personas, cafe):
    start_on = timezone.localdate() + timedelta(days=10)
    approved_offer(cafe, personas.a.moderator, valid_from=start_on)
    give(cafe, 1000)
    voucher = Voucher.objects.get()
    assert (voucher.valid_from, voucher.valid_until) == (start_on, next_30_june())
    assert voucher.state() == "not_yet"


def test_an_offer_whose_validity_has_ended_issues_no_voucher(personas, cafe):
    """An approved offer "valid until 30 June" still in force in July: a voucher that expired
    before it was issued is no voucher (and no stock is taken)."""
    offer = approved_offer(cafe, personas.a.moderator, stock=5)
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    gift = give(cafe, 1000)
    assert gift.status == "confirmed"
    assert not Voucher.objects.exists()
    offer.refresh_from_db()
    assert offer.issued_count == 0
    assert mail.outbox[0].attachments == []


def test_a_voucher_valid_until_today_is_still_issued(personas, cafe):
    offer = approved_offer(cafe, personas.a.moderator)
    Offer.objects.filter(pk=offer.pk).update(valid_until=timezone.localdate())
    give(cafe, 1000)
    assert Voucher.objects.get().state() == "active"


# Exactly once ------------------------------------------------------------------------------------


def test_a_confirmation_delivered_twice_issues_one_voucher(personas, cafe):
    offer = approved_offer(cafe, personas.a.moderator)
    PaymentAccount.objects.update_or_create(collectivite=personas.a.tenant, defaults={"sandbox_duplicate": True})
    gift = give(cafe, 1000)
    (confirmation,) = Notification.objects.filter(event_type="payment.succeeded")
    assert confirmation.deliveries == 2  # the sandbox sent it twice
    assert Voucher.objects.filter(gift=gift).count() == 1
    offer.refresh_from_db()
    assert offer.issued_count == 1
    assert len(mail.outbox) == 1 and len(mail.outbox[0].attachments) == 1


def test_replayed_and_late_confirmations_issue_no_second_voucher(personas, cafe, django_capture_on_commit_callbacks):
    approved_offer(cafe, personas.a.moderator)
    gift = give(cafe, 1000)
    code = gift.voucher.code
    with django_capture_on_commit_callbacks(execute=True):
        notify(personas.a, sandbox_body(gift, "payment.succeeded", payment_id=gift.payment_id))
        notify(personas.a, sandbox_body(gift, "payment.succeeded", payment_id=gift.payment_id, event_id="evt_late"))
    assert list(Voucher.objects.values_list("code", flat=True)) == [code]
    assert len(mail.outbox) == 1


def test_a_second_voucher_for_a_gift_is_refused_by_the_database(personas, cafe):
    """The confirmation issues it once (the gift's state says so); were it asked again, the
    database's one voucher per gift refuses it, and the transaction with it."""
    offer = approved_offer(cafe, personas.a.moderator)
    gift = give(cafe, 1000)
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.issue_for(gift)
    assert Voucher.objects.count() == 1
    offer.refresh_from_db()
    assert offer.issued_count == 1


def test_the_reminder_choice_of_the_gift_form_is_kept_on_the_voucher(personas, cafe):
    approved_offer(cafe, personas.a.moderator)
    yes = give(cafe, 1000, voucher_reminder=True)
    no = give(cafe, 1000, email="eve@example.org")
    assert (yes.voucher.reminder, no.voucher.reminder) == (True, False)


# The value, frozen in cents ----------------------------------------------------------------------


@given(
    gift=st.integers(300, 1000),
    share=st.integers(1, 200),
    bonus=st.integers(0, 100),
)
def test_a_share_of_the_gift_is_whole_cents_rounded_down(gift, share, bonus):
    offer = Offer(kind="value", value_mode="percent", percent_of_gift=share, bonus_percent=bonus)
    value = offer.value_for(gift)
    assert isinstance(value, int)
    assert value * 100 <= gift * (share + bonus) < (value + 1) * 100
