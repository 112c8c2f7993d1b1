"""The gift's write paths: start it (with its match reserved), open and abandon its checkout, and
apply what the payment provider says (payment, details, refunds, disputes) — each a transition
of donations.states, applied inside the inbox's transaction.

Everything about one gift happens under its row's lock (its allocation, voucher and journal
entries only change there), so events about the same gift apply one after the other."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.audit.events import record
from solidaire.beneficiaries.models import Registration, RegistrationStatus
from solidaire.core import metrics
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents
from solidaire.ledger import journal
from solidaire.matching import engine as matching
from solidaire.matching.identity import card_key, device_key, donor_key, origin_key
from solidaire.matching.models import Allocation
from solidaire.payments.inbox import Deferred, Outcome
from solidaire.payments.models import NotificationStatus
from solidaire.payments.providers import base, provider_for
from solidaire.vouchers import actions as vouchers

from . import books, notifications, states
from .models import Dispute, DisputeStatus, Gift, GiftStatus, Refund, RefundStatus

logger = logging.getLogger(__name__)

APPLIED, IGNORED, REJECTED = NotificationStatus.APPLIED, NotificationStatus.IGNORED, NotificationStatus.REJECTED
# How long after a gift's start (or a refund's request) reconciliation first asks the provider.
RECONCILE_AFTER_MINUTES = 15


# Starting a gift -------------------------------------------------------------------------------


def check_gift(registration, amount_cents: int, now=None) -> None:
    campaign = registration.campaign
    if campaign.phase(now) != "open":
        raise ActionError(_("This campaign is not open for gifts."), code="campaign_closed")
    if registration.status != RegistrationStatus.APPROVED:
        raise ActionError(_("This establishment cannot receive gifts."), code="not_approved")
    if not campaign.min_gift_cents <= amount_cents <= campaign.max_gift_cents:
        raise ActionError(
            _("Give between %(low)s and %(high)s.")
            % {"low": format_cents(campaign.min_gift_cents), "high": format_cents(campaign.max_gift_cents)},
            field="amount",
            code="amount",
        )


def check_open_holds(*, email: str, origin: str, device: str, now) -> None:
    """Unpaid reservations cannot freeze a budget: one address, one e-mail address and one
    browser may each hold only a few at once (SOLIDAIRE_HOLDS_PER_*)."""
    holding = Gift.objects.filter(status=GiftStatus.PENDING, match_promised_cents__gt=0, reservation_expires_at__gt=now)
    limits = [
        ("donor_key", donor_key(email), settings.SOLIDAIRE_HOLDS_PER_EMAIL),
        ("origin_key", origin, settings.SOLIDAIRE_HOLDS_PER_ADDRESS),
        ("device_key", device, settings.SOLIDAIRE_HOLDS_PER_DEVICE),
    ]
    for field, key, limit in limits:
        if key and holding.filter(**{field: key}).count() >= limit:
            raise ActionError(
                _(
                    "You already have %(count)s gifts waiting for payment. Pay or cancel them before starting "
                    "another, or wait until their reservation ends."
                )
                % {"count": limit},
                code="too_many_open_gifts",
            )


@transaction.atomic
def create_gift(
    *,
    registration,
    amount_cents: int,
    email: str,
    donor_name: str = "",
    public_message: str = "",
    anonymous: bool = False,
    contact_consent: bool = False,
    voucher_reminder: bool = False,
    language: str = "fr",
    user=None,
    client_address: str = "",
    device_id: str = "",
    now=None,
) -> tuple[Gift, str]:
    """Records the gift and reserves its match. Returns the gift and its secret token (the
    donor’s key to the gift's page)."""
    now = now or timezone.now()
    registration = Registration.objects.select_related("campaign__collectivite", "establishment").get(
        pk=registration.pk
    )
    check_gift(registration, amount_cents, now)
    origin, device = origin_key(client_address), device_key(device_id)
    check_open_holds(email=email, origin=origin, device=device, now=now)
    campaign = registration.campaign
    gift = Gift.objects.create(
        collectivite=campaign.collectivite,
        campaign=campaign,
        registration=registration,
        amount_cents=amount_cents,
        email=email.strip().lower(),
        donor_key=donor_key(email),
        donor_name=donor_name.strip(),
        public_message=public_message.strip(),
        anonymous=anonymous,
        contact_consent=contact_consent,
        voucher_reminder=voucher_reminder,
        language=language[:2],
        user=user if user is not None and user.is_authenticated else None,
        origin_key=origin,
        device_key=device,
        provider=provider_for(campaign.collectivite).name,
        reconcile_after=now + timedelta(minutes=RECONCILE_AFTER_MINUTES),
    )
    matching.reserve(gift, now=now)
    gift.save(update_fields=["match_promised_cents", "match_note", "reservation_expires_at"])
    return gift, gift.token


def open_checkout(gift: Gift, *, success_url: str, cancel_url: str, notify_url: str) -> Gift:
    """Creates the provider’s hosted checkout (outside any transaction: it may be a network
    call). If the provider fails, the gift fails and its reserved match is released."""
    provider = provider_for(gift.collectivite, gift.provider)
    try:
        checkout = provider.create_checkout(gift, success_url=success_url, cancel_url=cancel_url, notify_url=notify_url)
    except base.ProviderError as exc:
        logger.warning("checkout refused for gift %s: %s", gift.pk, exc)
        with transaction.atomic():
            locked = _locked(Gift.objects.filter(pk=gift.pk))
            matching.release(locked, _allocation(locked))
            Gift.objects.filter(pk=gift.pk).update(
                status=GiftStatus.FAILED, closed_at=timezone.now(), reconcile_after=None
            )
        raise ActionError(
            _("The payment service cannot be reached. No money was taken; please try again later."), code="provider"
        ) from exc
    Gift.objects.filter(pk=gift.pk).update(checkout_id=checkout.id, checkout_url=checkout.url)
    gift.checkout_id, gift.checkout_url = checkout.id, checkout.url
    return gift


def abandon_checkout(gift: Gift) -> None:
    """The donor gives up before paying: the provider closes its page and says so, which
    releases the reserved match at once (the notification applies it, as for any expiry)."""
    if gift.status != GiftStatus.PENDING:
        return
    try:
        provider_for(gift.collectivite, gift.provider).expire_checkout(gift)
    except base.ProviderError as exc:
        logger.warning("could not close the checkout of gift %s: %s", gift.pk, exc)


# Applying the provider’s events -------------------------------------------------------------------


def _locked(gifts):
    """The gift, locked (only its own row), with its campaign. The gift's row is the lock of
    everything about the gift: its allocation, refunds, disputes, voucher and entries change only
    under it."""
    return gifts.select_for_update(of=("self",)).select_related("campaign").first()


def _allocation(gift):
    """Read once the gift is locked, in a statement of its own: read along with the lock, it
    would be what it was before the lock was granted (PostgreSQL re-reads only the locked row)."""
    return Allocation.objects.filter(gift=gift).first()


def _find_gift(event, collectivite, provider_name):
    gifts = Gift.objects.filter(collectivite=collectivite, provider=provider_name)
    if event.checkout_id:
        found = _locked(gifts.filter(checkout_id=event.checkout_id))
        if found is not None:
            return found
    if event.payment_id:
        found = _locked(gifts.filter(payment_id=event.payment_id))
        if found is not None:
            return found
    if event.gift_id:
        try:
            gift_id = uuid.UUID(str(event.gift_id))
        except ValueError:  # another application's reference on the same provider account
            return None
        return _locked(gifts.filter(pk=gift_id))
    return None


DISPUTE_EVENTS = (base.DISPUTE_OPENED, base.DISPUTE_WON, base.DISPUTE_LOST)


def amounts_problem(event, gift) -> str:
    """Why the event's amounts cannot be believed, if they cannot: a notification is applied
    only when it states the currency and the payment’s amount, as integers in the minor unit,
    equal to the gift's (a dispute: an amount it may withdraw; a refund: a total it may reach)."""
    if not isinstance(event.currency, str) or not event.currency.strip():
        return "currency missing"
    if event.currency.upper() != gift.currency:
        return f"currency {event.currency} differs from {gift.currency}"
    if event.type == base.REFUND_FAILED:  # moves no money: names a refund, not an amount
        return ""
    if event.type in DISPUTE_EVENTS:
        if not base.is_cents(event.disputed_cents) or event.disputed_cents > gift.amount_cents:
            return f"disputed amount {event.disputed_cents!r} is not an amount of this payment"
        if event.amount_cents is not None and event.amount_cents != gift.amount_cents:
            return f"amount {event.amount_cents!r} differs from {gift.amount_cents}"
        return ""
    if not base.is_cents(event.amount_cents):
        return f"amount {event.amount_cents!r} is not a whole number of cents"
    if event.amount_cents != gift.amount_cents:
        return f"amount {event.amount_cents} differs from {gift.amount_cents}"
    if event.type == base.REFUNDED and (
        not base.is_cents(event.refunded_cents) or event.refunded_cents > gift.amount_cents
    ):
        return f"refunded amount {event.refunded_cents!r} is not an amount of this payment"
    return ""


def apply_event(event, *, collectivite, provider_name: str, now=None) -> Outcome:
    """Applies one verified event inside the inbox's transaction (the inbox's handler). Raises
    Deferred when the event must wait for an earlier one."""
    now = now or timezone.now()
    gift = _find_gift(event, collectivite, provider_name)
    if gift is None:
        return Outcome(REJECTED, "unknown payment")
    problem = amounts_problem(event, gift)
    if problem:
        return Outcome(REJECTED, problem, gift)
    already = _already_decided(gift, event)
    if already:
        return Outcome(IGNORED, already, gift)
    to = states.target(gift.status, event.type)
    if to is None:
        return Outcome(IGNORED, f"gift is {gift.status}", gift)
    if to == states.DEFER:
        raise Deferred(f"the gift is {gift.status}: {event.type} waits")
    if gift.details_pending and event.type in (base.REFUNDED, *DISPUTE_EVENTS):
        raise Deferred("the payment’s fee and transfer are not known yet")
    ignored = APPLY[event.type](gift, _allocation(gift), event, now=now)
    return Outcome(IGNORED, ignored, gift) if ignored else Outcome(APPLIED, "", gift)


def _already_decided(gift, event) -> str:
    """A dispute event about a dispute already recorded (a retry, or reconciliation telling
    again what was notified): nothing to do."""
    if event.type not in DISPUTE_EVENTS:
        return ""
    dispute = Dispute.objects.filter(gift=gift, provider_dispute_id=event.dispute_id).first()
    if dispute is None:
        return ""
    if event.type == base.DISPUTE_OPENED or dispute.status != DisputeStatus.OPEN:
        return f"dispute {dispute.provider_dispute_id} is {dispute.status}"
    return ""


# Paying ------------------------------------------------------------------------------------------


def _pending(gift, allocation, event, *, now):
    gift.status = GiftStatus.PROCESSING
    gift.payment_id = event.payment_id or gift.payment_id
    gift.save(update_fields=["status", "payment_id"])


def _failed(gift, allocation, event, *, now):
    matching.release(gift, allocation)
    gift.status = GiftStatus.FAILED if event.type == base.FAILED else GiftStatus.EXPIRED
    gift.closed_at, gift.reconcile_after = now, None
    gift.save(update_fields=["status", "closed_at", "reconcile_after"])


def _confirm(gift, allocation, event, *, now):
    """The payment is confirmed: the money received, the match posted (what was promised), the
    registration's totals moved, the voucher issued and the receipt queued — in a handful of
    statements. What the provider did not say in its notification (Stripe's fee, card and Connect
    transfer) is fetched by a task afterwards and booked then (DETAILS)."""
    gift.payment_id = event.payment_id or gift.payment_id
    gift.status, gift.confirmed_at = GiftStatus.CONFIRMED, now
    gift.details_pending = not base.is_cents(event.fee_cents)
    if not gift.details_pending:
        gift.fee_cents = min(event.fee_cents, gift.amount_cents)
        gift.card_key = card_key(event.card_fingerprint) if event.card_fingerprint else ""
    gift.reconcile_after = now + timedelta(minutes=5) if gift.details_pending else None
    counts = {"gifts_count": F("gifts_count") + 1, "gifts_total_cents": F("gifts_total_cents") + gift.amount_cents}
    posted = matching.post(gift, allocation, now=now, registration_counts=counts)
    gift.match_cents, gift.match_note = posted.cents, posted.note
    journal.post_many(
        [*books.received(gift), *books.fee(gift), *posted.drafts], collectivite=gift.collectivite_id, gift=gift
    )
    gift.save(
        update_fields=[
            "payment_id",
            "status",
            "confirmed_at",
            "details_pending",
            "fee_cents",
            "card_key",
            "reconcile_after",
            "match_cents",
            "match_note",
        ]
    )
    vouchers.issue_for(gift, reminder=gift.voucher_reminder, now=now)
    notifications.receipt(gift)
    if gift.details_pending:
        notifications.fetch_details_later(gift)
    transaction.on_commit(metrics.CONFIRMATIONS.inc)  # counted once committed (docs/adr/0027)


def _details(gift, allocation, event, *, now):
    """What the payment cost and where it went, told by the provider after the confirmation:
    its fee, the card (which counts for the donor’s next reservations), and with Connect the
    transfer to the establishment and the application fee the platform kept."""
    if not gift.details_pending:
        return "details already booked"
    gift.fee_cents = min(event.fee_cents, gift.amount_cents) if base.is_cents(event.fee_cents) else 0
    transferred = event.transfer_cents if base.is_cents(event.transfer_cents) else 0
    gift.transferred_cents = min(transferred, gift.amount_cents)
    gift.application_fee_cents = gift.amount_cents - gift.transferred_cents if gift.transferred_cents else 0
    gift.details_pending, gift.reconcile_after = False, None
    if event.card_fingerprint and not gift.card_key:
        gift.card_key = card_key(event.card_fingerprint)
        matching.count_card(gift, allocation)
    journal.post_many([*books.fee(gift), *books.transfer(gift)], collectivite=gift.collectivite_id, gift=gift)
    gift.save(
        update_fields=[
            "fee_cents",
            "transferred_cents",
            "application_fee_cents",
            "details_pending",
            "reconcile_after",
            "card_key",
        ]
    )
    return ""


# Reversals: refunds and lost disputes -------------------------------------------------------------


def _reverse(gift, allocation, cents: int, drafts, *, reason: str, now) -> None:
    """What every reversal does besides its own entries: the match taken back in proportion,
    the registration's totals, the voucher, the gift's own counters (the caller sets how much was
    refunded or charged back, then the state)."""
    match = min(books.match_share(gift, cents), gift.match_standing_cents)
    drafts = [*drafts, *matching.reverse(gift, allocation, match, reason=reason)]
    journal.post_many(drafts, collectivite=gift.collectivite_id, gift=gift)
    gift.match_reversed_cents += match
    standing = gift.standing_cents - cents
    Registration.objects.filter(pk=gift.registration_id).update(
        gifts_count=F("gifts_count") - (1 if standing == 0 else 0),
        gifts_total_cents=F("gifts_total_cents") - cents,
    )
    if standing == 0:
        gift.closed_at = now


def _refunded(gift, allocation, event, *, now):
    """The provider refunded the donor: `refunded_cents` is everything refunded so far, so a
    retried, replayed or reordered notification books each cent once."""
    cents = event.refunded_cents - gift.refunded_cents
    if cents <= 0:
        return "refund already booked"
    if cents > gift.standing_cents:
        logger.error("gift %s: provider refunded %s c, only %s c stand", gift.pk, cents, gift.standing_cents)
        return f"refund of {cents} exceeds what stands ({gift.standing_cents})"
    total = event.refunded_cents
    _reverse(gift, allocation, cents, books.refunded(gift, cents, total), reason="refund", now=now)
    gift.refunded_cents = total
    refund = _refund_made(gift, event, cents, now)
    _settle(gift, now=now)
    vouchers.adjust_for(gift, standing_cents=gift.standing_cents, now=now)
    record(
        collectivite=gift.collectivite,
        actor=None,
        action="gift.refunded",
        obj=gift,
        label=f"{format_cents(cents)} / {format_cents(gift.amount_cents)}",
        data={"refund": refund.pk, "provider_refund": event.refund_id, "refunded_cents": total},
    )
    notifications.reversed_gift(gift)
    return ""


def _refund_made(gift, event, cents: int, now) -> Refund:
    """The refund the notification reports: the one asked for (the same provider id, or the same
    amount), or else one made at the provider directly — the one asked for then still waits."""
    asked = Refund.objects.filter(gift=gift, status=RefundStatus.REQUESTED)
    refund = (event.refund_id and asked.filter(provider_refund_id=event.refund_id).first()) or asked.filter(
        amount_cents=cents
    ).first()
    if refund is None:
        return Refund.objects.create(
            gift=gift,
            amount_cents=cents,
            reason="made at the payment provider",
            status=RefundStatus.SUCCEEDED,
            key=f"provider:{event.event_id}",
            provider_refund_id=event.refund_id,
            completed_at=now,
        )
    refund.status, refund.completed_at = RefundStatus.SUCCEEDED, now
    refund.provider_refund_id = refund.provider_refund_id or event.refund_id
    refund.save(update_fields=["status", "completed_at", "provider_refund_id"])
    return refund


def _refund_failed(gift, allocation, event, *, now):
    refund = Refund.objects.filter(gift=gift, status=RefundStatus.REQUESTED).first()
    if refund is None or (event.refund_id and refund.provider_refund_id not in ("", event.refund_id)):
        return "no such refund waiting"
    mark_refund_failed(gift, refund, "refused by the payment provider", now=now)
    return ""


def mark_refund_failed(gift, refund, reason: str, *, now) -> None:
    """The provider will not make the refund: the gift is back to what its money says."""
    refund.status, refund.failure, refund.completed_at = RefundStatus.FAILED, reason[:200], now
    refund.save(update_fields=["status", "failure", "completed_at"])
    if gift.status == GiftStatus.REFUND_REQUESTED:
        _settle(gift, now=now)
    record(
        collectivite=gift.collectivite,
        actor=None,
        action="gift.refund_failed",
        obj=gift,
        label=format_cents(refund.amount_cents),
        data={"refund": refund.pk, "reason": reason[:200]},
    )


def _settle(gift, *, now) -> None:
    """The paid state the gift's money says. A refund still asked for keeps the gift waiting for
    it, unless nothing is left to refund: then it can never be made."""
    asked = Refund.objects.filter(gift=gift, status=RefundStatus.REQUESTED).first()
    if asked is not None and gift.standing_cents == 0:
        asked.status, asked.failure, asked.completed_at = RefundStatus.FAILED, "nothing left to refund", now
        asked.save(update_fields=["status", "failure", "completed_at"])
        asked = None
    gift.status = states.settled(
        amount_cents=gift.amount_cents,
        refunded_cents=gift.refunded_cents,
        charged_back_cents=gift.charged_back_cents,
        refund_asked=asked is not None,
    )
    waiting = gift.status == GiftStatus.REFUND_REQUESTED
    gift.reconcile_after = now + timedelta(minutes=RECONCILE_AFTER_MINUTES) if waiting else None
    gift.save(
        update_fields=[
            "status",
            "refunded_cents",
            "charged_back_cents",
            "match_reversed_cents",
            "closed_at",
            "reconcile_after",
        ]
    )


# Disputes ----------------------------------------------------------------------------------------


def _dispute_opened(gift, allocation, event, *, now):
    """The card holder disputes the payment: the provider withdrew the funds (maybe only part)
    and its fee; the gift is disputed, what it brings the establishment frozen, its voucher on
    hold. If the voucher was already used, the redemptions go to the provider as evidence."""
    fee = event.dispute_fee_cents if base.is_cents(event.dispute_fee_cents) else 0
    dispute = Dispute.objects.create(
        gift=gift,
        provider_dispute_id=event.dispute_id or event.event_id,
        amount_cents=min(event.disputed_cents, gift.standing_cents),
        fee_cents=fee,
        opened_at=now,
        evidence=vouchers.evidence_of_use(gift),
    )
    journal.post_many(books.dispute_opened(gift, dispute), collectivite=gift.collectivite_id, gift=gift)
    gift.status, gift.reconcile_after = GiftStatus.DISPUTED, None
    gift.save(update_fields=["status", "reconcile_after"])
    vouchers.freeze_for(gift)
    _audit_dispute(gift, dispute, "gift.dispute_opened")
    if dispute.evidence:
        notifications.submit_evidence_later(gift, dispute)


def _open_dispute(gift, event) -> Dispute | None:
    return Dispute.objects.filter(gift=gift, provider_dispute_id=event.dispute_id, status=DisputeStatus.OPEN).first()


def _dispute_won(gift, allocation, event, *, now):
    dispute = _open_dispute(gift, event)
    if dispute is None:
        return "no such dispute open"
    fee_back = min(event.dispute_fee_cents, dispute.fee_cents) if base.is_cents(event.dispute_fee_cents) else 0
    journal.post_many(books.dispute_won(gift, dispute, fee_back), collectivite=gift.collectivite_id, gift=gift)
    dispute.status, dispute.closed_at = DisputeStatus.WON, now
    dispute.save(update_fields=["status", "closed_at"])
    _settle(gift, now=now)
    vouchers.unfreeze_for(gift)
    _audit_dispute(gift, dispute, "gift.dispute_won")
    return ""


def _dispute_lost(gift, allocation, event, *, now):
    """Final: the disputed funds are gone, the gift's match is taken back in proportion, what is
    left of the voucher is cancelled. The establishment bears the loss, unless it already gave the
    counterpart (the voucher was used): then the collectivité does."""
    dispute = _open_dispute(gift, event)
    if dispute is None:
        return "no such dispute open"
    dispute.status, dispute.closed_at = DisputeStatus.LOST, now
    dispute.borne_by_collectivite = vouchers.was_used(gift)
    dispute.save(update_fields=["status", "closed_at", "borne_by_collectivite"])
    # What the dispute froze is owed again first, so that the loss is taken from it.
    journal.post_many(books.dispute_unfrozen(gift, dispute), collectivite=gift.collectivite_id, gift=gift)
    cents = dispute.amount_cents
    _reverse(gift, allocation, cents, books.dispute_lost(gift, dispute), reason="dispute lost", now=now)
    gift.charged_back_cents += cents
    _settle(gift, now=now)
    vouchers.cancel_for(gift, now=now)
    _audit_dispute(gift, dispute, "gift.dispute_lost")
    notifications.reversed_gift(gift)
    return ""


def _audit_dispute(gift, dispute, action) -> None:
    record(
        collectivite=gift.collectivite,
        actor=None,
        action=action,
        obj=gift,
        label=f"{format_cents(dispute.amount_cents)} / {format_cents(gift.amount_cents)}",
        data={"dispute": dispute.provider_dispute_id, "borne_by_collectivite": dispute.borne_by_collectivite},
    )


APPLY = {
    base.PENDING: _pending,
    base.SUCCEEDED: _confirm,
    base.FAILED: _failed,
    base.EXPIRED: _failed,
    base.DETAILS: _details,
    base.REFUNDED: _refunded,
    base.REFUND_FAILED: _refund_failed,
    base.DISPUTE_OPENED: _dispute_opened,
    base.DISPUTE_WON: _dispute_won,
    base.DISPUTE_LOST: _dispute_lost,
}
