"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit log. TRUNCATE (used
only by test flushes) is not affected. SQLite relies on the model and queryset guards."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION solidaire_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table %% is append-only', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION solidaire_refuse_change();
"""

DROP = "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("%%", "%"), params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
