"""The gift's write paths: start (with the match reserved), apply what the payment provider
says (confirmation, failure, expiry, refund, chargeback), and ask for a refund."""

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
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents
from solidaire.ledger import journal
from solidaire.ledger.models import AccountKind
from solidaire.matching import engine as matching
from solidaire.payments.models import NotificationStatus
from solidaire.payments.providers import base, provider_for

from . import notifications
from .models import OPEN_STATUSES, PAID_STATUSES, Gift, GiftStatus, card_key, donor_key

logger = logging.getLogger(__name__)


class Deferred(Exception):
    """The event cannot apply yet (a refund before its payment's confirmation): the provider
    will send it again."""


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
    now=None,
) -> tuple[Gift, str]:
    """Records the gift and reserves its match. Returns the gift and its secret token (the
    donor's key to the gift's page)."""
    now = now or timezone.now()
    registration = Registration.objects.select_related("campaign__collectivite", "establishment").get(
        pk=registration.pk
    )
    check_gift(registration, amount_cents, now)
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
        provider=provider_for(campaign.collectivite).name,
    )
    matching.reserve(gift, expires_at=now + timedelta(minutes=settings.SOLIDAIRE_RESERVATION_MINUTES))
    gift.save(update_fields=["match_promised_cents", "match_note", "reservation_expires_at"])
    return gift, gift.token


def open_checkout(gift: Gift, *, success_url: str, cancel_url: str, notify_url: str) -> Gift:
    """Creates the provider's hosted checkout (outside any transaction: it may be a network
    call). If the provider fails, the gift fails and its reserved match is released."""
    provider = provider_for(gift.collectivite, gift.provider)
    try:
        checkout = provider.create_checkout(gift, success_url=success_url, cancel_url=cancel_url, notify_url=notify_url)
    except base.ProviderError as exc:
        logger.warning("checkout refused for gift %s: %s", gift.pk, exc)
        with transaction.atomic():
            locked = Gift.objects.select_for_update().get(pk=gift.pk)
            matching.release(locked)
            Gift.objects.filter(pk=gift.pk).update(status=GiftStatus.FAILED, closed_at=timezone.now())
        raise ActionError(
            _("The payment service cannot be reached. No money was taken; please try again later."), code="provider"
        ) from exc
    Gift.objects.filter(pk=gift.pk).update(checkout_id=checkout.id, checkout_url=checkout.url)
    gift.checkout_id, gift.checkout_url = checkout.id, checkout.url
    return gift


# Applying the provider's events -------------------------------------------------------------------


def _find_gift(event, collectivite, provider_name):
    gifts = Gift.objects.select_for_update().filter(collectivite=collectivite, provider=provider_name)
    if event.checkout_id:
        found = gifts.filter(checkout_id=event.checkout_id).first()
        if found is not None:
            return found
    if event.payment_id:
        found = gifts.filter(payment_id=event.payment_id).first()
        if found is not None:
            return found
    if event.gift_id:
        try:
            gift_id = uuid.UUID(str(event.gift_id))
        except ValueError:  # another application's reference on the same provider account
            return None
        return gifts.filter(pk=gift_id).first()
    return None


def apply_event(event, *, collectivite, provider_name: str, now=None) -> tuple[str, str, Gift | None]:
    """Applies one verified event inside the caller's transaction. Returns (notification status,
    reason, gift). Raises Deferred when the event must wait for an earlier one."""
    now = now or timezone.now()
    gift = _find_gift(event, collectivite, provider_name)
    if gift is None:
        return NotificationStatus.REJECTED, "unknown payment", None
    if event.currency and event.currency.upper() != gift.currency:
        return NotificationStatus.REJECTED, f"currency {event.currency} differs from {gift.currency}", gift
    full_amount = event.type in (base.SUCCEEDED, base.PENDING, base.REFUNDED, base.DISPUTED)
    if full_amount and event.amount_cents is not None and int(event.amount_cents) != gift.amount_cents:
        return NotificationStatus.REJECTED, f"amount {event.amount_cents} differs from {gift.amount_cents}", gift
    if event.type == base.SUCCEEDED:
        if gift.status in PAID_STATUSES:
            return NotificationStatus.IGNORED, "already confirmed", gift
        _confirm(gift, event, provider_name, now)
        return NotificationStatus.APPLIED, "", gift
    if event.type == base.PENDING:
        if gift.status != GiftStatus.PENDING:
            return NotificationStatus.IGNORED, f"gift is {gift.status}", gift
        gift.status = GiftStatus.PROCESSING
        gift.payment_id = event.payment_id or gift.payment_id
        gift.save(update_fields=["status", "payment_id"])
        return NotificationStatus.APPLIED, "", gift
    if event.type in (base.FAILED, base.EXPIRED):
        if gift.status not in OPEN_STATUSES or (event.type == base.EXPIRED and gift.status != GiftStatus.PENDING):
            return NotificationStatus.IGNORED, f"gift is {gift.status}", gift
        matching.release(gift)
        gift.status = GiftStatus.FAILED if event.type == base.FAILED else GiftStatus.EXPIRED
        gift.closed_at = now
        gift.save(update_fields=["status", "closed_at"])
        return NotificationStatus.APPLIED, "", gift
    if event.type in (base.REFUNDED, base.DISPUTED):
        if gift.status in OPEN_STATUSES:
            raise Deferred("the payment is not confirmed yet")
        if gift.status != GiftStatus.CONFIRMED:
            return NotificationStatus.IGNORED, f"gift is {gift.status}", gift
        _reverse(gift, disputed=event.type == base.DISPUTED, now=now)
        return NotificationStatus.APPLIED, "", gift
    return NotificationStatus.IGNORED, f"event type {event.type}", gift


def _accounts(gift, provider_name):
    c = gift.collectivite_id
    return {
        "cash": journal.account(AccountKind.PROVIDER_CASH, collectivite=c, provider=provider_name),
        "gifts": journal.account(AccountKind.BENEFICIARY_GIFTS, collectivite=c, registration=gift.registration_id),
        "losses": journal.account(AccountKind.REFUND_LOSSES, collectivite=c),
    }


def _confirm(gift, event, provider_name, now) -> None:
    gift.payment_id = event.payment_id or gift.payment_id
    if event.card_fingerprint:
        gift.card_key = card_key(event.card_fingerprint)
    gift.fee_cents = min(max(int(event.fee_cents or 0), 0), gift.amount_cents)
    gift.status = GiftStatus.CONFIRMED
    gift.confirmed_at = now
    accounts = _accounts(gift, provider_name)
    journal.post(
        kind="gift.received",
        key=f"gift:{gift.pk}:received",
        collectivite=gift.collectivite_id,
        gift=gift,
        lines=[(accounts["cash"], gift.amount_cents), (accounts["gifts"], -gift.amount_cents)],
    )
    if gift.fee_cents:
        journal.post(
            kind="gift.fee",
            key=f"gift:{gift.pk}:fee",
            collectivite=gift.collectivite_id,
            gift=gift,
            lines=[(accounts["gifts"], gift.fee_cents), (accounts["cash"], -gift.fee_cents)],
        )
    matching.post(gift, now=now, provider=provider_name)
    gift.save()
    Registration.objects.filter(pk=gift.registration_id).update(
        gifts_count=F("gifts_count") + 1, gifts_total_cents=F("gifts_total_cents") + gift.amount_cents
    )
    from solidaire.vouchers.actions import issue_for

    issue_for(gift, reminder=gift.voucher_reminder, now=now)
    notifications.receipt(gift)


def _reverse(gift, *, disputed: bool, now) -> None:
    provider_name = gift.provider
    accounts = _accounts(gift, provider_name)
    net = gift.amount_cents - gift.fee_cents
    journal.post(
        kind="gift.charged_back" if disputed else "gift.refunded",
        key=f"gift:{gift.pk}:reversed",
        collectivite=gift.collectivite_id,
        gift=gift,
        lines=[(accounts["gifts"], net), (accounts["losses"], gift.fee_cents), (accounts["cash"], -gift.amount_cents)],
    )
    matching.reverse(gift, reason="chargeback" if disputed else "refund")
    gift.status = GiftStatus.CHARGED_BACK if disputed else GiftStatus.REFUNDED
    gift.closed_at = now
    gift.save(update_fields=["status", "closed_at"])
    Registration.objects.filter(pk=gift.registration_id).update(
        gifts_count=F("gifts_count") - 1, gifts_total_cents=F("gifts_total_cents") - gift.amount_cents
    )
    from solidaire.donations.signals import gift_reversed

    gift_reversed.send(sender=Gift, gift=gift)
    notifications.reversed_gift(gift)


# Refunds asked by the collectivité ----------------------------------------------------------------


def request_refund(*, gift: Gift, actor, reason: str) -> str:
    """Asks the provider to refund a confirmed gift. The refund itself is applied when the
    provider's notification arrives, through the same path as every payment event."""
    if gift.status != GiftStatus.CONFIRMED:
        raise ActionError(_("Only a confirmed gift can be refunded."), code="not_confirmed")
    if not reason.strip():
        raise ActionError(_("Give the reason for the refund."), field="reason")
    try:
        with transaction.atomic():
            provider = provider_for(gift.collectivite, gift.provider)
            refund_id = provider.refund(gift, gift.amount_cents)
            record(
                collectivite=gift.collectivite,
                actor=actor,
                action="gift.refund_requested",
                obj=gift,
                label=f"{format_cents(gift.amount_cents)} → {gift.registration.establishment.trade_name}",
                data={"reason": reason.strip(), "refund": refund_id},
            )
    except base.ProviderError as exc:
        raise ActionError(
            _("The payment provider refused the refund: %(error)s") % {"error": exc}, code="provider"
        ) from exc
    return refund_id
