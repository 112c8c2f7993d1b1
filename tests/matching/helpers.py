"""What the ledger and matching tests share: a campaign with the rules under test, provider
events delivered to the notification inbox as a provider sends them, and what an accountant
reads back — the journal's balances and the pools' figures."""

import itertools
from datetime import timedelta

from django.db.models import Sum
from django.test import TestCase
from django.utils import timezone

from solidaire.donations import actions, refunds
from solidaire.ledger.checks import check_all
from solidaire.ledger.journal import balance
from solidaire.ledger.models import Account, AccountKind
from solidaire.matching.models import Allocation, Pool
from solidaire.payments import inbox
from solidaire.payments.providers import base, provider_for
from solidaire.payments.providers.sandbox import fee_for, fingerprint_for

from ..factories import CampaignFactory
from ..gifts import pay, start

_events = itertools.count(1)

SUCCEEDED, PENDING, FAILED, EXPIRED = base.SUCCEEDED, base.PENDING, base.FAILED, base.EXPIRED
REFUNDED, DISPUTE_OPENED, DISPUTE_WON, DISPUTE_LOST = (
    base.REFUNDED,
    base.DISPUTE_OPENED,
    base.DISPUTE_WON,
    base.DISPUTE_LOST,
)
DISPUTES = (DISPUTE_OPENED, DISPUTE_WON, DISPUTE_LOST)


def campaign_for(side, **rules):
    """An open campaign of `side`'s collectivité: gifts of 3 to 10 €, doubled, from a large
    budget unless the test says otherwise."""
    return CampaignFactory(collectivite=side.tenant, **rules)


def split_budget(campaign, capacities: list[int]) -> list[Pool]:
    """Lays the campaign’s (untouched) budget out in pools of these capacities — as a campaign
    large enough for several pools would have them, at a size where partial matches happen."""
    assert sum(capacities) == campaign.matching_budget_cents
    Pool.objects.filter(campaign=campaign).delete()
    return Pool.objects.bulk_create(
        [Pool(campaign=campaign, index=i, capacity_cents=c) for i, c in enumerate(capacities)]
    )


def give(registration, amount_cents=500, email="donor@example.org", *, outcome="success", card=None, **kwargs):
    """A gift started and paid on the sandbox's hosted page. Each donor pays with a card of
    their own unless `card` says otherwise (the same card is the same person for the limits)."""
    return pay(start(registration, amount_cents, email, **kwargs), outcome, card or email)


def begin(registration, amount_cents=500, email="donor@example.org", *, minutes_ago=0, **kwargs):
    """A gift started through the form's write path (its match reserved), without opening a
    checkout: events then find it by its id. `minutes_ago` starts it in the past, so that its
    reservation may already have run out."""
    now = timezone.now() - timedelta(minutes=minutes_ago)
    gift, _token = actions.create_gift(
        registration=registration, amount_cents=amount_cents, email=email, now=now, **kwargs
    )
    return gift


def event(
    gift,
    kind,
    *,
    card="4242",
    event_id=None,
    amount_cents=None,
    currency="EUR",
    refunded_cents=None,
    disputed_cents=None,
    dispute_id=None,
    dispute_fee_cents=0,
) -> base.PaymentEvent:
    """A verified, normalised provider event about `gift`, as the sandbox would send it: a
    refund of all of it, a dispute of all of it (with the gift's own dispute id) unless told."""
    return base.PaymentEvent(
        event_id=event_id or f"evt_test_{next(_events)}",
        type=kind,
        checkout_id=gift.checkout_id,
        payment_id=f"pay_{gift.pk.hex[:12]}",
        gift_id=str(gift.pk),
        amount_cents=gift.amount_cents if amount_cents is None else amount_cents,
        currency=currency,
        fee_cents=fee_for(gift.amount_cents) if kind == SUCCEEDED else None,
        card_fingerprint=fingerprint_for(card) if kind in (SUCCEEDED, PENDING) else "",
        refunded_cents=(gift.amount_cents if refunded_cents is None else refunded_cents) if kind == REFUNDED else None,
        dispute_id=(dispute_id or f"dp_{gift.pk.hex[:10]}") if kind in DISPUTES else "",
        disputed_cents=(gift.amount_cents if disputed_cents is None else disputed_cents) if kind in DISPUTES else None,
        dispute_fee_cents=dispute_fee_cents if kind in DISPUTES else None,
    )


def deliver(gift, payment_event: base.PaymentEvent):
    """Hands the event to the notification inbox; returns (HTTP status, notification) and
    refreshes the gift."""
    status, notification = inbox.apply(collectivite=gift.collectivite, provider_name=gift.provider, event=payment_event)
    gift.refresh_from_db()
    return status, notification


def notify(gift, kind, **kwargs):
    """Delivers a fresh event of this kind about the gift; returns the HTTP status."""
    status, _notification = deliver(gift, event(gift, kind, **kwargs))
    return status


def confirm(gift, card="4242"):
    notify(gift, SUCCEEDED, card=card)
    return gift


def charge_back(gift, **kwargs):
    """The card holder’s bank opens a dispute of the whole gift and decides it for them."""
    notify(gift, DISPUTE_OPENED, **kwargs)
    notify(gift, DISPUTE_LOST, **kwargs)
    return gift


def refund_through_provider(gift, actor, amount_cents=None):
    """A finance officer asks for the refund; the sandbox's notification applies it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        refunds.request_refund(gift=gift, amount_cents=amount_cents, actor=actor, reason="Don en double")
    gift.refresh_from_db()
    return gift


def chargeback_through_provider(gift, *, won=False, amount_cents=None):
    """The card holder disputes the payment at the sandbox, and the bank decides; the sandbox's
    notifications apply it."""
    provider = provider_for(gift.collectivite)
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider.open_dispute(gift.checkout_id, amount_cents)
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider.close_dispute(gift.checkout_id, won=won)
    gift.refresh_from_db()
    return gift


# What an accountant reads ----------------------------------------------------------------------


def pools_of(campaign) -> dict:
    """The campaign’s pools summed: capacity, used (matched) and reserved (held)."""
    row = Pool.objects.filter(campaign=campaign).aggregate(
        capacity=Sum("capacity_cents"), used=Sum("used_cents"), reserved=Sum("reserved_cents")
    )
    return {key: value or 0 for key, value in row.items()}


def _balance_of(kind, **owner) -> int:
    account = Account.objects.filter(kind=kind, **owner).first()
    return 0 if account is None else balance(account)


def public_money_matched(campaign) -> int:
    """The journal's word: the debit balance of the campaign’s matching commitment."""
    return _balance_of(AccountKind.CAMPAIGN_MATCHING, campaign=campaign)


def owed_from_matching(registration) -> int:
    """What the beneficiary is owed from matching (its payable's credit balance)."""
    return -_balance_of(AccountKind.BENEFICIARY_MATCHING, registration=registration)


def owed_from_gifts(registration) -> int:
    return -_balance_of(AccountKind.BENEFICIARY_GIFTS, registration=registration)


def allocation_of(gift):
    return Allocation.objects.filter(gift=gift).first()


def assert_ledger_holds():
    violations = check_all()
    assert violations == [], [str(v) for v in violations]
