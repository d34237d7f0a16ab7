"""On PostgreSQL the database itself refuses UPDATE and DELETE on the
disclosure log (as it does on the audit trail, pupils 0003). Elsewhere the
model and its queryset refuse them."""

from django.db import migrations

from pupils.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_roles")]
    operations = [append_only("sharing_disclosure", "the disclosure log")]
