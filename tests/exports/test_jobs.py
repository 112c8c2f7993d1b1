"""An export's life: queued → running → done (progress written as rows are), or failed with no
file offered; the state table refuses any other move; expired files are deleted."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from solidaire.audit.models import AuditEvent
from solidaire.core.money import parse_euros
from solidaire.exports import actions, jobs, writers
from solidaire.exports.models import TRANSITIONS, Export, ExportStatus
from solidaire.exports.tasks import build_export, delete_expired

from .helpers import export_for

pytestmark = pytest.mark.django_db


def stored() -> set[str]:
    """Every file under exports/ in the default storage (kept across tests: compare before/after)."""
    found = set()

    def walk(folder):
        if not default_storage.exists(folder):
            return
        folders, files = default_storage.listdir(folder)
        found.update(f"{folder}/{name}" for name in files)
        for name in folders:
            walk(f"{folder}/{name}")

    walk("exports")
    return found


def queued(personas, kind="gifts", role="viewer"):
    user = getattr(personas.a, role)
    return Export.objects.create(
        collectivite=personas.a.tenant,
        kind=kind,
        format="csv",
        requested_by=user,
        language="en",
        expires_at=timezone.now() + actions.KEEP_FOR,
    )


def test_the_state_table():
    assert TRANSITIONS == {
        "queued": {"running", "failed"},
        "running": {"done", "failed"},
        "done": set(),
        "failed": set(),
    }


def test_queued_then_running_then_done_with_its_progress(personas, gifts, monkeypatch):
    export = queued(personas)
    seen = []
    real_progress = actions.progress

    def watched(pk, done, total=None):
        real_progress(pk, done, total)
        row = Export.objects.get(pk=pk)
        seen.append((row.status, row.rows_done, row.rows_total))

    monkeypatch.setattr(actions, "progress", watched)
    monkeypatch.setattr(writers, "PROGRESS_EVERY", 1)
    build_export.delay(export.pk)
    export.refresh_from_db()
    assert seen == [("running", 0, 3), ("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    assert export.status == ExportStatus.DONE and export.ready and export.percent == 100
    assert (export.row_count, export.rows_done, export.rows_total) == (3, 3, 3)
    assert export.started_at <= export.finished_at


def test_a_task_run_twice_builds_once(personas, gifts):
    export = queued(personas)
    build_export.delay(export.pk)
    build_export.delay(export.pk)
    assert AuditEvent.objects.filter(action="export.personal_data").count() == 1


def test_a_finished_export_cannot_move_again(personas, gifts):
    export = export_for(personas.a.viewer, personas.a.tenant, "days", role="viewer")
    assert actions.start(export.pk) is None
    assert actions.fail(export.pk).status == ExportStatus.DONE
    with pytest.raises(actions.ExportError):
        actions.finish(export.pk, content=None, name="x.csv", row_count=0, personal=False)


def test_a_failed_build_leaves_no_file_and_no_audit_entry(personas, gifts, monkeypatch, client_for):
    def broken(table, out, progress=None):
        out.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(writers, "write_csv", broken)
    before = stored()
    export = export_for(personas.a.viewer, personas.a.tenant, "gifts", role="viewer")
    assert export.status == ExportStatus.FAILED and not export.file and not export.ready
    assert export.error == "OSError"
    assert stored() == before
    assert not AuditEvent.objects.filter(action="export.personal_data").exists()
    victor = client_for(personas.a, personas.a.viewer)
    assert victor.get(f"/gestion/exports/{export.pk}/etat/").json()["download"] is None
    assert victor.get(f"/gestion/exports/{export.pk}/fichier/").status_code == 404


def test_a_failure_while_storing_deletes_the_stored_file(personas, gifts, monkeypatch):
    def refused(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(actions, "record", refused)
    before = stored()
    export = export_for(personas.a.viewer, personas.a.tenant, "gifts", role="viewer")
    assert export.status == ExportStatus.FAILED and not export.file
    assert stored() == before


def test_expired_exports_are_deleted_with_their_files(personas, gifts):
    old = export_for(personas.a.viewer, personas.a.tenant, "days", role="viewer")
    fresh = export_for(personas.a.viewer, personas.a.tenant, "days", role="viewer")
    name = old.file.name
    assert default_storage.exists(name)
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert delete_expired.delay().get() == 1
    assert not default_storage.exists(name) and not Export.objects.filter(pk=old.pk).exists()
    assert Export.objects.filter(pk=fresh.pk).exists() and default_storage.exists(fresh.file.name)


def test_a_job_whose_worker_died_is_marked_failed(personas):
    stuck = queued(personas)
    Export.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - actions.GIVE_UP_AFTER - timedelta(1))
    actions.delete_expired()
    stuck.refresh_from_db()
    assert stuck.status == ExportStatus.FAILED


def test_file_names(personas, campaign):
    export = queued(personas)
    export.campaign = campaign
    with translation.override("en"):
        assert jobs.file_name(export) == f"gifts-cafe-solidaire-{timezone.localdate():%Y-%m-%d}.csv"


def test_euros_never_go_through_a_float():
    assert writers.euros(123456) == "1234.56"
    assert writers.euros(5, ",") == "0,05"
    assert writers.euros(-250) == "-2.50"
    assert writers.euros(10**17 + 1) == "1000000000000000.01"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from([".", ","]))
def test_euros_read_back_are_the_same_cents(cents, separator):
    text = writers.euros(cents, separator)
    assert re.fullmatch(r"-?\d+[.,]\d\d", text)
    assert (-1 if text.startswith("-") else 1) * parse_euros(text.lstrip("-")) == cents
