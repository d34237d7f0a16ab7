"""Take names and values out of Django's admin log.

Before the staff site stopped writing it (pupils/admin_history.py), each
entry kept the record's name (a pupil's name and UPN) and, for rows added on
a pupil's page, their values ('Added medical condition "Asthma"'). The trail
holds the same changes with field names only, so the log's text is blanked;
who, when, which record and which kind of action stay. Not reversible in
content (the text is gone), reversible as a migration (no-op)."""

from django.db import migrations


def scrub(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    LogEntry.objects.exclude(object_repr="", change_message="").update(
        object_repr="", change_message=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pupils", "0013_pupil_list_indexes"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
