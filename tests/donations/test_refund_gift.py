"""Refunding a gift from the finance officer's gift page (POST /gestion/dons/<id>/ with an
amount and a reason, then confirmed): the provider is asked; when its payment.refunded
notification arrives, the gift is refunded, its match reversed and the public money back in the
campaign’s budget, the journal has the reversing entries, and the donor is told by e-mail.
Partial refunds: tests/donations/test_partial_refund.py."""

import pytest
from django.core import mail

from solidaire.audit.models import AuditEvent
from solidaire.core.money import cents_to_input
from solidaire.donations.models import Gift
from solidaire.matching.models import Allocation
from solidaire.payments.models import Notification, SandboxEvent

from ..campaigns.helpers import text
from ..factories import CampaignFactory
from ..gifts import approved_registration, give, pay, start
from .helpers import balance, entry_kinds, pools

pytestmark = pytest.mark.django_db


def ask(client, gift, reason="Le donateur s'est trompé de café", capture=None, amount=None):
    """The refund form, confirmed (the confirmation step itself: test_refund_confirmation.py)."""
    data = {"amount": cents_to_input(amount or gift.amount_cents), "reason": reason, "confirmed": "True"}
    with capture(execute=True):
        return client.post(f"/gestion/dons/{gift.pk}/", data)


def test_refund_reverses_the_gift_and_its_match(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    mail.outbox.clear()
    assert pools(cafe.campaign) == (500, 0)
    response = ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    gift.refresh_from_db()
    assert gift.status == "refunded" and gift.closed_at is not None
    assert Allocation.objects.get(gift=gift).status == "reversed"
    assert pools(cafe.campaign) == (0, 0)  # the public money is back in the budget
    assert Notification.objects.get(event_type="payment.refunded").status == "applied"


def test_refund_is_recorded_by_reversing_entries(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted", "gift.refunded", "match.reversed"]
    refunded = gift.entries.get(kind="gift.refunded")
    assert sorted((p.account.code.split(":")[0], p.amount_cents) for p in refunded.postings.all()) == [
        ("beneficiary_gifts", 468),
        ("provider_cash", -500),
        ("refund_losses", 32),
    ]
    # The beneficiary is owed nothing any more; the collectivité bore the provider’s fee.
    assert balance(f"beneficiary_gifts:{cafe.pk}") == 0
    assert balance(f"beneficiary_matching:{cafe.pk}") == 0
    assert balance(f"campaign_matching:{cafe.campaign_id}") == 0
    assert balance("refund_losses:") == 32
    assert gift.entries.get(kind="match.reversed").memo == "refund"


def test_establishment_totals_go_back_down(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    pay(start(cafe, 1000, email="eve@example.org"), card="5555")
    ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    cafe.refresh_from_db()
    assert (cafe.gifts_count, cafe.gifts_total_cents, cafe.matching_total_cents) == (1, 1000, 1000)


def test_donor_is_told_in_their_language(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500, email="dora@example.org", language="en")
    mail.outbox.clear()
    ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["dora@example.org"]
    assert "refunded" in message.subject
    assert message.body.startswith("Hello,")
    assert f"/en/dons/{gift.pk}/?t={gift.token}" in message.body


def test_refund_request_is_audited_with_its_reason(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    ask(client_for(personas.a, personas.a.admin), gift, reason="Doublon", capture=django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action="gift.refund_requested")
    assert (event.actor, event.data["reason"]) == (personas.a.admin, "Doublon")


def test_the_gift_waits_in_refund_requested_until_the_provider_confirms_the_refund(personas, client_for, cafe):
    gift = give(cafe, 500)
    client_for(personas.a, personas.a.finance).post(
        f"/gestion/dons/{gift.pk}/", {"amount": "5", "reason": "Doublon", "confirmed": "True"}
    )
    # No commit in this test's transaction: the sandbox has not sent its notification yet.
    gift.refresh_from_db()
    assert (gift.status, gift.match_cents, gift.match_reversed_cents) == ("refund_requested", 500, 0)
    assert SandboxEvent.objects.filter(type="payment.refunded").count() == 1
    assert entry_kinds(gift) == ["gift.received", "gift.fee", "match.posted"]


def test_a_reason_is_required(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    response = ask(
        client_for(personas.a, personas.a.finance), gift, reason="  ", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 400
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert not SandboxEvent.objects.filter(type="payment.refunded").exists()


def test_a_gift_not_yet_paid_cannot_be_refunded(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = start(cafe, 500)
    response = ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Only a confirmed gift can be refunded." in text(response) or "confirmé" in text(response)
    assert Gift.objects.get(pk=gift.pk).status == "pending"


def test_a_gift_is_refunded_once(personas, client_for, cafe, django_capture_on_commit_callbacks):
    gift = give(cafe, 500)
    client = client_for(personas.a, personas.a.finance)
    ask(client, gift, capture=django_capture_on_commit_callbacks)
    again = ask(client, gift, capture=django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert SandboxEvent.objects.filter(type="payment.refunded").count() == 1
    assert entry_kinds(gift).count("gift.refunded") == 1


@pytest.mark.parametrize("role", ["moderator", "viewer"])
def test_only_finance_officers_and_admins_may_refund(
    personas, client_for, cafe, role, django_capture_on_commit_callbacks
):
    gift = give(cafe, 500)
    response = ask(client_for(personas.a, getattr(personas.a, role)), gift, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_the_other_collectivites_finance_officer_cannot_refund(
    personas, client_for, cafe, django_capture_on_commit_callbacks
):
    gift = give(cafe, 500)
    for client in (client_for(personas.b, personas.b.finance), client_for(personas.a, personas.b.finance)):
        assert ask(client, gift, capture=django_capture_on_commit_callbacks).status_code in (403, 404)
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"


def test_refunded_budget_can_be_matched_again(personas, client_for, django_capture_on_commit_callbacks):
    """While the campaign is open, a refund's public money returns to the pool for others."""
    small = CampaignFactory(collectivite=personas.a.tenant, slug="petit-budget", matching_budget_cents=1000)
    cafe = approved_registration(small)
    first = give(cafe, 1000, email="a@example.org")
    assert first.match_cents == 1000
    assert start(cafe, 500, email="b@example.org").match_promised_cents == 0
    ask(client_for(personas.a, personas.a.finance), first, capture=django_capture_on_commit_callbacks)
    assert start(cafe, 500, email="c@example.org").match_promised_cents == 500


def test_a_gift_paid_with_a_provider_no_longer_used_is_refused_not_a_crash(
    personas, client_for, cafe, django_capture_on_commit_callbacks
):
    """The collectivité moved from Stripe back to the sandbox: the sandbox cannot refund a
    Stripe payment, and says so."""
    gift = give(cafe, 500)
    Gift.objects.filter(pk=gift.pk).update(provider="stripe", checkout_id="cs_live_paid_on_stripe")
    response = ask(client_for(personas.a, personas.a.finance), gift, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert Gift.objects.get(pk=gift.pk).status == "confirmed"
    assert not AuditEvent.objects.filter(action="gift.refund_requested").exists()
