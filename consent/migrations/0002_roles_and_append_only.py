"""Office staff and the DPO record and ask for consent; the DPO alone may
let a pupil go on roll with an incomplete form. On PostgreSQL the database
refuses UPDATE and DELETE of consent answers (they are append-only)."""

from django.db import migrations

from pupils.roles import DPO, OFFICE_STAFF, grant

COMMON = [
    "add_consentrecord",
    "view_consentrecord",
    "add_consentrequest",
    "view_consentrequest",
    "add_offlinearrangement",
    "change_offlinearrangement",
    "view_offlinearrangement",
    "view_enrolmentoverride",
]

TRIGGER = """
CREATE OR REPLACE FUNCTION consent_record_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent answers are append-only: % refused on %', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consent_consentrecord_append_only
    BEFORE UPDATE OR DELETE ON consent_consentrecord
    FOR EACH ROW EXECUTE FUNCTION consent_record_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS consent_consentrecord_append_only ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_record_append_only();
"""


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="consent", role=OFFICE_STAFF, codenames=COMMON)
    grant(
        apps,
        schema_editor,
        app_label="consent",
        role=DPO,
        codenames=[*COMMON, "add_enrolmentoverride"],
    )


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_consent_records_requests_arrangements"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
