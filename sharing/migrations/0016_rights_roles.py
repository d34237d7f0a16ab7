from django.db import migrations

# Frozen copies of pupils.roles as they were when this migration was written:
# a migration never imports application code, so changing a helper later
# cannot change what this migration does.
OFFICE_STAFF = "Office staff"
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


# Any member of staff logs a rights request or a complaint the moment one
# arrives and may read them; only the DPO handles them (docs/rights.md).
# Nobody deletes either: a request is withdrawn, a complaint closed.
OFFICE_CODENAMES = ["add_rightsrequest", "view_rightsrequest", "add_complaint", "view_complaint"]
DPO_CODENAMES = [
    "add_rightsrequest",
    "view_rightsrequest",
    "change_rightsrequest",
    "handle_rights_request",
    "view_rightspause",
    "add_complaint",
    "view_complaint",
    "change_complaint",
    "handle_complaint",
]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="sharing", role=OFFICE_STAFF, codenames=OFFICE_CODENAMES)
    grant(apps, schema_editor, app_label="sharing", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    perms = permission_model.objects.filter(
        content_type__app_label="sharing", codename__in=set(OFFICE_CODENAMES + DPO_CODENAMES)
    )
    for group in group_model.objects.filter(name__in=[OFFICE_STAFF, DPO]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0015_rights_requests_and_complaints"),
        ("pupils", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
