"""On PostgreSQL the database itself refuses UPDATE and DELETE on the
disclosure log (as it does on the audit trail, pupils 0003). Elsewhere the
model and its queryset refuse them."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION sharing_disclosure_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the disclosure log is append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sharing_disclosure_append_only
    BEFORE UPDATE OR DELETE ON sharing_disclosure
    FOR EACH ROW EXECUTE FUNCTION sharing_disclosure_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS sharing_disclosure_append_only ON sharing_disclosure;
DROP FUNCTION IF EXISTS sharing_disclosure_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_roles")]
    operations = [migrations.RunPython(forward, backward)]
