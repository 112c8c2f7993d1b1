"""Reminders before expiry (vouchers.actions.send_reminders, run by the daily task): only to
donors who ticked "voucher_reminder" on the gift form, once, in the donor’s language, from a week
before the last day — and never for a voucher already used, cancelled or expired."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from solidaire.donations.models import Gift
from solidaire.vouchers.actions import send_reminders
from solidaire.vouchers.models import Voucher

from ..donations.helpers import refund
from ..gifts import pay
from .helpers import approved_offer, flat, next_30_june, redeem, shown, voucher_for

pytestmark = pytest.mark.django_db

LAST_DAY = next_30_june()
A_WEEK_BEFORE = LAST_DAY - timedelta(days=7)


@pytest.fixture
def offer(personas, cafe):
    return approved_offer(cafe, personas.a.moderator)


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    def run(today):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return send_reminders(today=today)

    return run


def test_the_gift_forms_checkbox_asks_for_the_reminder(personas, client_for, cafe, offer):
    start = reverse("donations:start", args=[cafe.campaign.slug, cafe.establishment_id])
    client = client_for(personas.a)
    client.post(start, {"amount_choice": "1000", "email": "dora@example.org", "voucher_reminder": "on"})
    client.post(start, {"amount_choice": "1000", "email": "eve@example.org"})
    for gift in Gift.objects.all():
        pay(gift)
    assert {v.gift.email: v.reminder for v in Voucher.objects.select_related("gift")} == {
        "dora@example.org": True,
        "eve@example.org": False,
    }


def test_only_donors_who_asked_are_reminded_once_a_week_before(cafe, offer, remind):
    asked = voucher_for(cafe, 1000, email="dora@example.org", voucher_reminder=True)
    voucher_for(cafe, 1000, email="eve@example.org")
    assert remind(A_WEEK_BEFORE - timedelta(days=1)) == 0
    assert mail.outbox == []
    assert remind(A_WEEK_BEFORE) == 1
    (email,) = mail.outbox
    assert email.to == ["dora@example.org"]
    assert f"http://grand-est.localhost/bons/{asked.pk}/?t={asked.token}" in email.body
    assert flat(email.subject).endswith(shown("fr", "Your voucher for %(name)s expires soon", name="Café de la Gare"))
    assert Voucher.objects.get(pk=asked.pk).reminder_sent_at is not None
    # Once.
    assert remind(A_WEEK_BEFORE + timedelta(days=1)) == 0
    assert remind(LAST_DAY) == 0
    assert mail.outbox == []


def test_a_late_run_still_reminds_until_the_last_day(cafe, offer, remind):
    voucher_for(cafe, 1000, voucher_reminder=True)
    assert remind(LAST_DAY) == 1
    assert remind(LAST_DAY + timedelta(days=1)) == 0


@pytest.mark.parametrize(("language", "prefix"), [("fr", ""), ("en", "/en"), ("de", "/de")])
def test_the_reminder_is_in_the_donors_language(cafe, offer, remind, language, prefix):
    voucher = voucher_for(cafe, 1000, voucher_reminder=True, language=language)
    remind(A_WEEK_BEFORE)
    (email,) = mail.outbox
    assert flat(email.subject).endswith(
        shown(language, "Your voucher for %(name)s expires soon", name="Café de la Gare")
    )
    assert f"http://grand-est.localhost{prefix}/bons/{voucher.pk}/?t={voucher.token}" in email.body
    assert email.body.startswith(shown(language, "Hello,"))


def test_used_cancelled_and_expired_vouchers_are_not_reminded(personas, cafe, offer, remind):
    used = voucher_for(cafe, 1000, email="a@example.org", voucher_reminder=True)
    redeem(used, personas.a.owner)
    refunded = voucher_for(cafe, 1000, email="b@example.org", voucher_reminder=True)
    refund(refunded.gift, actor=personas.a.finance)
    expired = voucher_for(cafe, 1000, email="c@example.org", voucher_reminder=True)
    Voucher.objects.filter(pk=expired.pk).update(status="expired")
    partly = voucher_for(cafe, 1000, email="d@example.org", voucher_reminder=True)
    redeem(partly, personas.a.owner, 100)
    assert remind(A_WEEK_BEFORE) == 1
    assert [email.to for email in mail.outbox] == [["d@example.org"]]
