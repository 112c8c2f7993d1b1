"""What the donations tests share: a refund asked by the finance officer and applied when the
sandbox's notification arrives, and small readers of the journal and the pools."""

from django.test import TestCase

from solidaire.donations import refunds
from solidaire.ledger.models import Posting
from solidaire.matching.models import Pool
from solidaire.payments.providers import provider_for


def refund(gift, actor=None, reason="Erreur de montant", amount_cents=None):
    """Asks the sandbox for a refund (of all that is left, unless told); its notification is
    delivered at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        refunds.request_refund(gift=gift, amount_cents=amount_cents, actor=actor, reason=reason)
    gift.refresh_from_db()
    return gift


def open_dispute(gift, amount_cents=None):
    """The card holder disputes the payment on the sandbox's page (as their bank would)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider_for(gift.collectivite).open_dispute(gift.checkout_id, amount_cents)
    gift.refresh_from_db()
    return gift


def decide_dispute(gift, *, won: bool):
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider_for(gift.collectivite).close_dispute(gift.checkout_id, won=won)
    gift.refresh_from_db()
    return gift


def chargeback(gift):
    """A dispute opened and lost: the gift is reversed."""
    return decide_dispute(open_dispute(gift), won=False)


def pools(campaign) -> tuple[int, int]:
    """(used, reserved) public money of the campaign, in cents."""
    rows = Pool.objects.filter(campaign=campaign)
    return sum(p.used_cents for p in rows), sum(p.reserved_cents for p in rows)


def entry_kinds(gift) -> list[str]:
    return list(gift.entries.order_by("pk").values_list("kind", flat=True))


def balance(code_prefix: str) -> int:
    """Debits minus credits of the accounts whose code starts with `code_prefix`."""
    return sum(Posting.objects.filter(account__code__startswith=code_prefix).values_list("amount_cents", flat=True))
