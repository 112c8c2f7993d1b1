"""Audit events are only ever inserted: the model, its queryset and, on PostgreSQL, a database
trigger refuse to change or delete them."""

import pytest
from django.db import DatabaseError, connection, transaction

from solidaire.audit.events import record
from solidaire.audit.models import AppendOnlyError, AuditEvent


@pytest.fixture
def event(personas):
    return record(
        collectivite=personas.a.tenant,
        actor=personas.a.admin,
        action="team.invited",
        obj=personas.a.tenant,
        label="claire@example.org",
        data={"role": "viewer"},
    )


def unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    return (stored.action, stored.object_label, stored.data, stored.actor_id) == (
        "team.invited",
        "claire@example.org",
        {"role": "viewer"},
        event.actor_id,
    )


def test_recording_stores_who_did_what_to_what(personas, event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.collectivite == personas.a.tenant
    assert stored.actor == personas.a.admin
    assert stored.actor_label == personas.a.admin.email
    assert stored.object_type == "collectivite"
    assert stored.object_id == str(personas.a.tenant.pk)
    assert stored.created_at is not None


def test_events_without_a_person_are_recorded_as_system(personas):
    stored = record(collectivite=personas.a.tenant, actor=None, action="tenant.created", obj=personas.a.tenant)
    assert stored.actor is None
    assert stored.actor_label == "system"


def test_unknown_action_is_refused(personas):
    with pytest.raises(AssertionError):
        record(collectivite=personas.a.tenant, actor=None, action="team.teleported")
    assert not AuditEvent.objects.filter(action="team.teleported").exists()


def test_saving_an_existing_event_is_refused(event):
    event.object_label = "someone-else@example.org"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert unchanged(event)


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert unchanged(event)


def test_queryset_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="team.revoked")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(data={})
    assert unchanged(event)


def test_queryset_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert unchanged(event)


def test_bulk_update_is_refused(event):
    event.action = "team.revoked"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert unchanged(event)


def test_collectivite_with_audit_events_cannot_be_deleted(personas, event):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        with transaction.atomic():
            personas.a.tenant.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")


@pytest.mark.postgres
def test_raw_sql_update_is_refused_by_the_database(postgresql, event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET object_label = 'forged' WHERE id = %s", [event.pk])
    assert unchanged(event)


@pytest.mark.postgres
def test_raw_sql_delete_is_refused_by_the_database(postgresql, event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert unchanged(event)


@pytest.mark.postgres
def test_raw_sql_insert_is_still_allowed(postgresql, personas, event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (collectivite_id, actor_label, action, object_type, object_id,"
            " object_label, data, created_at) VALUES (%s, 'system', 'tenant.created', '', '', '', '{}', now())",
            [personas.a.tenant.pk],
        )
    assert AuditEvent.objects.count() == 2
