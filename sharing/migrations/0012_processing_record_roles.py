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


# The record of processing activities and the audit pack are the DPO's
# (docs/law.md, "Processors, transfers and DPIAs"); office staff have none
# of these permissions.
DPO_CODENAMES = [
    "view_processingrecordversion",
    "publish_processing_record",
    "download_audit_pack",
    "view_processingnote",
    "add_processingnote",
    "change_processingnote",
    "delete_processingnote",
]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="sharing", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    perms = permission_model.objects.filter(
        content_type__app_label="sharing", codename__in=DPO_CODENAMES
    )
    for group in group_model.objects.filter(name=DPO):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0011_processing_record"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
