"""The DPO keeps the school's retention schedule, places and releases legal
holds, and erases what is due."""

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


GRANTED = [
    "view_retentionperiod",
    "add_retentionperiod",
    "change_retentionperiod",
    "erase_records",
    "view_legalhold",
    "add_legalhold",
    "change_legalhold",
]


def grant_dpo(apps, schema_editor):
    grant(apps, schema_editor, app_label="pupils", role=DPO, codenames=GRANTED)


def withdraw(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=DPO).first()
    if group is not None:
        perms = apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="pupils", codename__in=GRANTED
        )
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0010_retention_schedule_and_holds")]
    operations = [migrations.RunPython(grant_dpo, withdraw)]
