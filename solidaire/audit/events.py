"""What happened, for the audit trail. Write paths in `actions.py` modules call `record` inside
their transaction, so the event exists exactly when the change does."""

from django.utils.translation import gettext_lazy as _

from .models import AuditEvent

# Human label of each action, shown in the tenant's audit log.
ACTION_LABELS = {
    "tenant.created": _("Collectivité created"),
    "tenant.branding_changed": _("Branding and public pages changed"),
    "team.invited": _("Team member invited"),
    "team.invitation_cancelled": _("Invitation cancelled"),
    "team.joined": _("Invitation accepted"),
    "team.role_changed": _("Role changed"),
    "team.revoked": _("Team member removed"),
    "team.admin_created": _("First administrator created"),
    "campaign.created": _("Campaign created"),
    "campaign.updated": _("Campaign changed"),
    "campaign.published": _("Campaign published"),
    "campaign.closed": _("Campaign closed"),
    "campaign.reopened": _("Campaign reopened"),
    "registration.submitted": _("Beneficiary registered"),
    "registration.resubmitted": _("Registration submitted again"),
    "registration.approved": _("Registration approved"),
    "registration.rejected": _("Registration rejected"),
    "registration.changes_requested": _("Changes requested"),
    "registration.withdrawn": _("Registration withdrawn"),
    "establishment.updated": _("Establishment edited"),
    "establishment.changes_submitted": _("Page changes submitted for review"),
    "establishment.changes_approved": _("Page changes published"),
    "establishment.changes_rejected": _("Page changes refused"),
    "establishment.payout_details_changed": _("Payout details changed"),
    "gift.refund_requested": _("Refund requested"),
    "gift.refunded": _("Refund made by the payment provider"),
    "gift.refund_failed": _("Refund refused by the payment provider"),
    "gift.dispute_opened": _("Payment disputed by the card holder"),
    "gift.dispute_won": _("Dispute won"),
    "gift.dispute_lost": _("Dispute lost"),
    "gift.donor_contacts_exported": _("Contact details of donors exported"),
    "payments.settings_changed": _("Payment settings changed"),
    "payments.connect_account_changed": _("Stripe account of an establishment changed"),
    "offer.submitted": _("Counterpart offer submitted"),
    "offer.approved": _("Counterpart offer approved"),
    "offer.rejected": _("Counterpart offer rejected"),
    "counter.staff_invited": _("Counter staff invited"),
    "counter.staff_invitation_cancelled": _("Counter staff invitation cancelled"),
    "counter.staff_added": _("Counter staff added"),
    "counter.staff_removed": _("Counter staff removed"),
    "registration.payouts_suspended": _("Payments to a beneficiary held back"),
    "registration.payouts_resumed": _("Payments to a beneficiary resumed"),
    "payout.settings_changed": _("Bank account for payouts changed"),
    "payout.batch_prepared": _("Payout batch prepared"),
    "payout.batch_cancelled": _("Payout batch cancelled"),
    "payout.batch_approved": _("Payout batch approved"),
    "payout.batch_exported": _("Payout file downloaded"),
    "payout.batch_sent": _("Payout batch sent to the bank"),
    "payout.lines_paid": _("Payments marked paid"),
    "payout.line_failed": _("Payment returned by the bank"),
    "payout.statement_imported": _("Bank statement imported"),
}

# Human label of each key of an event's details (`data`), shown as "label: value" lines: every key
# a write path records has one (tests/audit/test_audit_details_in_words.py reads them all).
DETAIL_LABELS = {
    "after": _("After"),
    "already_paid": _("Already paid"),
    "amount_cents": _("Amount"),
    "applied": _("Changed at once"),
    "approved_by": _("Approved by"),
    "before": _("Before"),
    "borne_by_collectivite": _("Borne by the collectivité"),
    "campaign": _("Campaign"),
    "changes": _("Changes"),
    "channel": _("What is paid"),
    "communes": _("Communes"),
    "count": _("Donors"),
    "dispute": _("Dispute"),
    "domains": _("Web addresses"),
    "establishment": _("Establishment"),
    "failed": _("Failed"),
    "fields": _("Fields"),
    "from": _("Before"),
    "iban_end": _("IBAN ending in"),
    "invited_by": _("Invited by"),
    "kind": _("Kind"),
    "lines": _("Payments"),
    "matched": _("Matched"),
    "message": _("Message"),
    "pending": _("Waiting for review"),
    "prepared_by": _("Prepared by"),
    "provider_refund": _("Provider's refund reference"),
    "reason": _("Reason"),
    "refund": _("Refund"),
    "refunded_cents": _("Refunded in all"),
    "role": _("Role"),
    "sha256": _("File fingerprint (SHA-256)"),
    "slug": _("Web address"),
    "to": _("After"),
    "total_cents": _("Total"),
    "unmatched": _("Not matched"),
    "via": _("Through"),
}
# Values that are codes, in words: "via" (where a file was downloaded from).
VALUE_LABELS = {"via": {"web": _("the website"), "cli": _("the command line")}}


def record(*, collectivite, actor, action: str, obj=None, label: str = "", data: dict | None = None) -> AuditEvent:
    assert action in ACTION_LABELS, f"unknown audit action {action}"
    return AuditEvent.objects.create(
        collectivite=collectivite,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.email if actor is not None and actor.is_authenticated else "system"),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(label or str(obj))[:250] if obj is not None else label[:250],
        data=data or {},
    )
