"""Retention: what is kept only for a while (docs/adr/0022-personal-data.md).

- donors' identity: pseudonymised `Collectivite.donor_retention_years` after their last gift to
  the collectivité (the amounts stay, for the books and the public figures);
- bodies of rejected payment notifications: dropped after SOLIDAIRE_REJECTED_NOTIFICATION_DAYS
  (their size, SHA-256 and reason stay);
- expired sessions: deleted (Django's clearsessions);
- the audit log and the admin's log: kept, but who acted is pseudonymised after
  SOLIDAIRE_AUDIT_IDENTITY_YEARS.

Each job is idempotent and takes `now`, so that tests run it on constructed dates."""

import re
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

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
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
    """Drops the bodies and headers of rejected notifications past their period."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SOLIDAIRE_REJECTED_NOTIFICATION_DAYS)
    return (
        Notification.objects.filter(status=NotificationStatus.REJECTED, received_at__lt=cutoff)
        .filter(~Q(body="") | ~Q(headers={}))
        .update(body="", headers={})
    )


def sessions(*, now=None) -> int:
    now = now or timezone.now()
    count, _ = Session.objects.filter(expire_date__lt=now).delete()
    return count


def logs(*, now=None) -> int:
    """Who acted, in the audit log and the admin's log, past SOLIDAIRE_AUDIT_IDENTITY_YEARS: the
    event stays (what, when, on what), the e-mail addresses in it become a fingerprint."""
    now = now or timezone.now()
    cutoff = years_ago(now, settings.SOLIDAIRE_AUDIT_IDENTITY_YEARS)
    events = AuditEvent.objects.filter(created_at__lt=cutoff).filter(
        Q(actor_label__contains="@") | Q(object_label__contains="@") | Q(data__icontains="@")
    )
    with transaction.atomic():
        count = actions.pseudonymise_audit(events, EMAIL)
        entries = LogEntry.objects.filter(action_time__lt=cutoff, object_repr__contains="@")
        for entry in entries:
            redacted = EMAIL.sub(actions.ERASED, entry.object_repr)
            models.QuerySet(LogEntry).filter(pk=entry.pk).update(object_repr=redacted)
            count += 1
    return count


def run_all(*, now=None) -> dict[str, int]:
    return {
        "donors": donors(now=now),
        "rejected_notifications": rejected_notifications(now=now),
        "sessions": sessions(now=now),
        "logs": logs(now=now),
    }
