"""What changes an export: asked for (queued, its task scheduled), started, finished (its file
stored; the audit log told when it holds personal data), failed (no file kept), and deleted
once it has expired. Every move follows models.TRANSITIONS."""

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidaire.accounts.roles import Capability
from solidaire.audit.events import record

from . import tasks
from .models import TRANSITIONS, WORKING, Export, ExportFormat, ExportKind, ExportStatus

logger = logging.getLogger(__name__)

# How long a file is kept for its requester before the periodic task deletes it.
KEEP_FOR = timedelta(days=7)
# A job still queued or running after this long lost its worker: it is marked failed.
GIVE_UP_AFTER = timedelta(hours=6)

# Who may ask for what: a capability per kind (the donors' e-mail addresses also need FINANCE).
KIND_CAPABILITY = {
    ExportKind.GIFTS: Capability.VIEW_DASHBOARD,
    ExportKind.BENEFICIARIES: Capability.VIEW_DASHBOARD,
    ExportKind.DAYS: Capability.VIEW_DASHBOARD,
    ExportKind.VOUCHERS: Capability.VIEW_DASHBOARD,
    ExportKind.AUDIT: Capability.VIEW_AUDIT,
}
# Kinds that make no sense for one campaign.
WHOLE_COLLECTIVITE = {ExportKind.AUDIT}


class ExportError(Exception):
    pass


def kinds_for(capabilities) -> list[str]:
    return [kind for kind in ExportKind.values if KIND_CAPABILITY[kind] in capabilities]


def _move(export: Export, status: str) -> None:
    if status not in TRANSITIONS[export.status]:
        raise ExportError(f"an export cannot go from {export.status} to {status}")
    export.status = status


@transaction.atomic
def request_export(*, collectivite, actor, capabilities, kind: str, fmt: str, campaign=None, language="fr") -> Export:
    """Queues an export for `actor` (a member of `collectivite` with `capabilities`); its task
    starts once this transaction is committed."""
    if kind not in ExportKind.values or fmt not in ExportFormat.values:
        raise ExportError("unknown kind or format")
    if kind not in kinds_for(capabilities):
        raise PermissionDenied
    if campaign is not None and (campaign.collectivite_id != collectivite.pk or kind in WHOLE_COLLECTIVITE):
        raise ExportError("campaign")
    export = Export.objects.create(
        collectivite=collectivite,
        campaign=campaign,
        kind=kind,
        format=fmt,
        requested_by=actor,
        with_emails=kind == ExportKind.GIFTS and Capability.FINANCE in capabilities,
        language=language,
        expires_at=timezone.now() + KEEP_FOR,
    )
    transaction.on_commit(lambda: tasks.build_export.delay(export.pk))
    return export


@transaction.atomic
def start(pk: int) -> Export | None:
    """queued → running; None when the export is gone or already taken (a task run twice)."""
    export = Export.objects.select_for_update().filter(pk=pk).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return None
    _move(export, ExportStatus.RUNNING)
    export.started_at = timezone.now()
    export.save(update_fields=["status", "started_at"])
    return export


def progress(pk: int, rows_done: int, rows_total: int | None = None) -> None:
    """The progress indicator's figures: written at once, outside any transaction."""
    fields = {"rows_done": rows_done}
    if rows_total is not None:
        fields["rows_total"] = rows_total
    Export.objects.filter(pk=pk, status=ExportStatus.RUNNING).update(**fields)


def _label(export: Export) -> str:
    what = str(ExportKind(export.kind).label)
    return f"{what} — {export.campaign.title}" if export.campaign_id else what


@transaction.atomic
def finish(pk: int, *, content, name: str, row_count: int, personal: bool) -> Export:
    """running → done with its file; the audit log is told who took which personal data."""
    export = Export.objects.select_for_update(of=("self",)).select_related("campaign", "requested_by").get(pk=pk)
    _move(export, ExportStatus.DONE)
    export.file.save(name, content, save=False)
    try:
        export.row_count = row_count
        export.rows_done = row_count
        export.rows_total = max(export.rows_total, row_count)
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "file", "row_count", "rows_done", "rows_total", "finished_at"])
        if personal:
            record(
                collectivite=export.collectivite,
                actor=export.requested_by,
                action="export.personal_data",
                obj=export,
                label=_label(export),
                data={
                    "kind": export.kind,
                    "format": export.format,
                    "rows": row_count,
                    "emails": export.with_emails,
                    "campaign": export.campaign.title if export.campaign_id else "",
                },
            )
    except Exception:
        export.file.delete(save=False)
        raise
    return export


@transaction.atomic
def fail(pk: int, reason: str = "") -> Export | None:
    """queued or running → failed; whatever file it had is deleted: nothing partial is offered."""
    export = Export.objects.select_for_update().filter(pk=pk).first()
    if export is None or export.status not in WORKING:
        return export
    _move(export, ExportStatus.FAILED)
    if export.file:
        export.file.delete(save=False)
    export.file = ""
    export.error = reason[:200]
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "file", "error", "finished_at"])
    return export


def delete_expired(now=None) -> int:
    """Deletes the exports past their expiry, files first; marks failed the jobs whose worker
    died. Returns how many exports were deleted."""
    now = now or timezone.now()
    for pk in Export.objects.filter(status__in=WORKING, created_at__lt=now - GIVE_UP_AFTER).values_list(
        "pk", flat=True
    ):
        fail(pk, _("The export took too long and was abandoned."))
    deleted = 0
    for export in Export.objects.filter(expires_at__lt=now).only("pk", "file").iterator():
        with transaction.atomic():
            if export.file:
                export.file.delete(save=False)
            Export.objects.filter(pk=export.pk).delete()
            deleted += 1
    return deleted
