"""What the donations tests share: a refund asked by the finance officer and applied when the
sandbox's notification arrives, and small readers of the journal and the pools."""

from django.test import TestCase

from solidaire.donations import actions
from solidaire.ledger.models import Posting
from solidaire.matching.models import Pool
from solidaire.payments.models import SandboxCheckout
from solidaire.payments.providers import provider_for


def refund(gift, actor=None, reason="Erreur de montant"):
    """Asks the sandbox for a refund; its notification is delivered at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.request_refund(gift=gift, actor=actor, reason=reason)
    gift.refresh_from_db()
    return gift


def chargeback(gift):
    with TestCase.captureOnCommitCallbacks(execute=True):
        provider_for(gift.collectivite).dispute(SandboxCheckout.objects.get(pk=gift.checkout_id))
    gift.refresh_from_db()
    return gift


def pools(campaign) -> tuple[int, int]:
    """(used, reserved) public money of the campaign, in cents."""
    rows = Pool.objects.filter(campaign=campaign)
    return sum(p.used_cents for p in rows), sum(p.reserved_cents for p in rows)


def entry_kinds(gift) -> list[str]:
    return list(gift.entries.order_by("pk").values_list("kind", flat=True))


def balance(code_prefix: str) -> int:
    """Debits minus credits of the accounts whose code starts with `code_prefix`."""
    return sum(Posting.objects.filter(account__code__startswith=code_prefix).values_list("amount_cents", flat=True))
