"""The write paths of payouts: prepare a batch (its lines frozen, the money moved from what is
owed into the batch, in one transaction), cancel it (until approved), approve it (another finance
officer, with two-factor authentication; its files made and kept), mark it sent, mark lines paid
or failed (by hand, or from the bank’s statement). Each is one transaction, audited; nothing is
ever paid twice: a line's money leaves the beneficiary’s payable when the batch is prepared, and
comes back only if the batch is cancelled or the line fails."""

import hashlib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.mfa import has_two_factor
from solidaire.audit.events import record
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents
from solidaire.ledger import journal
from solidaire.ledger.journal import Draft
from solidaire.ledger.models import AccountKind
from solidaire.payments.providers import ProviderError, provider_for
from solidaire.tenants.models import Collectivite

from . import documents, states, tasks
from .account import clean_iban
from .models import Batch, BatchStatus, Channel, Document, Line, LineStatus, PayoutSettings, Route
from .owed import IN_BATCH, PAYABLE, bic_of, owed


def next_business_day(day):
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _lock_collectivite(collectivite_id) -> Collectivite:
    """Batches of a collectivité are prepared one at a time: two finance officers preparing at
    the same moment wait for each other, so no euro is put in two batches."""
    return Collectivite.objects.select_for_update(of=("self",)).get(pk=collectivite_id)


def _reference(collectivite, now) -> str:
    year = timezone.localtime(now).year
    count = Batch.objects.filter(collectivite=collectivite, reference__startswith=f"VRS-{year}-").count()
    return f"VRS-{year}-{count + 1:04d}"


def _accounts(line_or_registration, channel, collectivite_id):
    registration_id = getattr(line_or_registration, "registration_id", getattr(line_or_registration, "pk", None))

    def account(kind):
        return journal.account(kind, collectivite=collectivite_id, registration=registration_id)

    return account(PAYABLE[channel]), account(IN_BATCH[channel]), account(AccountKind.BENEFICIARY_RECOVERABLE)


def _paid_from(batch):
    """The collectivité’s public accountant pays both the match and, where the provider does not
    pay establishments itself, the gifts (from what the provider paid out to the collectivité); a
    provider batch is paid from the platform’s balance at the provider."""
    if batch.route == Route.PROVIDER:
        return journal.account(AccountKind.PROVIDER_CASH, collectivite=batch.collectivite_id, provider=batch.provider)
    return journal.account(AccountKind.TREASURY_PAYOUTS, collectivite=batch.collectivite_id)


def transfer_provider(collectivite, channel: str, route: str):
    """The payment provider that makes a provider batch's transfers (None for the bank route), or
    ActionError when the batch cannot be paid that way."""
    if route not in Route.values:
        raise ActionError(_("Choose how the batch is paid."), field="route")
    if route == Route.BANK:
        return None
    if channel != Channel.GIFTS:
        raise ActionError(
            _("Only the gifts can be paid through the payment provider: the public match is paid by the accountant."),
            field="route",
        )
    try:
        provider = provider_for(collectivite)
    except ProviderError as exc:
        raise ActionError(_("The payment provider is not set up."), field="route") from exc
    if not provider.can_transfer():
        raise ActionError(
            _("The payment provider cannot pay the beneficiaries' own accounts (switch on Stripe Connect)."),
            field="route",
        )
    return provider


def _check(table_target, status, action, message):
    target = table_target(status, action)
    if target is None:
        raise ActionError(message, code="state")
    return target


# Preparing and cancelling -------------------------------------------------------------------------


@transaction.atomic
def prepare_batch(
    *,
    campaign,
    channel: str,
    actor,
    cutoff=None,
    decision_reference: str = "",
    execution_date=None,
    route: str = Route.BANK,
    now=None,
) -> Batch:
    now = now or timezone.now()
    cutoff = cutoff or now
    if channel not in Channel.values:
        raise ActionError(_("Choose what the batch pays."), field="channel")
    if cutoff > now:
        raise ActionError(_("The cut-off date cannot be in the future."), field="cutoff")
    execution_date = execution_date or next_business_day(timezone.localdate(now))
    if execution_date < timezone.localdate(now):
        raise ActionError(_("The execution date cannot be in the past."), field="execution_date")
    collectivite = _lock_collectivite(campaign.collectivite_id)
    provider = transfer_provider(collectivite, channel, route)
    payable = [
        item for item in owed(campaign, channel, cutoff=cutoff, route=route, provider=provider) if not item.apart
    ]
    if not payable:
        raise ActionError(_("Nobody can be paid in this campaign up to this date."), code="nothing_owed")
    batch = Batch.objects.create(
        collectivite=collectivite,
        campaign=campaign,
        channel=channel,
        route=route,
        provider=provider.name if provider else "",
        reference=_reference(collectivite, now),
        cutoff=cutoff,
        decision_reference=decision_reference.strip(),
        execution_date=execution_date,
        prepared_by=actor,
        prepared_at=now,
        total_cents=sum(item.amount_cents for item in payable),
        lines_count=len(payable),
    )
    lines = Line.objects.bulk_create(
        [
            Line(
                batch=batch,
                registration=item.registration,
                legal_name=item.registration.establishment.legal_name,
                identifier=item.registration.establishment.legal_identifier,
                account_holder=item.registration.establishment.account_holder,
                iban=item.registration.establishment.iban.replace(" ", "").upper(),
                bic=bic_of(item.registration.establishment.iban),
                gross_cents=item.gross_cents,
                offset_cents=item.offset_cents,
                amount_cents=item.amount_cents,
                gifts_count=item.gifts_count,
                # Unique across collectivités (each numbers its batches): the bank echoes it back.
                end_to_end_id=f"{batch.reference}-{collectivite.pk}-{n:05d}",
                destination=item.destination,
            )
            for n, item in enumerate(payable, start=1)
        ]
    )
    drafts = []
    for line in lines:
        owed_account, in_batch, recoverable = _accounts(line, channel, collectivite.pk)
        drafts.append(
            Draft(
                "payout.committed",
                f"payout:{line.end_to_end_id}:committed",
                [(owed_account, line.gross_cents), (recoverable, -line.offset_cents), (in_batch, -line.amount_cents)],
            )
        )
    journal.post_many(drafts, collectivite=collectivite.pk)
    record(
        collectivite=collectivite,
        actor=actor,
        action="payout.batch_prepared",
        obj=batch,
        label=f"{batch.reference} — {format_cents(batch.total_cents)}",
        data={"lines": batch.lines_count, "total_cents": batch.total_cents, "channel": channel},
    )
    return batch


def _lock_batch(batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=batch.pk)


def _give_back(line, batch, kind: str) -> Draft:
    """The line's money back to what the beneficiary is owed (the batch cancelled, or the transfer
    failed): the reverse of its commitment."""
    owed_account, in_batch, recoverable = _accounts(line, batch.channel, batch.collectivite_id)
    return Draft(
        f"payout.{kind}",
        f"payout:{line.end_to_end_id}:{kind}",
        [(in_batch, line.amount_cents), (recoverable, line.offset_cents), (owed_account, -line.gross_cents)],
    )


@transaction.atomic
def cancel_batch(*, batch, actor, now=None) -> Batch:
    batch = _lock_batch(batch)
    status = _check(
        states.batch_target, batch.status, states.CANCEL, _("Only a batch waiting for approval can be cancelled.")
    )
    lines = list(batch.lines.filter(status=LineStatus.PENDING))
    journal.post_many([_give_back(line, batch, "cancelled") for line in lines], collectivite=batch.collectivite_id)
    batch.lines.filter(status=LineStatus.PENDING).update(status=LineStatus.CANCELLED)
    batch.status, batch.cancelled_by, batch.cancelled_at = status, actor, now or timezone.now()
    batch.save(update_fields=["status", "cancelled_by", "cancelled_at"])
    record(
        collectivite=batch.collectivite, actor=actor, action="payout.batch_cancelled", obj=batch, label=batch.reference
    )
    return batch


# Approving: four eyes, and the files --------------------------------------------------------------


@transaction.atomic
def approve_batch(*, batch, actor, require_two_factor: bool | None = None, now=None) -> Batch:
    """By another finance officer than the one who prepared it, with two-factor authentication
    (`require_two_factor` defaults to SOLIDAIRE_PAYOUTS_REQUIRE_2FA). Its files are made now,
    from the frozen lines, validated, and kept with their SHA-256: they do not change after."""
    batch = _lock_batch(batch)
    status = _check(
        states.batch_target, batch.status, states.APPROVE, _("Only a batch waiting for approval can be approved.")
    )
    if actor.pk == batch.prepared_by_id:
        raise ActionError(_("A batch is approved by someone other than the person who prepared it."), code="four_eyes")
    require = settings.SOLIDAIRE_PAYOUTS_REQUIRE_2FA if require_two_factor is None else require_two_factor
    if require and not has_two_factor(actor):
        raise ActionError(_("Switch on two-factor authentication before approving a payment."), code="two_factor")
    account = PayoutSettings.objects.filter(collectivite=batch.collectivite_id).first()
    if batch.route == Route.PROVIDER:
        account = None  # the provider moves the money: no SEPA file
    elif account is None:
        raise ActionError(_("Give the collectivité’s bank account in the payout settings first."), code="no_account")
    try:
        if account is not None:
            clean_iban(account.iban)
    except ActionError as exc:
        raise ActionError(
            _("The IBAN of the account payments leave from is not valid: correct it in the payout settings."),
            code="no_account",
        ) from exc
    now = now or timezone.now()
    batch.status, batch.approved_by, batch.approved_at = status, actor, now
    batch.save(update_fields=["status", "approved_by", "approved_at"])
    lines = list(batch.lines.filter(status=LineStatus.PENDING).order_by("end_to_end_id"))
    made = documents.make_all(batch, lines, account)  # validated: an invalid SEPA file refuses the approval
    Document.objects.bulk_create(
        [
            Document(batch=batch, kind=kind, name=name, content=content, sha256=hashlib.sha256(content).hexdigest())
            for kind, (name, content) in made.items()
        ]
    )
    record(
        collectivite=batch.collectivite,
        actor=actor,
        action="payout.batch_approved",
        obj=batch,
        label=f"{batch.reference} — {format_cents(batch.total_cents)}",
        data={"prepared_by": batch.prepared_by.email, "approved_by": actor.email},
    )
    return batch


# Sent, paid, failed -----------------------------------------------------------------------------


@transaction.atomic
def mark_sent(*, batch, actor, now=None) -> Batch:
    batch = _lock_batch(batch)
    status = _check(states.batch_target, batch.status, states.SEND, _("Only an approved batch can be sent."))
    batch.status, batch.sent_by, batch.sent_at = status, actor, now or timezone.now()
    batch.save(update_fields=["status", "sent_by", "sent_at"])
    record(collectivite=batch.collectivite, actor=actor, action="payout.batch_sent", obj=batch, label=batch.reference)
    # Once the batch is surely sent (after the commit), the worker asks the provider for the
    # transfers of a provider batch, and tells the owners.
    if batch.route == Route.PROVIDER:
        transaction.on_commit(partial(tasks.send_transfers.delay, batch.pk))
    transaction.on_commit(partial(tasks.send_payment_sent.delay, batch.pk))
    return batch


@transaction.atomic
def mark_paid(*, batch, actor, lines=None, by_provider: bool = False, now=None) -> list[Line]:
    """The bank made these transfers (all that are still to be paid, by default); for a provider
    batch, only the provider’s notification says so (`by_provider`)."""
    batch = _lock_batch(batch)
    if batch.status != BatchStatus.SENT:
        raise ActionError(_("Lines can be marked paid only once their batch has been sent to the bank."), code="state")
    if batch.route == Route.PROVIDER and not by_provider:
        raise ActionError(
            _("The payment provider confirms its transfers itself: its notifications mark them paid."), code="provider"
        )
    now = now or timezone.now()
    pending = batch.lines.select_for_update().filter(status=LineStatus.PENDING)
    if lines is not None:
        pending = pending.filter(pk__in=[getattr(line, "pk", line) for line in lines])
    paid = list(pending.order_by("pk"))
    if lines is not None and len(paid) != len(lines):
        raise ActionError(_("Only lines of this batch that are still to be paid can be marked paid."), code="state")
    source = _paid_from(batch)
    drafts = []
    for line in paid:
        _owed, in_batch, _recoverable = _accounts(line, batch.channel, batch.collectivite_id)
        drafts.append(
            Draft(
                "payout.paid",
                f"payout:{line.end_to_end_id}:paid",
                [(in_batch, line.amount_cents), (source, -line.amount_cents)],
            )
        )
        line.status, line.paid_at = states.line_target(line.status, states.PAY), now
    journal.post_many(drafts, collectivite=batch.collectivite_id)
    Line.objects.bulk_update(paid, ["status", "paid_at"])
    if paid:
        record(
            collectivite=batch.collectivite,
            actor=actor,
            action="payout.lines_paid",
            obj=batch,
            label=f"{batch.reference} — {len(paid)} × {format_cents(sum(line.amount_cents for line in paid))}",
            data={"lines": [line.end_to_end_id for line in paid]},
        )
    _settle_if_done(batch, now)
    return paid


@transaction.atomic
def mark_failed(*, line, actor, reason: str, by_provider: bool = False, now=None) -> Line:
    """The bank returned the transfer (or the provider reversed it): the amount is owed again, and
    waits for the next batch. A provider’s transfer already made fails only by its notification."""
    if not reason.strip():
        raise ActionError(_("Give the reason the bank gave."), field="reason")
    batch = _lock_batch(line.batch)
    line = Line.objects.select_for_update().get(pk=line.pk, batch=batch)
    if batch.route == Route.PROVIDER and line.transfer_id and not by_provider:
        raise ActionError(
            _("The payment provider made this transfer: only its reversal marks it failed."), code="provider"
        )
    if batch.status != BatchStatus.SENT:
        raise ActionError(_("A line can be marked failed only once its batch has been sent to the bank."), code="state")
    status = _check(states.line_target, line.status, states.FAIL, _("Only a line still to be paid can fail."))
    now = now or timezone.now()
    journal.post_many([_give_back(line, batch, "failed")], collectivite=batch.collectivite_id)
    line.status, line.failure_reason, line.failed_at = status, reason.strip()[:200], now
    line.save(update_fields=["status", "failure_reason", "failed_at"])
    record(
        collectivite=batch.collectivite,
        actor=actor,
        action="payout.line_failed",
        obj=batch,
        label=f"{line.end_to_end_id} — {line.legal_name}",
        data={"reason": line.failure_reason, "amount_cents": line.amount_cents},
    )
    _settle_if_done(batch, now)
    return line


def _settle_if_done(batch, now) -> None:
    if batch.status == BatchStatus.SENT and not batch.lines.filter(status=LineStatus.PENDING).exists():
        batch.status, batch.settled_at = states.batch_target(batch.status, states.SETTLE), now
        batch.save(update_fields=["status", "settled_at"])
