"""Retention: what is kept only for a while (docs/adr/0022-personal-data.md).

- donors' identity: pseudonymised `Collectivite.donor_retention_years` after their last gift to
  the collectivité (the amounts stay, for the books and the public figures);
- bodies (and headers) of rejected payment notifications: dropped after
  SOLIDAIRE_REJECTED_NOTIFICATION_DAYS (their size, SHA-256 and reason stay);
- expired sessions: deleted (Django's clearsessions);
- the audit log and the admin's log: kept, but the e-mail addresses in them become a fingerprint
  after SOLIDAIRE_AUDIT_IDENTITY_YEARS.

Each job is idempotent and takes `now`, so that tests and `solidaire retention --as-of` run it on
other dates; `run_all(dry_run=True)` counts without changing anything."""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from solidaire.audit.events import record
from solidaire.audit.models import AuditEvent
from solidaire.donations.models import Gift
from solidaire.payments.models import Notification, NotificationStatus
from solidaire.tenants.models import Collectivite

from . import actions
from .identity import fingerprint

BATCH = 500


def years_ago(now, years: int):
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def donors(*, now=None) -> int:
    """Pseudonymises, per collectivité, the gifts of donors whose last gift there is older than its
    retention period. Returns how many gifts were pseudonymised."""
    now = now or timezone.now()
    total = 0
    for tenant in Collectivite.objects.all():
        cutoff = years_ago(now, tenant.donor_retention_years)
        stale = (
            Gift.objects.filter(collectivite=tenant)
            .exclude(email="", donor_name="", public_message="", origin_key="", device_key="")
            .values("donor_key")
            .annotate(last=Max("created_at"))
            .filter(last__lt=cutoff)
            .values_list("donor_key", flat=True)
        )
        keys = list(stale)
        for start in range(0, len(keys), BATCH):
            total += _forget(tenant, keys[start : start + BATCH])
    return total


@transaction.atomic
def _forget(tenant, keys) -> int:
    gifts = list(Gift.objects.select_for_update().filter(collectivite=tenant, donor_key__in=keys))
    count = actions.forget_gifts(gifts)
    if count:
        record(collectivite=tenant, actor=None, action="privacy.retention", label="", data={"gifts": count})
    return count


def rejected_notifications(*, now=None) -> int:
    """Drops the bodies, headers and events read from them of rejected notifications past their
    period (their size, SHA-256, reason and dates stay)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS)
    return (
        Notification.objects.filter(status=NotificationStatus.REJECTED, received_at__lt=cutoff)
        .filter(~Q(body="") | ~Q(headers={}) | ~Q(event={}))
        .update(body="", headers={}, event={})
    )


def sessions(*, now=None) -> int:
    now = now or timezone.now()
    count, _ = Session.objects.filter(expire_date__lt=now).delete()
    return count


def logs(*, now=None) -> int:
    """Who acted, in the audit log and the admin's log, past SOLIDAIRE_AUDIT_IDENTITY_YEARS: the
    event stays (what, when, on what), the e-mail addresses in it become a fingerprint. Returns
    how many events and entries changed."""
    now = now or timezone.now()
    cutoff = years_ago(now, settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS)
    events = AuditEvent.objects.filter(created_at__lt=cutoff).filter(
        Q(actor_label__contains="@") | Q(object_label__contains="@") | Q(data__icontains="@")
    )
    with transaction.atomic():
        count = actions.pseudonymise_audit(events, actions.EMAIL_ADDRESS)
        entries = LogEntry.objects.filter(action_time__lt=cutoff).filter(
            Q(object_repr__contains="@") | Q(change_message__contains="@")
        )
        for entry in entries.only("pk", "object_repr", "change_message"):
            updates = {
                field: actions.EMAIL_ADDRESS.sub(lambda m: fingerprint(m.group(0)), getattr(entry, field))
                for field in ("object_repr", "change_message")
            }
            updates = {field: value for field, value in updates.items() if value != getattr(entry, field)}
            if updates:
                models.QuerySet(LogEntry).filter(pk=entry.pk).update(**updates)
                count += 1
    return count


JOBS = {
    "donors": donors,
    "rejected_notifications": rejected_notifications,
    "sessions": sessions,
    "logs": logs,
}


def run_all(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Every job, each in its own transaction; with `dry_run`, all of them in one transaction
    rolled back at the end: the counts of what would be done, nothing changed."""
    if not dry_run:
        return {name: job(now=now) for name, job in JOBS.items()}
    with transaction.atomic():
        done = {name: job(now=now) for name, job in JOBS.items()}
        transaction.set_rollback(True)
    return done
