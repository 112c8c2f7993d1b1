"""The finance officer's refund, in two steps (/gestion/dons/<id>/): the amount and the reason
first, then a confirmation of what will happen (the amount, to whom, the public money going back
to the budget) — the provider is asked only once it is confirmed. Around the provider’s call:
the request is recorded and audited first, the call carries the refund's idempotency key (asking
again never refunds twice), a call that was lost is sent again by reconciliation with the same
key, a notification that was lost is found by reconciliation, and a refund the provider refuses
puts the gift back as it was."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from solidaire.audit.models import AuditEvent
from solidaire.core.money import format_cents
from solidaire.donations import refunds
from solidaire.donations.models import Gift, Refund
from solidaire.donations.reconciliation import reconcile
from solidaire.payments import inbox
from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent, SandboxRefund
from solidaire.payments.providers import base, provider_for
from solidaire.payments.tasks import deliver_sandbox_event

from ..accounts.helpers import translated
from ..factories import CampaignFactory
from ..gifts import approved_registration, give
from ..matching.helpers import assert_ledger_holds
from .helpers import entry_kinds, pools

pytestmark = pytest.mark.django_db

LOST = override_settings(SOLIDAIRE_SANDBOX_TRANSPORT="tests.payments.helpers.lost_transport")
HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')


@pytest.fixture
def bar(personas):
    """A campaign adding half of each gift (matches that do not split evenly) and its bar."""
    campaign = CampaignFactory(
        collectivite=personas.a.tenant, slug="moitie", title="La moitié", matching_ratio_percent=50
    )
    return approved_registration(campaign, name="Bar du Marché")


@pytest.fixture
def paid(bar):
    """10 € given by dora, matched 5 €."""
    gift = give(bar, 1000, email="dora@example.org")
    assert (gift.status, gift.match_cents) == ("confirmed", 500)
    return gift


@pytest.fixture
def finance(personas, client_for):
    return client_for(personas.a, personas.a.finance)


def page(gift) -> str:
    return f"/gestion/dons/{gift.pk}/"


def flat(text: str) -> str:
    return html.unescape(text).replace("\u00a0", " ").replace("\u202f", " ")


def shown(message: str, **params) -> str:
    return flat(translated(message, **params))


def hidden_fields(response) -> dict:
    """The confirmation form's hidden fields, as the browser would post them back."""
    return {m["name"]: html.unescape(m["value"]) for m in HIDDEN.finditer(response.content.decode())}


def nothing_asked(gift) -> None:
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert not Refund.objects.filter(gift=gift).exists()
    assert not SandboxRefund.objects.exists()
    assert not SandboxEvent.objects.filter(type="payment.refunded").exists()
    assert not AuditEvent.objects.filter(action="gift.refund_requested").exists()


# The two steps ------------------------------------------------------------------------------------------


def test_the_first_step_shows_what_will_happen_and_asks_the_provider_nothing(personas, finance, paid):
    response = finance.post(page(paid), {"amount": "3,33", "reason": "Erreur de montant"})
    assert response.status_code == 200
    assert response.context["confirming"] is True
    # 3,33 € of 10 €: the match (5 €) goes back in proportion, rounded up (166,5 → 1,67 €).
    assert response.context["match_back"] == 167
    text = flat(response.content.decode())
    assert shown("Refund %(amount)s to %(email)s?", amount=format_cents(333), email="dora@example.org") in text
    assert shown("%(back)s of public money goes back to the campaign’s budget.", back=format_cents(167)) in text
    assert shown("Confirm the refund") in text
    nothing_asked(paid)


def test_confirming_asks_the_provider_with_what_was_shown(personas, finance, paid, bar):
    reason = 'Le donateur a dit "3,33" & <rien> d\'autre'
    first = finance.post(page(paid), {"amount": "3,33", "reason": reason})
    posted_back = hidden_fields(first)
    assert (posted_back["amount"], posted_back["reason"], posted_back["confirmed"]) == (
        "3.33",
        reason,
        "True",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = finance.post(page(paid), posted_back)
    assert (response.status_code, response["Location"]) == (302, page(paid))
    (made,) = SandboxRefund.objects.all()
    refund = Refund.objects.get(gift=paid)
    assert (made.amount_cents, made.key, refund.provider_refund_id) == (333, refund.key, made.id)
    assert (refund.amount_cents, refund.reason, refund.requested_by) == (333, reason, personas.a.finance)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents, paid.match_reversed_cents) == ("partly_refunded", 333, 167)
    assert pools(bar.campaign) == (333, 0)
    assert_ledger_holds()


def test_a_confirmation_submitted_twice_makes_one_refund(finance, paid):
    """A double click, a resubmitted page: the confirmation's key makes it the same refund."""
    posted_back = hidden_fields(finance.post(page(paid), {"amount": "3,33", "reason": "Doublon"}))
    assert len(posted_back["key"]) == 32
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = finance.post(page(paid), posted_back)
        second = finance.post(page(paid), posted_back)
    assert (first.status_code, second.status_code) == (302, 302)
    (refund,) = Refund.objects.filter(gift=paid)
    assert refund.key == f"refund-{posted_back['key']}"
    assert SandboxRefund.objects.count() == 1
    paid.refresh_from_db()
    assert paid.refunded_cents == 333


@pytest.mark.parametrize("amount", ["10,01", "0", "-1", "dix euros"])
def test_an_amount_that_cannot_be_refunded_is_a_form_error_at_the_first_step(finance, paid, amount):
    response = finance.post(page(paid), {"amount": amount, "reason": "Erreur"})
    assert response.status_code == 400
    assert response.context["confirming"] is False
    assert response.context["form"].errors["amount"]
    nothing_asked(paid)


def test_the_first_step_offers_no_more_than_what_is_left(finance, paid):
    with TestCase.captureOnCommitCallbacks(execute=True):
        finance.post(page(paid), {"amount": "4", "reason": "Erreur", "confirmed": "True"})
    too_much = finance.post(page(paid), {"amount": "6,01", "reason": "Encore"})
    assert too_much.status_code == 400
    assert format_cents(600) in too_much.context["form"].errors["amount"][0]
    assert finance.post(page(paid), {"amount": "6", "reason": "Encore"}).status_code == 200
    assert Refund.objects.filter(gift=paid).count() == 1


def test_a_reason_is_asked_at_the_first_step(finance, paid):
    response = finance.post(page(paid), {"amount": "5", "reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    nothing_asked(paid)


# The audit log ------------------------------------------------------------------------------------------------


def test_the_request_is_audited_before_and_the_refund_after(personas, finance, paid):
    with TestCase.captureOnCommitCallbacks(execute=True):
        finance.post(page(paid), {"amount": "3", "reason": "Don en double", "confirmed": "True"})
    events = list(AuditEvent.objects.filter(object_id=str(paid.pk)).order_by("pk"))
    assert [e.action for e in events] == ["gift.refund_requested", "gift.refunded"]
    asked, made = events
    refund = Refund.objects.get(gift=paid)
    assert (asked.actor, asked.actor_label) == (personas.a.finance, personas.a.finance.email)
    assert asked.data == {"reason": "Don en double", "refund": refund.pk, "amount_cents": 300}
    assert (made.actor, made.actor_label) == (None, "system")
    assert made.data["refund"] == refund.pk and made.data["refunded_cents"] == 300
    assert asked.created_at <= made.created_at


# The idempotency key -----------------------------------------------------------------------------------------


def test_the_provider_makes_one_refund_per_key(paid):
    provider = provider_for(paid.collectivite)
    first = provider.refund(paid, 300, key="refund-same-key")
    again = provider.refund(paid, 300, key="refund-same-key")
    assert first == again
    assert SandboxRefund.objects.get().id == first
    assert SandboxCheckout.objects.get(pk=paid.checkout_id).refunded_cents == 300
    assert SandboxEvent.objects.filter(type="payment.refunded").count() == 1


def test_sending_a_refund_again_sends_the_same_key_and_refunds_once(personas, paid):
    refund = refunds.open_refund(gift=paid, amount_cents=300, actor=personas.a.finance, reason="Erreur")
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = refunds.send_refund(refund)
        again = refunds.send_refund(refund)
    assert sent.provider_refund_id == again.provider_refund_id == SandboxRefund.objects.get(key=refund.key).id
    assert SandboxRefund.objects.count() == 1
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents) == ("partly_refunded", 300)
    assert entry_kinds(paid).count("gift.refunded") == 1
    assert_ledger_holds()


# Lost on the way ---------------------------------------------------------------------------------------------


def test_a_request_whose_call_was_lost_is_sent_by_reconciliation_with_the_same_key(personas, paid):
    """The process died between recording the request and asking the provider."""
    refund = refunds.open_refund(gift=paid, amount_cents=300, actor=personas.a.finance, reason="Erreur")
    assert Gift.objects.get(pk=paid.pk).status == "refund_requested"
    assert not SandboxRefund.objects.exists()

    # Too early: the request may still be on its way.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reconcile(now=timezone.now())["refunds_sent"] == 0
    assert not SandboxRefund.objects.exists()

    later = timezone.now() + timedelta(minutes=3)
    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = reconcile(now=later)
    assert (counts["refunds_sent"], counts["problems"]) == (1, [])
    (made,) = SandboxRefund.objects.all()
    assert (made.key, made.amount_cents) == (refund.key, 300)
    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("succeeded", made.id)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents, paid.match_reversed_cents) == ("partly_refunded", 300, 150)

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert reconcile(now=later + timedelta(minutes=3))["refunds_sent"] == 0
    assert SandboxRefund.objects.count() == 1
    assert entry_kinds(paid).count("gift.refunded") == 1
    assert_ledger_holds()


def test_a_refund_whose_notification_was_lost_is_found_by_reconciliation_and_applied_once(personas, finance, paid, bar):
    mail.outbox.clear()
    with LOST, TestCase.captureOnCommitCallbacks(execute=True):
        response = finance.post(page(paid), {"amount": "3", "reason": "Erreur", "confirmed": "True"})
    assert response.status_code == 302
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents) == ("refund_requested", 0)
    assert SandboxEvent.objects.get(type="payment.refunded").delivered_at is None

    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = reconcile(everything=True)
    assert (counts["applied"], counts["problems"]) == (1, [])
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents, paid.match_reversed_cents) == ("partly_refunded", 300, 150)
    assert paid.reconcile_after is None
    assert Refund.objects.get(gift=paid).status == "succeeded"
    found = Notification.objects.get(event_type="payment.refunded")
    assert (found.event_id.startswith("reconcile:"), found.status) == (True, "applied")

    # Asked again, and the late notification at last: nothing more.
    with TestCase.captureOnCommitCallbacks(execute=True):
        reconcile(everything=True)
        deliver_sandbox_event(SandboxEvent.objects.get(type="payment.refunded").pk)
    late = Notification.objects.filter(event_type="payment.refunded").exclude(pk=found.pk).get()
    assert (late.status, late.reason) == ("ignored", "refund already booked")
    paid.refresh_from_db()
    assert (paid.refunded_cents, paid.match_reversed_cents) == (300, 150)
    assert entry_kinds(paid).count("gift.refunded") == 1
    assert entry_kinds(paid).count("match.reversed") == 1
    assert pools(bar.campaign) == (350, 0)
    assert len(mail.outbox) == 1
    assert_ledger_holds()


# Refused ---------------------------------------------------------------------------------------------------------


def test_a_refund_refused_by_the_provider_puts_the_gift_back_and_is_audited(personas, finance, paid):
    """The money was already refunded at the provider (its notification lost): the sandbox has
    nothing left to refund and says so."""
    with LOST, TestCase.captureOnCommitCallbacks(execute=True):
        provider_for(paid.collectivite).refund(paid, 1000, key="made-at-the-provider")
    assert Gift.objects.get(pk=paid.pk).status == "confirmed"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = finance.post(page(paid), {"amount": "3", "reason": "Erreur", "confirmed": "True"})
    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].non_field_errors())
    assert shown("There is nothing left to refund on this payment.") in flat(errors)
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_cents, paid.match_reversed_cents) == ("confirmed", 0, 0)
    assert paid.reconcile_after is None
    refund = Refund.objects.get(gift=paid)
    assert refund.status == "failed" and refund.failure
    actions = list(AuditEvent.objects.filter(object_id=str(paid.pk)).order_by("pk").values_list("action", "actor"))
    assert actions == [("gift.refund_requested", personas.a.finance.pk), ("gift.refund_failed", None)]
    assert entry_kinds(paid) == ["gift.received", "gift.fee", "match.posted"]
    # Nothing waits any more: another refund may be asked.
    assert finance.post(page(paid), {"amount": "3", "reason": "Encore"}).status_code == 200


def test_a_refund_the_provider_fails_later_puts_the_gift_back(personas, bar):
    """The provider accepted the request, then could not make it (refund.failed)."""
    gift = give(bar, 1000)
    gift = give_back_part(gift, personas, 300)  # partly refunded already
    refund = refunds.request_refund(gift=gift, amount_cents=200, actor=personas.a.finance, reason="Encore")
    assert Gift.objects.get(pk=gift.pk).status == "refund_requested"

    failed = base.PaymentEvent(
        event_id="evt_refund_failed",
        type=base.REFUND_FAILED,
        checkout_id=gift.checkout_id,
        payment_id=gift.payment_id,
        refund_id=refund.provider_refund_id,
        currency="EUR",
    )
    status, notification = inbox.apply(collectivite=gift.collectivite, provider_name="sandbox", event=failed)
    assert (status, notification.status) == (200, "applied")
    gift.refresh_from_db()
    assert (gift.status, gift.refunded_cents, gift.match_reversed_cents) == ("partly_refunded", 300, 150)
    refund.refresh_from_db()
    assert refund.status == "failed"
    assert AuditEvent.objects.filter(action="gift.refund_failed", object_id=str(gift.pk), actor=None).count() == 1
    assert_ledger_holds()


def give_back_part(gift, personas, cents):
    with TestCase.captureOnCommitCallbacks(execute=True):
        refunds.request_refund(gift=gift, amount_cents=cents, actor=personas.a.finance, reason="Erreur")
    gift.refresh_from_db()
    assert gift.status == "partly_refunded"
    return gift
