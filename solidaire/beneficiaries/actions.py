"""Registration and moderation of beneficiaries: the one write path for each transition."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solidaire.accounts.models import Membership
from solidaire.accounts.roles import Role
from solidaire.audit.events import record
from solidaire.campaigns import hooks
from solidaire.core.errors import ActionError
from solidaire.core.images import normalise_image

from . import notifications
from .models import ACTIVE_STATUSES, PUBLIC_FIELDS, Establishment, Registration, RegistrationStatus
from .positions import place_at_commune
from .validators import mask_iban

REVIEWED_FIELDS = (*PUBLIC_FIELDS, "legal_name", "siret", "rna")
PAYOUT_FIELDS = ("iban", "account_holder")


def check_eligibility(*, campaign, establishment: Establishment, now=None) -> None:
    """The campaign’s rules for beneficiaries; raises ActionError naming the field at fault."""
    now = now or timezone.now()
    if campaign.collectivite_id != establishment.collectivite_id:
        raise ActionError(_("This campaign belongs to another collectivité."), code="wrong_tenant")
    if not campaign.registration_is_open(now):
        raise ActionError(_("Registration for this campaign is closed."), code="registration_closed")
    if establishment.category not in campaign.categories:
        raise ActionError(_("This category cannot take part in this campaign."), field="category", code="category")
    if not campaign.includes_commune(establishment.commune):
        raise ActionError(
            _("%(commune)s is outside the territory of this campaign.") % {"commune": establishment.commune.name},
            field="commune_text",
            code="territory",
        )
    taken = Registration.objects.filter(
        campaign=campaign, legal_identifier=establishment.legal_identifier, status__in=ACTIVE_STATUSES
    )
    if establishment.pk is not None:
        taken = taken.exclude(establishment=establishment)
    if taken.exists():
        raise ActionError(
            _("An establishment with this SIRET or RNA number is already registered for this campaign."),
            field="identifier",
            code="duplicate",
        )


def _create_registration(*, campaign, establishment, owner, now) -> Registration:
    check_eligibility(campaign=campaign, establishment=establishment, now=now)
    if Registration.objects.filter(campaign=campaign, establishment=establishment, status__in=ACTIVE_STATUSES).exists():
        raise ActionError(_("This establishment is already registered for this campaign."), code="already_registered")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                campaign=campaign,
                establishment=establishment,
                legal_identifier=establishment.legal_identifier,
                terms_accepted_at=now,
                submitted_at=now,
            )
    except IntegrityError as exc:  # a concurrent registration of the same SIRET won the race
        raise ActionError(
            _("An establishment with this SIRET or RNA number is already registered for this campaign."),
            field="identifier",
            code="duplicate",
        ) from exc
    record(
        collectivite=campaign.collectivite,
        actor=owner,
        action="registration.submitted",
        obj=registration,
        data={"campaign": campaign.slug, "establishment": establishment.pk},
    )
    notifications.notify_moderators(registration)
    return registration


@transaction.atomic
def register_establishment(*, owner, campaign, form, registration_form, now=None) -> Registration:
    """A new establishment and its registration to `campaign`, submitted for moderation."""
    now = now or timezone.now()
    establishment = form.apply_to(Establishment(collectivite=campaign.collectivite, owner=owner))
    photo = form.cleaned_data.get("photo")
    if photo:
        establishment.photo = normalise_image(photo)
    place_at_commune(establishment)
    check_eligibility(campaign=campaign, establishment=establishment, now=now)
    establishment.save()
    registration = _create_registration(
        campaign=campaign,
        establishment=establishment,
        owner=owner,
        now=now,
    )
    _geocode_later(establishment)
    return registration


@transaction.atomic
def join_campaign(*, owner, establishment, campaign, registration_form, now=None) -> Registration:
    """An existing establishment takes part in another campaign of its collectivité."""
    now = now or timezone.now()
    return _create_registration(
        campaign=campaign,
        establishment=establishment,
        owner=owner,
        now=now,
    )


def _sync_legal_identifier(establishment) -> None:
    """Carries a new SIRET or RNA number to the establishment’s active registrations, refusing
    it when another establishment already takes part in one of those campaigns under it."""
    registrations = Registration.objects.filter(establishment=establishment, status__in=ACTIVE_STATUSES)
    duplicate = ActionError(
        _("An establishment with this SIRET or RNA number is already registered for this campaign."),
        field="identifier",
        code="duplicate",
    )
    taken = Registration.objects.filter(
        campaign__in=registrations.values("campaign"),
        legal_identifier=establishment.legal_identifier,
        status__in=ACTIVE_STATUSES,
    ).exclude(establishment=establishment)
    if taken.exists():
        raise duplicate
    try:
        with transaction.atomic():
            registrations.update(legal_identifier=establishment.legal_identifier)
    except IntegrityError as exc:  # a concurrent registration of the same number won the race
        raise duplicate from exc


def _geocode_later(establishment):
    from .tasks import geocode_establishment

    transaction.on_commit(lambda: geocode_establishment.delay(establishment.pk))


def _value_for_json(field, value):
    if field == "commune":
        return value.pk if hasattr(value, "pk") else value
    return value


@transaction.atomic
def update_establishment(*, establishment: Establishment, form, actor) -> dict:
    """Saves an owner's edits. Payout details apply at once (and the owner is warned by e-mail).
    Changes to the public page and identity of an approved establishment wait for a moderator
    unless the collectivité publishes edits without review. Returns what happened."""
    current = (
        Establishment.objects.select_for_update(of=("self",))
        .select_related("collectivite", "commune")
        .get(pk=establishment.pk)
    )
    proposed = form.apply_to(Establishment(pk=current.pk, collectivite=current.collectivite, owner=current.owner))
    photo = form.cleaned_data.get("photo")
    photo_changed = "photo" in form.changed_data
    new_photo = photo if photo_changed and photo else None
    remove_photo = photo_changed and photo is False
    changed = {f for f in (*REVIEWED_FIELDS, *PAYOUT_FIELDS) if getattr(proposed, f) != getattr(current, f)}
    if new_photo or remove_photo:
        changed.add("photo")
    if not changed:
        return {"applied": [], "pending": []}
    reviewed = [f for f in changed if f in REVIEWED_FIELDS]
    immediate = [f for f in changed if f in PAYOUT_FIELDS]
    is_public = current.registrations.filter(status=RegistrationStatus.APPROVED).exists()
    needs_review = is_public and not current.collectivite.publish_edits_without_review
    if needs_review:
        pending = dict(current.pending_changes)
        for field in reviewed:
            if field != "photo":
                pending[field] = _value_for_json(field, getattr(proposed, field))
        current.pending_changes = pending
        if "photo" in reviewed:
            if new_photo:
                current.pending_photo = normalise_image(new_photo)
            else:
                pending["photo"] = ""  # removal requested
        current.pending_since = current.pending_since or timezone.now()
    else:
        immediate += reviewed
    old_iban = current.iban
    for field in immediate:
        if field == "photo":
            current.photo = normalise_image(new_photo) if new_photo else ""
        else:
            setattr(current, field, getattr(proposed, field))
    if "commune" in immediate:
        place_at_commune(current)
    current.save()
    if "siret" in immediate or "rna" in immediate:
        _sync_legal_identifier(current)
    if "address" in immediate or "commune" in immediate:
        _geocode_later(current)
    data = {"applied": sorted(immediate), "pending": sorted(reviewed) if needs_review else []}
    record(collectivite=current.collectivite, actor=actor, action="establishment.updated", obj=current, data=data)
    if "iban" in immediate or "account_holder" in immediate:
        record(
            collectivite=current.collectivite,
            actor=actor,
            action="establishment.payout_details_changed",
            obj=current,
            data={"from": mask_iban(old_iban), "to": mask_iban(current.iban)},
        )
        notifications.payout_details_changed(current)
    if needs_review and reviewed:
        record(
            collectivite=current.collectivite,
            actor=actor,
            action="establishment.changes_submitted",
            obj=current,
            data={"fields": sorted(reviewed)},
        )
    return data


def _locked_registration(registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("campaign__collectivite", "establishment__owner")
        .get(pk=registration.pk)
    )


@transaction.atomic
def approve(*, registration, moderator, message: str = "", now=None) -> Registration:
    registration = _locked_registration(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise ActionError(_("Only a registration waiting for moderation can be approved."), code="not_pending")
    # What upper packages require first (the vouchers: an approved offer when the campaign
    # requires a counterpart), told through campaigns.hooks.
    blockers = hooks.approval_blockers(registration)
    if blockers:
        raise ActionError(blockers[0], code="not_approvable")
    now = now or timezone.now()
    registration.status = RegistrationStatus.APPROVED
    registration.decided_at = registration.approved_at = now
    registration.decided_by = moderator
    registration.decision_message = message
    registration.save()
    _decided(registration, moderator, "registration.approved")
    return registration


@transaction.atomic
def reject(*, registration, moderator, reason: str, now=None) -> Registration:
    if not reason.strip():
        raise ActionError(_("Explain your decision to the owner."), field="message")
    registration = _locked_registration(registration)
    if registration.status not in (
        RegistrationStatus.PENDING,
        RegistrationStatus.CHANGES_REQUESTED,
        RegistrationStatus.APPROVED,
    ):
        raise ActionError(_("This registration can no longer be rejected."), code="not_active")
    registration.status = RegistrationStatus.REJECTED
    registration.decided_at = now or timezone.now()
    registration.decided_by = moderator
    registration.decision_message = reason.strip()
    registration.save()
    _decided(registration, moderator, "registration.rejected")
    return registration


@transaction.atomic
def request_changes(*, registration, moderator, message: str, now=None) -> Registration:
    if not message.strip():
        raise ActionError(_("Explain your decision to the owner."), field="message")
    registration = _locked_registration(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise ActionError(_("Changes can only be asked for a registration waiting for moderation."), code="not_pending")
    registration.status = RegistrationStatus.CHANGES_REQUESTED
    registration.decided_at = now or timezone.now()
    registration.decided_by = moderator
    registration.decision_message = message.strip()
    registration.save()
    _decided(registration, moderator, "registration.changes_requested")
    return registration


def _decided(registration, moderator, action):
    record(
        collectivite=registration.campaign.collectivite,
        actor=moderator,
        action=action,
        obj=registration,
        data={"message": registration.decision_message},
    )
    notifications.decision(registration)


@transaction.atomic
def resubmit(*, registration, owner, now=None) -> Registration:
    registration = _locked_registration(registration)
    if registration.status != RegistrationStatus.CHANGES_REQUESTED:
        raise ActionError(_("Only a registration with changes requested can be submitted again."), code="not_changes")
    now = now or timezone.now()
    check_eligibility(campaign=registration.campaign, establishment=registration.establishment, now=now)
    registration.legal_identifier = registration.establishment.legal_identifier
    registration.status = RegistrationStatus.PENDING
    registration.submitted_at = now
    registration.save()
    record(
        collectivite=registration.campaign.collectivite,
        actor=owner,
        action="registration.resubmitted",
        obj=registration,
    )
    notifications.notify_moderators(registration)
    return registration


@transaction.atomic
def withdraw(*, registration, owner) -> Registration:
    registration = _locked_registration(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise ActionError(_("This registration is not active."), code="not_active")
    registration.status = RegistrationStatus.WITHDRAWN
    registration.save(update_fields=["status"])
    record(
        collectivite=registration.campaign.collectivite, actor=owner, action="registration.withdrawn", obj=registration
    )
    return registration


@transaction.atomic
def suspend_payouts(*, registration, moderator, reason: str, now=None) -> Registration:
    """Holds back what the beneficiary is paid (an inquiry, a business closed): its money stays
    owed and is listed apart, with the reason, until the payments are resumed."""
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Give the reason for holding back the payments."), field="reason")
    registration = _locked_registration(registration)
    if registration.payouts_suspended_at is not None:
        raise ActionError(_("The payments of this beneficiary are already held back."), code="state")
    registration.payouts_suspended_at = now or timezone.now()
    registration.payouts_suspension_reason = reason[:300]
    registration.save(update_fields=["payouts_suspended_at", "payouts_suspension_reason"])
    record(
        collectivite=registration.campaign.collectivite,
        actor=moderator,
        action="registration.payouts_suspended",
        obj=registration,
        data={"reason": registration.payouts_suspension_reason},
    )
    return registration


@transaction.atomic
def resume_payouts(*, registration, moderator) -> Registration:
    registration = _locked_registration(registration)
    if registration.payouts_suspended_at is None:
        raise ActionError(_("The payments of this beneficiary are not held back."), code="state")
    registration.payouts_suspended_at = None
    registration.payouts_suspension_reason = ""
    registration.save(update_fields=["payouts_suspended_at", "payouts_suspension_reason"])
    record(
        collectivite=registration.campaign.collectivite,
        actor=moderator,
        action="registration.payouts_resumed",
        obj=registration,
    )
    return registration


@transaction.atomic
def approve_changes(*, establishment, moderator) -> Establishment:
    current = (
        Establishment.objects.select_for_update(of=("self",))
        .select_related("collectivite", "owner")
        .get(pk=establishment.pk)
    )
    if not current.has_pending_changes:
        raise ActionError(_("There are no changes waiting for review."), code="no_changes")
    fields = sorted(current.pending_changes)
    for field, value in current.pending_changes.items():
        if field == "photo":
            current.photo = ""
        elif field == "commune":
            current.commune_id = value
        else:
            setattr(current, field, value)
    if current.pending_photo:
        current.photo = current.pending_photo.name
        fields.append("photo")
    moved = "commune" in current.pending_changes or "address" in current.pending_changes
    if "commune" in current.pending_changes:
        current.commune = current.commune.__class__.objects.get(pk=current.commune_id)
        place_at_commune(current)
    current.pending_changes, current.pending_photo, current.pending_since = {}, "", None
    current.save()
    _sync_legal_identifier(current)
    if moved:
        _geocode_later(current)
    record(
        collectivite=current.collectivite,
        actor=moderator,
        action="establishment.changes_approved",
        obj=current,
        data={"fields": sorted(set(fields))},
    )
    notifications.changes_decided(current, approved=True, message="")
    return current


@transaction.atomic
def reject_changes(*, establishment, moderator, reason: str) -> Establishment:
    if not reason.strip():
        raise ActionError(_("Explain your decision to the owner."), field="message")
    current = (
        Establishment.objects.select_for_update(of=("self",))
        .select_related("collectivite", "owner")
        .get(pk=establishment.pk)
    )
    if not current.has_pending_changes:
        raise ActionError(_("There are no changes waiting for review."), code="no_changes")
    fields = sorted(current.pending_changes)
    current.pending_changes, current.pending_photo, current.pending_since = {}, "", None
    current.save()
    record(
        collectivite=current.collectivite,
        actor=moderator,
        action="establishment.changes_rejected",
        obj=current,
        data={"fields": fields, "message": reason.strip()},
    )
    notifications.changes_decided(current, approved=False, message=reason.strip())
    return current


def moderators_of(collectivite):
    return Membership.objects.filter(
        collectivite=collectivite, role__in=[Role.MODERATOR, Role.ADMIN], user__is_active=True
    ).select_related("user")
