"""The gift's states and what moves it between them: one table, read by the write paths
(donations.actions) and by the tests' model of the provider (tests/matching/test_stateful.py).

Events are the providers' normalised events (payments.providers.base) and one of our own, the
finance officer's refund request. A transition's target is a state, or:

- SETTLED: the paid state the money says — confirmed (nothing reversed), partly refunded
  (something reversed, something left), refunded or charged back (nothing left; charged back when
  a dispute took the last of it) — or "refund requested" again while a refund asked for is still
  to be made (another refund, made at the provider directly, or a dispute came in between);
- DEFER: the event cannot apply before an earlier one (a refund before its payment’s
  confirmation): the provider sends it again later;
- SAME: the event changes what the gift's books say, not its state (a payment’s details).

Any pair missing from the table changes nothing (the notification is "ignored")."""

from solidaire.payments.providers import base

from .models import GiftStatus as S

REFUND_REQUESTED = "refund.requested"  # ours: a finance officer asks for a refund

SETTLED = "settled"
DEFER = "defer"
SAME = "same"

_PAID = (S.CONFIRMED, S.PARTLY_REFUNDED)
_REFUNDABLE = (S.CONFIRMED, S.PARTLY_REFUNDED, S.REFUND_REQUESTED)

TRANSITIONS: dict[tuple[str, str], str] = {
    # Paying.
    (S.PENDING, base.PENDING): S.PROCESSING,
    **{(state, base.SUCCEEDED): S.CONFIRMED for state in (S.PENDING, S.PROCESSING, S.FAILED, S.EXPIRED)},
    (S.PENDING, base.FAILED): S.FAILED,
    (S.PROCESSING, base.FAILED): S.FAILED,
    (S.PENDING, base.EXPIRED): S.EXPIRED,
    # Nothing else can happen to a payment that is not confirmed yet: it waits.
    **{
        (state, event): DEFER
        for state in (S.PENDING, S.PROCESSING)
        for event in (base.REFUNDED, base.REFUND_FAILED, base.DISPUTE_OPENED, base.DISPUTE_WON, base.DISPUTE_LOST)
    },
    **{(state, base.DETAILS): DEFER for state in (S.PENDING, S.PROCESSING)},
    # Paid: details, refunds, disputes.
    **{(state, base.DETAILS): SAME for state in (*_REFUNDABLE, S.DISPUTED, S.REFUNDED, S.CHARGED_BACK)},
    **{(state, REFUND_REQUESTED): S.REFUND_REQUESTED for state in _PAID},
    **{(state, base.REFUNDED): SETTLED for state in _REFUNDABLE},
    (S.REFUND_REQUESTED, base.REFUND_FAILED): SETTLED,
    **{(state, base.DISPUTE_OPENED): S.DISPUTED for state in _REFUNDABLE},
    (S.DISPUTED, base.DISPUTE_WON): SETTLED,
    (S.DISPUTED, base.DISPUTE_LOST): SETTLED,
    # Providers refuse to refund a disputed payment; if one says it did, it is applied once the
    # dispute is decided.
    (S.DISPUTED, base.REFUNDED): DEFER,
}


def target(status: str, event_type: str) -> str | None:
    """Where `event_type` takes a gift in `status` (None: nowhere, the event is ignored)."""
    return TRANSITIONS.get((status, event_type))


def settled(*, amount_cents: int, refunded_cents: int, charged_back_cents: int, refund_asked: bool = False) -> str:
    """The paid state the money says."""
    if refund_asked and refunded_cents + charged_back_cents < amount_cents:
        return S.REFUND_REQUESTED
    if refunded_cents + charged_back_cents == 0:
        return S.CONFIRMED
    if refunded_cents + charged_back_cents < amount_cents:
        return S.PARTLY_REFUNDED
    return S.CHARGED_BACK if charged_back_cents else S.REFUNDED
