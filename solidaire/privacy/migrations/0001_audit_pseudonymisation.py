"""On PostgreSQL the audit log stays append-only, with one exception: erasure and retention
(privacy.actions) may rewrite the identity columns of an event — who acted, the object's label,
the details — in a transaction that says so (`SET LOCAL solidaire.pseudonymising = 'on'`).
What happened, to which object and when never changes; deletes are still refused."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION solidaire_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('solidaire.pseudonymising', true) = 'on'
       AND NEW.id = OLD.id
       AND NEW.action = OLD.action
       AND NEW.created_at = OLD.created_at
       AND NEW.collectivite_id IS NOT DISTINCT FROM OLD.collectivite_id
       AND NEW.object_type = OLD.object_type
       AND NEW.object_id = OLD.object_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'table %% is append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION solidaire_audit_append_only();
"""

RESTORE = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION solidaire_refuse_change();
DROP FUNCTION IF EXISTS solidaire_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("%%", "%"), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
