"""On PostgreSQL the database itself refuses UPDATE and DELETE on the trail.

SQLite has no such guard; there ``manage.py verify_audit`` detects edits
through the hash chain.
"""

from django.db import migrations

from pupils.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("pupils", "0002_staff_roles")]
    operations = [append_only("pupils_auditevent", "the audit trail")]
