"""Vouchers' write paths: offers (submitted, moderated), issue on a confirmed gift (once),
redemption at the counter (concurrency-safe and idempotent), undo, cancellation, expiry."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from solidaire.accounts import invitations
from solidaire.audit.events import record
from solidaire.beneficiaries.models import RegistrationStatus
from solidaire.campaigns.choices import CounterpartPolicy
from solidaire.core.errors import ActionError
from solidaire.core.money import format_cents, share

from . import codes
from .models import Offer, OfferKind, OfferStatus, Redemption, Staff, StaffInvitation, Voucher, VoucherStatus

UNDO_MINUTES = 15
MAX_BONUS_PERCENT = 100


# Offers ---------------------------------------------------------------------------------------


def check_offer(offer: Offer) -> None:
    campaign = offer.registration.campaign
    if campaign.counterpart_policy == CounterpartPolicy.NONE and offer.kind != OfferKind.NONE:
        raise ActionError(_("This campaign does not allow counterparts."), field="kind")
    if campaign.counterpart_policy == CounterpartPolicy.REQUIRED and offer.kind == OfferKind.NONE:
        raise ActionError(_("This campaign asks every beneficiary to offer a counterpart."), field="kind")
    if offer.kind == OfferKind.ITEM and not offer.item_label.strip():
        raise ActionError(_("Say what the item is."), field="item_label")
    if offer.kind == OfferKind.VALUE:
        if offer.value_mode == "fixed" and not offer.fixed_value_cents:
            raise ActionError(_("Give the voucher’s amount."), field="fixed_value_cents")
        if offer.value_mode == "percent" and not 1 <= offer.percent_of_gift <= 200:
            raise ActionError(_("The share of the gift must be between 1 % and 200 %."), field="percent_of_gift")
        if offer.bonus_percent > MAX_BONUS_PERCENT:
            raise ActionError(_("The bonus cannot exceed 100 %."), field="bonus_percent")
    if offer.valid_until and offer.valid_from and offer.valid_until < offer.valid_from:
        raise ActionError(_("The voucher must be valid until a date after it starts."), field="valid_until")
    if offer.valid_until and offer.valid_until < timezone.localdate():
        raise ActionError(_("The end of validity has passed."), field="valid_until")
    if offer.kind != OfferKind.NONE and not offer.valid_until and not offer.validity_days:
        raise ActionError(_("Give an end date or a duration of validity."), field="valid_until")


@transaction.atomic
def submit_offer(*, offer: Offer, actor, now=None) -> Offer:
    """An owner proposes an offer; it waits for a moderator (earlier pending proposals are dropped)."""
    check_offer(offer)
    Offer.objects.filter(registration=offer.registration, status=OfferStatus.PENDING).update(
        status=OfferStatus.SUPERSEDED
    )
    offer.status = OfferStatus.PENDING
    offer.submitted_at = now or timezone.now()
    offer.pk = None
    offer.issued_count = 0
    offer.save()
    record(
        collectivite=offer.registration.campaign.collectivite,
        actor=actor,
        action="offer.submitted",
        obj=offer,
        label=str(offer.registration.establishment),
        data={"kind": offer.kind},
    )
    return offer


@transaction.atomic
def decide_offer(*, offer: Offer, moderator, approve: bool, message: str = "", now=None) -> Offer:
    # Only the offer's row: its registration, campaign and collectivité are read, not locked
    # (a gift's refund moving the registration's totals must not wait for the moderator).
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("registration__campaign__collectivite")
        .get(pk=offer.pk)
    )
    if offer.status != OfferStatus.PENDING:
        raise ActionError(_("This offer is not waiting for moderation."), code="not_pending")
    if not approve and not message.strip():
        raise ActionError(_("Explain your decision to the owner."), field="message")
    now = now or timezone.now()
    if approve:
        check_offer(offer)
        # The offer in force keeps its issued vouchers; new gifts get the new one.
        Offer.objects.filter(registration=offer.registration, status=OfferStatus.APPROVED).update(
            status=OfferStatus.SUPERSEDED
        )
    offer.status = OfferStatus.APPROVED if approve else OfferStatus.REJECTED
    offer.decided_at, offer.decided_by, offer.decision_message = now, moderator, message.strip()
    offer.save(update_fields=["status", "decided_at", "decided_by", "decision_message"])
    record(
        collectivite=offer.registration.campaign.collectivite,
        actor=moderator,
        action="offer.approved" if approve else "offer.rejected",
        obj=offer,
        label=str(offer.registration.establishment),
        data={"message": offer.decision_message},
    )
    from .notifications import offer_decided

    offer_decided(offer)
    return offer


def offer_in_force(registration) -> Offer | None:
    return Offer.objects.filter(registration=registration, status=OfferStatus.APPROVED).first()


def missing_counterpart(registration, *, today=None) -> str:
    """Why `registration` may not be approved yet in a campaign that requires a counterpart
    (campaigns.hooks.check_before_approval), or "". It needs an approved offer with a counterpart
    still valid: once approved, the establishment takes gifts at once, and a gift confirmed
    without an approved offer issues no voucher. An offer only submitted is not enough — the
    moderator approves it first (it may still be refused)."""
    if registration.campaign.counterpart_policy != CounterpartPolicy.REQUIRED:
        return ""
    today = today or timezone.localdate()
    offers = Offer.objects.filter(registration=registration).exclude(kind=OfferKind.NONE)
    in_force = offers.filter(status=OfferStatus.APPROVED).first()
    if in_force is not None and (in_force.valid_until is None or in_force.valid_until >= today):
        return ""
    if offers.filter(status=OfferStatus.PENDING).exists():
        return _(
            "This campaign requires a counterpart: approve the establishment’s offer first (it is waiting "
            "among the counterpart offers), then this registration."
        )
    if in_force is not None:
        return _(
            "This campaign requires a counterpart, and the establishment’s approved offer has ended: ask the "
            "owner for changes so that they submit a new offer."
        )
    return _(
        "This campaign requires a counterpart, and the establishment has not offered one yet: ask the owner "
        "for changes so that they submit an offer."
    )


# Issue -----------------------------------------------------------------------------------------


def issue_for(gift, *, reminder: bool = False, now=None) -> Voucher | None:
    """Inside the gift's confirmation, which happens once per gift (the database's one voucher
    per gift says so too). Three statements: the offer in force, its issued count (within stock,
    in one conditional update), the voucher. A code drawn twice (80 random bits) fails the
    confirmation's transaction, which the inbox applies again."""
    offer = Offer.objects.filter(registration_id=gift.registration_id, status=OfferStatus.APPROVED).first()
    if offer is None or offer.kind == OfferKind.NONE:
        return None
    if offer.min_gift_cents and gift.amount_cents < offer.min_gift_cents:
        return None
    now = now or timezone.now()
    valid_from, valid_until = offer.validity(timezone.localdate(now))
    if valid_until < valid_from:  # the offer's end date has passed: no voucher born expired
        return None
    within_stock = Q(stock__isnull=True) | Q(issued_count__lt=F("stock"))
    if not Offer.objects.filter(within_stock, pk=offer.pk).update(issued_count=F("issued_count") + 1):
        return None
    value = offer.value_for(gift.amount_cents)
    return Voucher.objects.create(
        gift=gift,
        offer=offer,
        registration_id=gift.registration_id,
        collectivite_id=gift.collectivite_id,
        code=codes.generate(),
        kind=offer.kind,
        value_cents=value,
        remaining_cents=value,
        item_label=offer.item_label,
        partial_use=offer.partial_use and offer.kind == OfferKind.VALUE,
        terms=offer.terms,
        valid_from=valid_from,
        valid_until=valid_until,
        reminder=reminder,
        issued_at=now,
    )


def _locked_voucher(gift, *statuses) -> Voucher | None:
    """The gift's voucher if it is in one of `statuses`, locked. Locked whatever its status, and
    only then checked: with the status in the locking query, PostgreSQL would skip a voucher an
    undo at the counter is changing (judging it as it was) instead of waiting for the undo."""
    voucher = Voucher.objects.select_for_update().filter(gift=gift).first()
    return voucher if voucher is not None and voucher.status in statuses else None


def cancel_for(gift, *, now=None) -> Voucher | None:
    """Nothing is left of the gift (refunded, or lost in a dispute): what is left of its voucher
    is cancelled."""
    voucher = _locked_voucher(gift, VoucherStatus.ACTIVE, VoucherStatus.FROZEN)
    if voucher is None:
        return None
    voucher.status, voucher.cancelled_at = VoucherStatus.CANCELLED, now or timezone.now()
    voucher.save(update_fields=["status", "cancelled_at"])
    return voucher


def adjust_for(gift, *, standing_cents: int, now=None) -> Voucher | None:
    """Part of the gift was refunded: a value voucher keeps the same share of its value as the
    gift keeps of its amount (rounded down), less what was already used. An item cannot be
    split: it stays."""
    if standing_cents <= 0:
        return cancel_for(gift, now=now)
    voucher = _locked_voucher(gift, VoucherStatus.ACTIVE, VoucherStatus.FROZEN, VoucherStatus.USED)
    if voucher is None or voucher.kind != OfferKind.VALUE:
        return voucher
    withdrawn = voucher.value_cents - share(voucher.value_cents, standing_cents, gift.amount_cents)
    taken = withdrawn - voucher.withdrawn_cents
    if taken <= 0:
        return voucher
    voucher.withdrawn_cents = withdrawn
    voucher.remaining_cents = max(voucher.remaining_cents - taken, 0)
    if voucher.remaining_cents == 0 and voucher.status == VoucherStatus.ACTIVE:
        used = voucher.value_cents - voucher.withdrawn_cents > 0
        voucher.status = VoucherStatus.USED if used else VoucherStatus.CANCELLED
        voucher.cancelled_at = None if used else (now or timezone.now())
    voucher.save(update_fields=["withdrawn_cents", "remaining_cents", "status", "cancelled_at"])
    return voucher


def freeze_for(gift) -> Voucher | None:
    """The payment is disputed: the voucher cannot be used until the dispute is decided."""
    voucher = _locked_voucher(gift, VoucherStatus.ACTIVE)
    if voucher is not None:
        voucher.status = VoucherStatus.FROZEN
        voucher.save(update_fields=["status"])
    return voucher


def unfreeze_for(gift) -> Voucher | None:
    voucher = _locked_voucher(gift, VoucherStatus.FROZEN)
    if voucher is not None:
        voucher.status = VoucherStatus.ACTIVE
        voucher.save(update_fields=["status"])
    return voucher


def was_used(gift) -> bool:
    """Whether the establishment gave anything for the gift's voucher (a redemption not undone)."""
    return Redemption.objects.filter(voucher__gift=gift, undone_at=None).exists()


def evidence_of_use(gift) -> dict:
    """What proves the counterpart was delivered, for a dispute: each redemption of the gift's
    voucher (when, how much, where), in the fields payment providers ask for."""
    voucher = Voucher.objects.filter(gift=gift).select_related("registration__establishment").first()
    if voucher is None:
        return {}
    used = list(voucher.redemptions.filter(undone_at=None).order_by("at"))
    if not used:
        return {}
    establishment = voucher.registration.establishment
    lines = [
        f"{redemption.at:%Y-%m-%d %H:%M} UTC: {format_cents(redemption.amount_cents, 'en') if redemption.amount_cents else voucher.item_label}"
        for redemption in used
    ]
    return {
        "product_description": f"Voucher {codes.display(voucher.code)} for {establishment.trade_name}, "
        f"given in thanks for a gift of {format_cents(gift.amount_cents, 'en')}",
        "service_date": f"{used[0].at:%Y-%m-%d}",
        "customer_email_address": gift.email,
        "customer_name": gift.donor_name,
        "uncategorized_text": "The donor’s voucher was redeemed at the establishment’s counter:\n" + "\n".join(lines),
    }


# The counter ------------------------------------------------------------------------------------


def can_redeem_at(user, establishment) -> bool:
    return user.is_authenticated and (
        establishment.owner_id == user.pk or Staff.objects.filter(establishment=establishment, user=user).exists()
    )


@transaction.atomic
def redeem(*, voucher: Voucher, establishment, amount_cents: int | None, actor, key: str, now=None) -> Redemption:
    """Uses `amount_cents` of a value voucher (all that is left when None; an item voucher is
    used whole). Two counters scanning the same voucher at once: one wins, the other is told the
    voucher is used. A retried submission (same key) returns the first redemption."""
    now = now or timezone.now()
    voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
    # Asked under the voucher’s lock, so that the same form submitted twice at once finds the
    # first submission's redemption instead of colliding with it.
    existing = Redemption.objects.filter(key=key).first()
    if existing is not None:
        if existing.voucher_id != voucher.pk:
            raise ActionError(_("This form was already used for another voucher; scan again."), code="key_reused")
        return existing
    if voucher.registration.establishment_id != establishment.pk:
        raise ActionError(_("This voucher belongs to another establishment."), code="wrong_establishment")
    state = voucher.state(timezone.localdate(now))
    if state == VoucherStatus.USED:
        raise ActionError(_("This voucher has already been used."), code="used")
    if state == VoucherStatus.CANCELLED:
        raise ActionError(_("This voucher was cancelled (the gift was refunded)."), code="cancelled")
    if state == VoucherStatus.FROZEN:
        raise ActionError(_("This voucher is on hold while its payment is disputed."), code="frozen")
    if state == VoucherStatus.EXPIRED:
        raise ActionError(
            _("This voucher expired on %(date)s.") % {"date": date_format(voucher.valid_until, "SHORT_DATE_FORMAT")},
            code="expired",
        )
    if state == "not_yet":
        raise ActionError(
            _("This voucher is valid from %(date)s.") % {"date": date_format(voucher.valid_from, "SHORT_DATE_FORMAT")},
            code="not_yet",
        )
    if voucher.kind == OfferKind.ITEM:
        amount = 0
    else:
        amount = voucher.remaining_cents if amount_cents is None else amount_cents
        if amount <= 0:
            raise ActionError(_("Enter an amount to use."), field="amount", code="amount")
        if amount > voucher.remaining_cents:
            raise ActionError(
                _("Only %(left)s is left on this voucher.") % {"left": format_cents(voucher.remaining_cents)},
                field="amount",
                code="too_much",
            )
        if not voucher.partial_use and amount != voucher.remaining_cents:
            raise ActionError(
                _("This voucher must be used in one go: %(value)s.") % {"value": format_cents(voucher.remaining_cents)},
                field="amount",
                code="whole_only",
            )
    redemption = Redemption.objects.create(voucher=voucher, amount_cents=amount, by=actor, at=now, key=key)
    voucher.remaining_cents -= amount
    if voucher.kind == OfferKind.ITEM or voucher.remaining_cents == 0:
        voucher.status = VoucherStatus.USED
    voucher.save(update_fields=["remaining_cents", "status"])
    return redemption


@transaction.atomic
def undo(*, redemption: Redemption, establishment, actor, now=None) -> Redemption:
    """Cancels a mistaken redemption within UNDO_MINUTES; the undo is recorded on it."""
    now = now or timezone.now()
    # The redemption, then its voucher — their rows only: a refund of the gift locks the
    # registration and then the voucher, so holding the registration here could deadlock.
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    voucher = (
        Voucher.objects.select_for_update(of=("self",)).select_related("registration").get(pk=redemption.voucher_id)
    )
    if voucher.registration.establishment_id != establishment.pk:
        raise ActionError(_("This voucher belongs to another establishment."), code="wrong_establishment")
    if redemption.undone_at is not None:
        raise ActionError(_("This redemption was already undone."), code="already_undone")
    if now - redemption.at > timedelta(minutes=UNDO_MINUTES):
        raise ActionError(
            _("A redemption can only be undone within %(minutes)s minutes.") % {"minutes": UNDO_MINUTES},
            code="too_late",
        )
    if voucher.status == VoucherStatus.CANCELLED:
        raise ActionError(_("This voucher was cancelled (the gift was refunded)."), code="cancelled")
    redemption.undone_at, redemption.undone_by = now, actor
    redemption.save(update_fields=["undone_at", "undone_by"])
    # What was withdrawn meanwhile (a partial refund) is not given back by the undo.
    voucher.remaining_cents = min(
        voucher.remaining_cents + redemption.amount_cents, voucher.value_cents - voucher.withdrawn_cents
    )
    voucher.status = _status_given_back(voucher)
    if voucher.status == VoucherStatus.CANCELLED and voucher.cancelled_at is None:
        voucher.cancelled_at = now
    voucher.save(update_fields=["remaining_cents", "status", "cancelled_at"])
    redemption.voucher = voucher
    return redemption


def _status_given_back(voucher) -> str:
    """What an undo leaves the voucher in, after what became of its gift while it was used up
    (a reversal cancels or freezes only a voucher with something left): a refund of all of it or
    a lost dispute cancels it, an open dispute holds it. The gift is read under the voucher’s
    lock, which a reversal takes after changing the gift, in the same transaction."""
    gift = voucher.gift
    if gift.standing_cents <= 0 or gift.charged_back_cents:
        return VoucherStatus.CANCELLED
    if gift.status == "disputed":  # donations.GiftStatus.DISPUTED (vouchers sits below donations)
        return VoucherStatus.FROZEN
    return VoucherStatus.ACTIVE


# Lifecycle -------------------------------------------------------------------------------------


def expire_vouchers(*, today=None) -> int:
    today = today or timezone.localdate()
    return Voucher.objects.filter(status=VoucherStatus.ACTIVE, valid_until__lt=today).update(
        status=VoucherStatus.EXPIRED
    )


def send_reminders(*, today=None, days_before: int = 7) -> int:
    """Donors who asked for it are told a week before their voucher expires (once)."""
    from .notifications import reminder

    today = today or timezone.localdate()
    due = Voucher.objects.filter(
        status=VoucherStatus.ACTIVE,
        reminder=True,
        reminder_sent_at=None,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=days_before),
    )
    sent = 0
    for voucher_id in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            claimed = Voucher.objects.filter(pk=voucher_id, reminder_sent_at=None).update(
                reminder_sent_at=timezone.now()
            )
            if claimed:
                reminder(Voucher.objects.get(pk=voucher_id))
                sent += 1
    return sent


# Staff -------------------------------------------------------------------------------------------


def may_invite_staff(establishment) -> bool:
    """Only the owner of an approved establishment (in at least one campaign) invites staff."""
    return establishment.registrations.filter(status=RegistrationStatus.APPROVED).exists()


@transaction.atomic
def invite_staff(*, establishment, email: str, actor, request=None) -> StaffInvitation:
    """E-mails `email` an invitation to redeem at the establishment’s counter, whether or not an
    account uses it (the owner learns nothing about other people's accounts): the person joins the
    staff when they accept it (accept_staff_invitation). A newer invitation replaces a pending
    one to the same address. Refused for an establishment not approved yet, for the owner's own
    address and for someone already on the staff list (which the owner sees)."""
    email = email.strip().lower()
    if not may_invite_staff(establishment):
        raise ActionError(_("You can invite staff once your establishment is approved."), code="not_approved")
    if establishment.owner.email.lower() == email:
        raise ActionError(_("The owner can always use the counter."), field="email", code="owner")
    if Staff.objects.filter(establishment=establishment, user__email__iexact=email).exists():
        raise ActionError(_("This person can already use the counter."), field="email", code="already_staff")
    invitation = invitations.issue(
        StaffInvitation,
        email=email,
        actor=actor,
        template="vouchers/email/staff_invitation",
        context={"establishment": establishment},
        request=request,
        establishment=establishment,
    )
    record(
        collectivite=establishment.collectivite,
        actor=actor,
        action="counter.staff_invited",
        obj=invitation,
        label=f"{email} @ {establishment.trade_name}",
    )
    return invitation


@transaction.atomic
def cancel_staff_invitation(*, invitation: StaffInvitation, actor) -> None:
    invitations.cancel(invitation)
    record(
        collectivite=invitation.establishment.collectivite,
        actor=actor,
        action="counter.staff_invitation_cancelled",
        obj=invitation,
        label=f"{invitation.email} @ {invitation.establishment.trade_name}",
    )


def find_staff_invitation(token: str) -> StaffInvitation | None:
    return invitations.find(StaffInvitation, token, "establishment__collectivite")


@transaction.atomic
def accept_staff_invitation(*, token: str, user) -> Staff:
    """The invited person, signed in with the verified address the invitation was sent to,
    joins the counter staff (once: accepting twice changes nothing)."""
    invitation = invitations.claim(StaffInvitation, token, user, "establishment__collectivite")
    establishment = invitation.establishment
    if establishment.owner_id == user.pk:
        raise ActionError(_("The owner can always use the counter."), code="owner")
    staff, created = Staff.objects.get_or_create(
        establishment=establishment, user=user, defaults={"added_by": invitation.invited_by}
    )
    invitations.mark_accepted(invitation, user)
    if created:
        record(
            collectivite=establishment.collectivite,
            actor=user,
            action="counter.staff_added",
            obj=staff,
            label=f"{user.email} @ {establishment.trade_name}",
            data={"invited_by": invitation.invited_by.email if invitation.invited_by else ""},
        )
    return staff


@transaction.atomic
def remove_staff(*, staff: Staff, actor) -> None:
    record(
        collectivite=staff.establishment.collectivite,
        actor=actor,
        action="counter.staff_removed",
        obj=staff,
        label=f"{staff.user.email} @ {staff.establishment.trade_name}",
    )
    staff.delete()
