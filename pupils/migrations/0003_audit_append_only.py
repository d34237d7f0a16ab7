"""On PostgreSQL the database itself refuses UPDATE and DELETE on the trail.

SQLite has no such guard; there ``manage.py verify_audit`` detects edits
through the hash chain.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION pupils_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER pupils_auditevent_append_only
    BEFORE UPDATE OR DELETE ON pupils_auditevent
    FOR EACH ROW EXECUTE FUNCTION pupils_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS pupils_auditevent_append_only ON pupils_auditevent;
DROP FUNCTION IF EXISTS pupils_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0002_staff_roles")]
    operations = [migrations.RunPython(forward, backward)]
