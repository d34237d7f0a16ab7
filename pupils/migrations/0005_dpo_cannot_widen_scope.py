"""Least privilege: only set-up (superusers) creates schools and decides
which school a member of staff sees. A DPO holding these permissions could
tick "trust-wide" on their own profile and see every school's pupils; the
admin also refuses it (pupils.admin), this takes the permissions away too."""

from django.db import migrations

from pupils.roles import DPO

WITHDRAWN = [
    "add_school",
    "delete_school",
    "add_staffprofile",
    "change_staffprofile",
    "delete_staffprofile",
]


def withdraw(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=DPO).first()
    if group is not None:
        perms = apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="pupils", codename__in=WITHDRAWN
        )
        group.permissions.remove(*perms)


def restore(apps, schema_editor):
    from pupils.roles import grant

    grant(apps, schema_editor, app_label="pupils", role=DPO, codenames=WITHDRAWN)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0004_staff_sessions")]
    operations = [migrations.RunPython(withdraw, restore)]
