"""Least privilege: only set-up (superusers) creates schools and decides
which school a member of staff sees. A DPO holding these permissions could
tick "trust-wide" on their own profile and see every school's pupils; the
admin also refuses it (pupils.admin), this takes the permissions away too."""

from django.db import migrations

# Frozen copies of pupils.roles as they were when this migration was written:
# a migration never imports application code, so changing a helper later
# cannot change what this migration does.
DPO = "Data Protection Officer"


def grant(apps, schema_editor, *, app_label: str, role: str, codenames: list[str]) -> None:
    """Give ``role`` these permissions of ``app_label`` (for use in RunPython)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; make
    # sure this app's exist now.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True  # the migration state's stub lacks it
    create_permissions(app_config, verbosity=0, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=role)
    perms = permission_model.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(perms.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)


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
    grant(apps, schema_editor, app_label="pupils", role=DPO, codenames=WITHDRAWN)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0004_staff_sessions")]
    operations = [migrations.RunPython(withdraw, restore)]
