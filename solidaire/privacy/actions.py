"""Erasure: a person's identity leaves every table, the money stays.

What identifies a person (name, e-mail address, messages, the hashes of their address, browser,
card and mailbox, the sessions, the provider’s notifications about their gifts) is removed or
replaced by a random token; what the books need (amounts, dates, states, the journal, the
counters of public money, now keyed by that token) stays as it was, so `ledger-check` holds.
docs/adr/0022-personal-data.md says what is kept and why."""

import json
import re
import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.models import Invitation, Membership
from solidaire.audit.events import record
from solidaire.audit.models import AuditEvent
from solidaire.beneficiaries.models import Establishment
from solidaire.core.errors import ActionError
from solidaire.core.ratelimits import folded_email
from solidaire.donations.models import Dispute, Gift, Refund
from solidaire.matching.models import Allocation, DonorUsage
from solidaire.mutualaid import personal_data as mutual_aid
from solidaire.payments.models import Notification, SandboxCheckout, SandboxEvent
from solidaire.tenants.models import Collectivite
from solidaire.vouchers.models import Staff, StaffInvitation

from .identity import SESSION_KEY, Person, fingerprint

ERASED = "[erased]"
# An e-mail address in free text or JSON (the audit log, the admin's log).
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")


# Redaction of free text and JSON -------------------------------------------------------------


def _pattern(values) -> re.Pattern | None:
    words = sorted({v.strip() for v in values if v and len(v.strip()) >= 3}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE) if words else None


def redact(value, pattern):
    """`value` (text, or JSON: dicts, lists, strings) with every occurrence of the pattern replaced."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: redact(v, pattern) for k, v in value.items()}
    return value


def _redact_rows(queryset, fields, pattern) -> int:
    changed = 0
    for row in queryset.only("pk", *fields):
        updates = {f: redact(getattr(row, f), pattern) for f in fields}
        updates = {f: v for f, v in updates.items() if v != getattr(row, f)}
        if updates:
            models.QuerySet(queryset.model).filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


# Gifts and the counters of public money ------------------------------------------------------


def _new_identity(identity: str) -> str:
    kind = identity.split(":", 1)[0]
    return f"{kind}:erased-{secrets.token_hex(10)}"


def _renamed(key: str, renames: dict[str, str]) -> str:
    identity, sep, rest = key.partition("|reg:")
    return renames[identity] + sep + rest if identity in renames else key


def forget_gifts(gifts: list[Gift], *, names=(), emails=()) -> int:
    """Removes the donor’s identity from these gifts and from everything that keeps it: the donor
    and card keys become random tokens in every counter and allocation of the gifts' campaigns
    (each counter stays equal to the allocations behind it), the address and browser hashes go,
    and the providers' records of the payments lose the e-mail address and the name."""
    if not gifts:
        return 0
    ids = [g.pk for g in gifts]
    campaigns = {g.campaign_id for g in gifts}
    identities = {g.donor_key for g in gifts if g.donor_key} | {g.card_key for g in gifts if g.card_key}
    renames = {i: _new_identity(i) for i in identities if ":erased-" not in i}
    pattern = _pattern(
        [*emails, *names, *(g.email for g in gifts), *(g.donor_name for g in gifts), *(g.public_message for g in gifts)]
    )
    if renames:
        for campaign_id in campaigns:
            _rename_in_campaign(campaign_id, renames)
    Allocation.objects.filter(gift_id__in=ids).update(device_key="")
    Gift.objects.filter(pk__in=ids).update(
        email="",
        donor_name="",
        public_message="",
        anonymous=True,
        contact_consent=False,
        voucher_reminder=False,
        user=None,
        origin_key="",
        device_key="",
        checkout_url="",
    )
    _forget_providers_records(gifts, ids, pattern)
    return len(ids)


def _rename_in_campaign(campaign_id, renames: dict[str, str]) -> None:
    for old, new in renames.items():
        usages = DonorUsage.objects.filter(campaign_id=campaign_id).filter(
            Q(key=old) | Q(key__startswith=old + "|reg:")
        )
        for usage in usages:
            DonorUsage.objects.filter(pk=usage.pk).update(key=_renamed(usage.key, renames))
        Gift.objects.filter(campaign_id=campaign_id, donor_key=old).update(donor_key=new)
        Gift.objects.filter(campaign_id=campaign_id, card_key=old).update(card_key=new)
        Allocation.objects.filter(campaign_id=campaign_id, donor_key=old).update(donor_key=new)
        Allocation.objects.filter(campaign_id=campaign_id, card_key=old).update(card_key=new)
        # A card seen with another address may be in others' allocations: every list that names it.
        for allocation in Allocation.objects.filter(campaign_id=campaign_id, keys__icontains=old).only("pk", "keys"):
            keys = [_renamed(k, renames) for k in allocation.keys]
            if keys != allocation.keys:
                Allocation.objects.filter(pk=allocation.pk).update(keys=keys)


def _forget_providers_records(gifts, ids, pattern) -> None:
    checkouts = [g.checkout_id for g in gifts if g.checkout_id]
    SandboxCheckout.objects.filter(pk__in=checkouts).update(customer_email="")
    _redact_rows(SandboxCheckout.objects.filter(pk__in=checkouts), ["dispute_evidence"], pattern)
    _redact_rows(SandboxEvent.objects.filter(checkout_id__in=checkouts), ["body"], pattern)
    _redact_rows(Dispute.objects.filter(gift_id__in=ids), ["evidence"], pattern)
    _redact_rows(Refund.objects.filter(gift_id__in=ids), ["reason", "failure"], pattern)
    if pattern is not None:
        _redact_rows(Notification.objects.filter(gift_id__in=ids), ["body", "headers", "event", "reason"], pattern)


def _forget_notifications(emails) -> None:
    """Notifications not tied to a gift (rejected ones) that still carry the address."""
    pattern = _pattern(emails)
    for email in emails:
        if email:
            _redact_rows(
                Notification.objects.filter(Q(body__icontains=email) | Q(event__icontains=email)),
                ["body", "headers", "event", "reason"],
                pattern,
            )


# The audit log -------------------------------------------------------------------------------


def pseudonymise_audit(queryset, pattern, label=None) -> int:
    """Rewrites the identity columns of these audit events — who acted, the object's label, the
    details — replacing what `pattern` matches by `label` (by default the match's fingerprint).
    The audit log is append-only: only this module rewrites it, and on PostgreSQL the trigger of
    privacy/migrations/0001 lets through only such a rewrite, in a transaction that says so."""
    if pattern is None:
        return 0

    def replace(value):
        if isinstance(value, str):
            return pattern.sub(lambda m: label or fingerprint(m.group(0)), value)
        if isinstance(value, list):
            return [replace(v) for v in value]
        if isinstance(value, dict):
            return {k: replace(v) for k, v in value.items()}
        return value

    changed = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL solidaire.pseudonymising = 'on'")
        for event in queryset:
            updates = {f: replace(getattr(event, f)) for f in ("actor_label", "object_label", "data")}
            updates = {f: v for f, v in updates.items() if v != getattr(event, f)}
            if updates:
                models.QuerySet(AuditEvent).filter(pk=event.pk).update(**updates)
                changed += 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL solidaire.pseudonymising = 'off'")
    return changed


def _naming(value: str) -> Q:
    """Events whose actor, object or details hold `value`. SQLite keeps JSON with its non-ASCII
    characters escaped ("Doroth\\u00e9e"): the details are searched in that spelling too."""
    matches = Q(actor_label__icontains=value) | Q(object_label__icontains=value) | Q(data__icontains=value)
    escaped = json.dumps(value)[1:-1]
    if escaped != value:
        matches |= Q(data__icontains=escaped)
    return matches


def audit_about(emails, *, user=None, gifts=(), subject: str = ""):
    """Audit events about the person: those naming one of their addresses, those they did (with
    an account), those about one of their gifts and, given their fingerprint as `subject`, the
    records of their own requests. Not events that merely hold a word of their name: a donor
    called "Marie" does not make every event about "Chez Marie" theirs."""
    matches = Q(pk__in=[])
    if user is not None:
        matches |= Q(actor=user)
    if gifts:
        matches |= Q(object_type=Gift._meta.model_name, object_id__in=[str(pk) for pk in gifts])
    if subject:
        matches |= Q(data__subject=subject)
    for email in emails:
        if email and len(email) >= 3:
            matches |= _naming(email)
    return AuditEvent.objects.filter(matches)


# Sessions ------------------------------------------------------------------------------------


def _end_sessions(*, emails, user=None) -> None:
    """Ends the account's sessions and the spaces opened by a link to any spelling of the address."""
    folded = {folded_email(e) for e in emails if e}
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        if (user is not None and str(data.get("_auth_user_id", "")) == str(user.pk)) or (
            data.get(SESSION_KEY) and folded_email(str(data[SESSION_KEY])) in folded
        ):
            Session.objects.filter(pk=session.pk).delete()


# Erasure -------------------------------------------------------------------------------------


def erasure_refusal(person: Person) -> str:
    """Why this person's data cannot be erased here (empty when it can): team members and owners
    answer for public money; the collectivité removes them first."""
    user = person.user
    if user is None:
        return ""
    if Membership.objects.filter(user=user).exists():
        return _("You belong to a collectivité’s team: ask its administrator to remove you from it first.")
    if Establishment.objects.filter(owner=user).exists():
        return _("You manage an establishment: its accounts must be kept. Write to the collectivité to hand it over.")
    return ""


@transaction.atomic
def erase(person: Person) -> dict:
    """Removes or pseudonymises everything that identifies `person` (their gifts, the account of
    the same address, invitations, sessions, the providers' records, the audit log), in one
    transaction, and records it in the audit log of each collectivité concerned — with the
    person's fingerprint, never their address. Returns what was done."""
    refusal = erasure_refusal(person)
    if refusal:
        raise ActionError(refusal, code="erasure_refused")
    user = person.user
    gifts = list(person.gifts().select_for_update())
    emails = {person.email, *(g.email for g in gifts if g.email)}
    names = {g.donor_name for g in gifts if g.donor_name}
    if user is not None:
        emails |= set(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) | {user.email}
        names |= {n for n in (user.get_full_name(), user.first_name, user.last_name, user.phone) if n}
    tenants = {g.collectivite_id for g in gifts}
    forget_gifts(gifts, names=names, emails=emails)
    _forget_notifications(emails)
    pattern = _pattern([*emails, *names])
    label = f"erased:{person.fingerprint}"
    pseudonymise_audit(audit_about(emails, user=user, gifts=[g.pk for g in gifts]), pattern, label)
    mutual_aid_done = {"posts": 0, "messages": 0}
    if user is not None:
        mutual_aid_done = mutual_aid.forget(user, pattern=pattern)
        tenants |= set(mutual_aid_done["collectivites"])
        about = Q(pk__in=[])
        for object_type, ids in mutual_aid_done["audit_objects"].items():
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
        titles = _pattern([*emails, *names, *mutual_aid_done["titles"]])
        pseudonymise_audit(AuditEvent.objects.filter(about), titles, label)
    _redact_rows(
        LogEntry.objects.filter(Q(object_repr__icontains=person.email) | Q(user=user)),
        ["object_repr", "change_message"],
        pattern,
    )
    for email in emails:
        Invitation.objects.filter(email__iexact=email).delete()
        StaffInvitation.objects.filter(email__iexact=email).delete()
    if user is not None:
        tenants |= set(Staff.objects.filter(user=user).values_list("establishment__collectivite_id", flat=True))
        Staff.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        user.email = f"erased-{secrets.token_hex(8)}@erased.invalid"
        user.first_name = user.last_name = user.phone = ""
        user.commune = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
    _end_sessions(emails=emails, user=user)
    done = {
        "gifts": len(gifts),
        "account": user is not None,
        "mutual_aid_posts": mutual_aid_done["posts"],
        "mutual_aid_messages": mutual_aid_done["messages"],
    }
    for tenant in list(Collectivite.objects.filter(pk__in=tenants).order_by("pk")) or [None]:
        tenant_id = tenant.pk if tenant is not None else None
        record(
            collectivite=tenant,
            actor=None,
            action="privacy.erased",
            label=label,
            data={"subject": person.fingerprint, "gifts": sum(1 for g in gifts if g.collectivite_id == tenant_id)},
        )
    return done


@transaction.atomic
def record_export(person: Person, *, collectivite, gifts: int) -> None:
    """A download of one's own data is an export of personal data: logged, with the fingerprint."""
    record(
        collectivite=collectivite,
        actor=None,
        action="privacy.exported",
        label=f"subject:{person.fingerprint}",
        data={"subject": person.fingerprint, "gifts": gifts},
    )
