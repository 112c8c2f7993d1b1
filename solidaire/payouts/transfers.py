"""Payouts through the payment provider (a provider batch, gifts only): once the batch is marked
sent, each line becomes a transfer from the platform’s balance to the beneficiary’s account at the
provider — asked outside any transaction, once per line whatever the retries (the idempotency key
is the line's end-to-end id) — and the provider’s notifications confirm it: a transfer made marks
its line paid, a transfer reversed marks it failed (the amount is owed again). A notification that
does not match a line exactly (amount, currency, account, transfer) changes nothing."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from solidaire.core.errors import ActionError
from solidaire.payments.inbox import Deferred, Outcome
from solidaire.payments.models import NotificationStatus
from solidaire.payments.providers import ProviderError, provider_for
from solidaire.payments.providers.base import TRANSFER_FAILED, TRANSFER_PAID, is_cents
from solidaire.tenants.resolution import tenant_url

from . import actions
from .models import Batch, BatchStatus, Line, LineStatus, Route

logger = logging.getLogger(__name__)


def idempotency_key(line) -> str:
    return f"payout-{line.end_to_end_id}"


def send_transfers(batch_id: int) -> tuple[int, int]:
    """Asks the provider for the transfer of every line of a sent provider batch that has none yet;
    returns (asked, failed to ask). Safe to run again: a line asked before is the same transfer."""
    batch = Batch.objects.select_related("collectivite").filter(pk=batch_id, route=Route.PROVIDER).first()
    if batch is None or batch.status != BatchStatus.SENT:
        return 0, 0
    provider = provider_for(batch.collectivite, batch.provider)
    with translation.override(settings.LANGUAGE_CODE):
        notify_url = tenant_url(batch.collectivite, reverse("payments:notifications", args=[batch.provider]))
    asked = failed = 0
    for line in batch.lines.filter(status=LineStatus.PENDING, transfer_id="").order_by("pk"):
        try:
            transfer_id = provider.create_transfer(
                amount_cents=line.amount_cents,
                currency="EUR",
                destination=line.destination,
                reference=line.end_to_end_id,
                group=batch.reference,
                key=idempotency_key(line),
                notify_url=notify_url,
            )
        except ProviderError as exc:
            logger.warning("transfer of payout line %s not made yet: %s", line.end_to_end_id, exc)
            failed += 1
            continue
        # Recorded if the notification did not record it first.
        Line.objects.filter(pk=line.pk, transfer_id="").update(transfer_id=transfer_id)
        asked += 1
    return asked, failed


def apply_transfer_event(event, *, collectivite, provider_name: str) -> Outcome:
    """The inbox's handler for the provider’s transfer notifications (run in its transaction)."""
    line = (
        Line.objects.select_related("batch")
        .filter(
            end_to_end_id=event.reference,
            batch__collectivite=collectivite,
            batch__route=Route.PROVIDER,
            batch__provider=provider_name,
        )
        .first()
        if event.reference
        else None
    )
    if line is None:
        return Outcome(NotificationStatus.IGNORED, "not a transfer of a payout batch")
    problem = _mismatch(event, line)
    if problem:
        return Outcome(NotificationStatus.REJECTED, problem)
    if line.batch.status not in (BatchStatus.SENT, BatchStatus.SETTLED):
        raise Deferred("the batch is not marked sent yet")
    Line.objects.filter(pk=line.pk, transfer_id="").update(transfer_id=event.transfer_id)
    line.transfer_id = event.transfer_id
    try:
        if event.type == TRANSFER_PAID:
            if line.status != LineStatus.PENDING:
                return Outcome(NotificationStatus.IGNORED, f"the line is {line.status} already")
            actions.mark_paid(batch=line.batch, actor=None, lines=[line], by_provider=True)
        elif event.type == TRANSFER_FAILED:
            if line.status == LineStatus.PAID:
                # The money came back after the line was paid: a person looks into it.
                return Outcome(NotificationStatus.REJECTED, "transfer reversed after its line was marked paid")
            if line.status != LineStatus.PENDING:
                return Outcome(NotificationStatus.IGNORED, f"the line is {line.status} already")
            with translation.override(settings.LANGUAGE_CODE):
                reason = gettext("Transfer reversed by the payment provider")
            actions.mark_failed(line=line, actor=None, reason=reason, by_provider=True)
        else:
            return Outcome(NotificationStatus.IGNORED, "not a transfer event")
    except ActionError as exc:
        return Outcome(NotificationStatus.REJECTED, str(exc.message))
    return Outcome(NotificationStatus.APPLIED)


def _mismatch(event, line) -> str:
    if not is_cents(event.transfer_cents) or event.transfer_cents != line.amount_cents:
        return "the transfer's amount is not the line's"
    if str(event.currency or "").upper() != "EUR":
        return "the transfer's currency is not the euro"
    if event.destination != line.destination:
        return "the transfer went to another account than the line's"
    if line.transfer_id and event.transfer_id != line.transfer_id:
        return "another transfer than the one made for the line"
    return ""
