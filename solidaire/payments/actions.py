"""The write paths of payments set-up."""

from django.db import transaction

from solidaire.audit.events import record
from solidaire.beneficiaries.models import Establishment


@transaction.atomic
def set_connect_account(*, establishment: Establishment, account_id: str, actor) -> bool:
    """Sets (or clears) the Stripe connected account paid for the establishment’s gifts.
    Returns whether it changed; a change is in the audit log with the old and new ids."""
    locked = Establishment.objects.select_for_update().get(pk=establishment.pk)
    if locked.stripe_account_id == account_id:
        return False
    before = locked.stripe_account_id
    Establishment.objects.filter(pk=locked.pk).update(stripe_account_id=account_id)
    establishment.stripe_account_id = account_id
    record(
        collectivite=locked.collectivite,
        actor=actor,
        action="payments.connect_account_changed",
        obj=locked,
        label=locked.trade_name,
        data={"before": before, "after": account_id},
    )
    return True
