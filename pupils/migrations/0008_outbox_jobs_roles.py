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


# Staff who start a long job (office staff send consent requests) follow
# its progress; the DPO sees every job of the school and retries failed
# ones, and watches the e-mail outbox (who, what kind, last error: never a
# message's body) and sends again what failed.
OFFICE_CODENAMES = ["view_job"]
DPO_CODENAMES = ["view_job", "change_job", "view_outboxmessage", "change_outboxmessage"]


def grant_roles(apps, schema_editor):
    grant(apps, schema_editor, app_label="pupils", role=OFFICE_STAFF, codenames=OFFICE_CODENAMES)
    grant(apps, schema_editor, app_label="pupils", role=DPO, codenames=DPO_CODENAMES)


def revoke_roles(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    perms = permission_model.objects.filter(
        content_type__app_label="pupils", codename__in=set(OFFICE_CODENAMES + DPO_CODENAMES)
    )
    for group in group_model.objects.filter(name__in=[OFFICE_STAFF, DPO]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [("pupils", "0007_outbox_jobs_workers")]
    operations = [migrations.RunPython(grant_roles, revoke_roles)]
