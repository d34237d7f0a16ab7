"""Office staff and the DPO record and ask for consent; the DPO alone may
let a pupil go on roll with an incomplete form. On PostgreSQL the database
refuses UPDATE and DELETE of consent answers (they are append-only)."""

from django.db import migrations

from pupils.dbguards import append_only
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

def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="consent", role=OFFICE_STAFF, codenames=COMMON)
    grant(
        apps,
        schema_editor,
        app_label="consent",
        role=DPO,
        codenames=[*COMMON, "add_enrolmentoverride"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_consent_records_requests_arrangements"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
        append_only("consent_consentrecord", "the consent record"),
    ]
